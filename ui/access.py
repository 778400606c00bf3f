"""The maintainers' password check. No gradio; the password is never logged.

Two limits, so that guessing is slow and no one can keep the maintainers out:
- per session: each wrong password costs ``delay`` seconds, and after ``max_failures``
  wrong ones within ``window`` seconds that session (only) is refused for a while;
- per client address: passwords from one address are checked at most once per
  ``delay`` seconds, however many sessions it opens at once; attempts queued up more
  than ``max_wait`` seconds ahead are refused at once. Other addresses never wait.
A session id is chosen by the browser, so the address limit is what stops a guesser who
opens a new session per guess; the session limit is what a maintainer's typo meets.
"""
from __future__ import annotations

import asyncio
import hmac
import threading
import time
from collections import deque
from typing import Callable

# Clients and sessions remembered at most; beyond this the ones idle longest are dropped.
MAX_TRACKED = 10_000


class TooManyAttempts(PermissionError):
    """Several wrong passwords in a row; the message says how long to wait."""


class LoginGuard:
    def __init__(self, password: str, *, delay: float = 1.0, max_failures: int = 5,
                 window: float = 60.0, max_wait: float = 5.0,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not password:
            raise ValueError("An empty maintainer password would let anyone in; set "
                             "QUOTECHAT_ADMIN_PASSWORD or --admin-password to a real one.")
        self._password = password.encode("utf-8")
        self.delay, self.max_failures, self.window = delay, max_failures, window
        self.max_wait = max_wait
        self._sleep, self._clock = sleep, clock
        self._failures: dict[str, deque[float]] = {}  # per session, oldest first
        self._next_check: dict[str, float] = {}  # per client: when it may be checked
        self._lock = threading.Lock()
        self._swept = float("-inf")

    def __repr__(self) -> str:
        return f"LoginGuard(sessions={len(self._failures)})"  # never the password

    def admit(self, *, session: str, client: str) -> float:
        """Seconds to wait before this attempt's password may be checked; or
        TooManyAttempts, for this session or this client address only."""
        with self._lock:
            now = self._clock()
            self._forget(now)
            failures = self._failures.get(session, deque())
            while failures and now - failures[0] >= self.window:
                failures.popleft()
            if len(failures) >= self.max_failures:
                wait = int(self.window - (now - failures[0])) + 1
                raise TooManyAttempts(f"Too many wrong passwords; wait {wait} seconds "
                                      "and try again.")
            start = max(now, self._next_check.get(client, now))
            if start - now > self.max_wait:
                raise TooManyAttempts("Too many sign-in attempts from your address at "
                                      f"once; wait {int(start - now) + 1} seconds and "
                                      "try again.")
            self._next_check[client] = start + self.delay
            return start - now

    def verify(self, attempt: str | None, *, session: str) -> bool:
        """Compare in constant time; a wrong password counts against the session (the
        caller then waits ``delay`` seconds before answering)."""
        ok = hmac.compare_digest((attempt or "").encode("utf-8"), self._password)
        if not ok:
            with self._lock:
                self._failures.setdefault(session, deque()).append(self._clock())
        return ok

    def check(self, attempt: str | None, *, session: str = "", client: str = "") -> bool:
        """admit, wait, verify, and wait ``delay`` after a wrong password."""
        wait = self.admit(session=session, client=client)
        if wait:
            self._sleep(wait)
        ok = self.verify(attempt, session=session)
        if not ok:
            self._sleep(self.delay)
        return ok

    async def check_async(self, attempt: str | None, *, session: str,
                          client: str) -> bool:
        """check() for an event loop: the waits hold no thread."""
        wait = self.admit(session=session, client=client)
        if wait:
            await asyncio.sleep(wait)
        ok = self.verify(attempt, session=session)
        if not ok:
            await asyncio.sleep(self.delay)
        return ok

    def _forget(self, now: float) -> None:
        """Drop failures older than the window, and clients and sessions with nothing
        left to remember, so a flood of new sessions cannot grow memory for ever
        (a full sweep at most once a second: under a flood it is the costly part)."""
        if now - self._swept < 1.0 and len(self._failures) <= MAX_TRACKED \
                and len(self._next_check) <= MAX_TRACKED:
            return
        self._swept = now
        for session, failures in list(self._failures.items()):
            while failures and now - failures[0] >= self.window:
                failures.popleft()
            if not failures:
                del self._failures[session]
        for client, at in list(self._next_check.items()):
            if at <= now:
                del self._next_check[client]
        for table in (self._failures, self._next_check):
            while len(table) > MAX_TRACKED:  # dicts keep insertion order: oldest first
                del table[next(iter(table))]
