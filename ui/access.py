"""The maintainers' password check: constant-time comparison, a delay after each wrong
attempt and a short lock-out after several. No gradio; the password is never logged."""
from __future__ import annotations

import hmac
import threading
import time
from collections import deque
from typing import Callable


class TooManyAttempts(PermissionError):
    """Several wrong passwords in a row; the message says how long to wait."""


class LoginGuard:
    def __init__(self, password: str, *, delay: float = 1.0, max_failures: int = 5,
                 window: float = 60.0, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not password:
            raise ValueError("An empty maintainer password would let anyone in; set "
                             "QUOTECHAT_ADMIN_PASSWORD or --admin-password to a real one.")
        self._password = password.encode("utf-8")
        self.delay, self.max_failures, self.window = delay, max_failures, window
        self._sleep, self._clock = sleep, clock
        self._failures: deque[float] = deque()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LoginGuard(failures={len(self._failures)})"  # never the password

    def check(self, attempt: str | None) -> bool:
        """True for the right password; a wrong one costs ``delay`` seconds, and after
        ``max_failures`` wrong ones within ``window`` seconds every attempt is refused
        until the oldest of them is ``window`` seconds old."""
        with self._lock:
            now = self._clock()
            while self._failures and now - self._failures[0] >= self.window:
                self._failures.popleft()
            if len(self._failures) >= self.max_failures:
                wait = int(self.window - (now - self._failures[0])) + 1
                raise TooManyAttempts(f"Too many wrong passwords; wait {wait} seconds "
                                      "and try again.")
        ok = hmac.compare_digest((attempt or "").encode("utf-8"), self._password)
        if not ok:
            with self._lock:
                self._failures.append(self._clock())
            self._sleep(self.delay)  # outside the lock: one slow guess blocks no one else
        return ok
