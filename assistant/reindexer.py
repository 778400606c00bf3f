"""Re-index while the assistant keeps answering: one build at a time, swapped in whole.

Here, not in ui/, because the rule (never answer from a half-built index) belongs to
the assistant; the maintainers' page only calls it.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from assistant.assistant import share_between_threads
from index.update import UpdateReport


class ReindexRunning(RuntimeError):
    """A second re-index was asked for while one runs; the message says to wait."""


class Reindexer:
    """Re-index the corpus and swap the new index into a running assistant.

    The index is built in memory and saved as a new version before the swap, so
    questions asked meanwhile are answered from the old index, never a half-built one.
    """

    def __init__(self, assistant: Any, build: Callable[..., UpdateReport]) -> None:
        self.assistant = assistant
        self._build = build  # e.g. functools.partial(service.reindex, settings)
        self._lock = threading.Lock()
        share_between_threads(assistant)  # it embeds while questions are answered

    @property
    def running(self) -> bool:
        return self._lock.locked()

    def run(self, *, progress: bool = False) -> UpdateReport:
        if not self._lock.acquire(blocking=False):
            raise ReindexRunning("A re-index is already running; wait for it to finish.")
        try:
            report = self._build(encoder=self.assistant.encoder, progress=progress)
            self.assistant.use_index(report.index)
            return report
        finally:
            self._lock.release()
