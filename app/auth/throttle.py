"""Slow down key guessing: too many failed authentications from one client earn a 429."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class FailureThrottle:
    """A sliding window of failures per client address (per process)."""

    def __init__(self, max_failures: int, window_seconds: float) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, client: str, now: float) -> deque[float]:
        failures = self._failures[client]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, client: str) -> int | None:
        """Seconds until `client` may try again, or None when it is not blocked."""
        now = time.monotonic()
        with self._lock:
            failures = self._prune(client, now)
            if len(failures) < self.max_failures:
                return None
            return max(1, int(failures[0] + self.window - now) + 1)

    def record_failure(self, client: str) -> None:
        with self._lock:
            self._failures[client].append(time.monotonic())

    def reset(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
