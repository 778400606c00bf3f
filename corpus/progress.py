"""Progress of a long step: a tqdm bar on a terminal, plain log lines elsewhere (CI,
`nohup`, a maintainer's re-index), so a 30-minute build is never silent. In corpus/,
the bottom layer, so reading documents and embedding them report alike."""
from __future__ import annotations

import logging
import sys
import time
from typing import Callable

logger = logging.getLogger(__name__)
LOG_EVERY_S = 5.0


class Progress:
    """Counts work done; shows it as a bar when `stream` is a terminal, otherwise as
    one log line every `every` seconds (and one at the end)."""

    def __init__(self, total: int, what: str, *, enabled: bool = True, stream=None,
                 every: float | None = None, clock: Callable[[], float] = time.monotonic,
                 log: logging.Logger = logger, unit: str = "text") -> None:
        self.total, self.what, self.done, self.current = total, what, 0, ""
        self._clock, self._log = clock, log
        self._every = LOG_EVERY_S if every is None else every
        self._start = self._last = clock()
        stream = stream if stream is not None else sys.stderr
        terminal = enabled and hasattr(stream, "isatty") and stream.isatty()
        self._bar = None
        self._lines = enabled and not terminal
        if terminal:
            from tqdm import tqdm
            self._bar = tqdm(total=total, unit=unit, desc=what, leave=False, file=stream)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self._lines and exc[0] is None and self.total:
            self._log.info("%s", self.line(final=True))

    def update(self, count: int, current: str = "") -> None:
        """`count` more done; `current` names what was just done (a file)."""
        self.done += count
        self.current = current
        if self._bar is not None:
            self._bar.update(count)
        elif self._lines and self._clock() - self._last >= self._every \
                and self.done < self.total:
            self._last = self._clock()
            self._log.info("%s", self.line())

    def line(self, *, final: bool = False) -> str:
        elapsed = max(self._clock() - self._start, 1e-9)
        rate = self.done / elapsed
        text = (f"{self.what}: {self.done:,}/{self.total:,} "
                f"({100 * self.done / max(self.total, 1):.0f}%), {rate:.1f}/s")
        if final:
            return text + f", done in {elapsed:.1f} s"
        left = (self.total - self.done) / rate if rate else float("inf")
        text += f", about {_duration(left)} left" if left != float("inf") else ""
        return text + (f" (at {self.current})" if self.current else "")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
