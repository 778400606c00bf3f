"""Follow the index folder: when its CURRENT pointer names a new version, load it in the
background and swap it in, so every replica serving a shared index folder moves to a
re-index made by any one of them (or by `quotechat index`) within seconds.

The swap is Assistant.use_index, one reference assignment: a question reads the
reference once and finishes on the index it started with. A new version that is damaged
or built differently is logged and skipped; the running index stays.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Callable

from assistant.service import load_index
from assistant.settings import Settings
from index import IndexError_, SearchIndex
from index.storage import MANIFEST, POINTER

logger = logging.getLogger(__name__)
DEFAULT_INTERVAL = 2.0  # seconds; one read of a ~30-byte file per poll


def pointed_version(root: Path) -> str | None:
    """The version name CURRENT holds, or None while there is none to read."""
    try:
        return (Path(root) / POINTER).read_text(encoding="utf-8").strip() or None
    except (OSError, UnicodeDecodeError):
        return None


def _folder_stamp(root: Path, version: str) -> int | None:
    """When the version's manifest was written: a folder replaced under the same name
    (write_version repairs a damaged one) gets another chance."""
    try:
        return (Path(root) / version / MANIFEST).stat().st_mtime_ns
    except OSError:
        return None


class IndexWatcher:
    """Poll ``root``'s CURRENT every ``interval`` seconds; load and swap in new versions.

    ``load`` loads the live version with the same checks the app started with (model,
    chunk settings, corpus); ``check()`` is one poll, for tests and for callers that
    poll themselves.
    """

    def __init__(self, assistant: Any, root: Path, load: Callable[[], SearchIndex], *,
                 interval: float = DEFAULT_INTERVAL) -> None:
        if interval <= 0:
            raise ValueError(f"the index watch interval must be above 0 seconds, not "
                             f"{interval}; to turn watching off, do not start a watcher.")
        self.assistant, self.root, self._load = assistant, Path(root), load
        self.interval = interval
        self._refused: tuple[str, int | None] | None = None  # the version that failed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        """One poll: True when a new version was swapped in."""
        pointed = pointed_version(self.root)
        if pointed is None or pointed == self.assistant.index.version:
            return False
        stamp = _folder_stamp(self.root, pointed)
        if self._refused == (pointed, stamp):
            return False  # already refused; logged once
        try:
            index = self._load()
        except IndexError_ as err:
            self._refused = (pointed, stamp)
            logger.warning("index version %s in %s not used, still answering from %s: %s",
                           pointed, self.root, self.assistant.index.version, err)
            return False
        if index.version != pointed_version(self.root):
            return False  # superseded while loading; the next poll loads the newer one
        # A re-index in this process may still swap its own (newer) index in between
        # this check and the swap below; CURRENT then names it, and the next poll
        # brings it back. The pointer is the truth, the swap only follows it.
        old = self.assistant.index.version
        self.assistant.use_index(index)
        logger.info("now answering from index %s (was %s)", index.version, old)
        return True

    def start(self) -> "IndexWatcher":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="quotechat-index-watch",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop polling; waits for a load under way (up to ``timeout`` seconds)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # noqa: BLE001 - the watcher must outlive any one bad poll
                logger.exception("index watch poll failed; trying again in %ss",
                                 self.interval)


def watch_index(assistant: Any, settings: Settings, *,
                interval: float = DEFAULT_INTERVAL) -> IndexWatcher:
    """A started watcher that loads new versions of ``settings``' index with the checks
    open_assistant makes (same model, chunk settings and corpus folder)."""
    return IndexWatcher(assistant, settings.index_path,
                        lambda: load_index(settings, assistant.encoder),
                        interval=interval).start()
