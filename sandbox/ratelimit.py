"""Sliding-window rate limiter (BC2: 500 requests per 10 seconds per account).

Refused requests are not recorded, so a client that honours ``Retry-After`` gets through as
soon as the oldest request in the window expires.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable


class SlidingWindowLimiter:
    """Allows ``limit`` requests per ``window`` seconds for each key."""

    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: Hashable) -> int | None:
        """Record a request; return None if allowed, else whole seconds to wait (>= 1)."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) < self.limit:
                hits.append(now)
                return None
            return max(1, math.ceil(hits[0] + self.window - now))

    def release(self, key: Hashable) -> None:
        """Forget the latest request of ``key`` (it was refused after all)."""
        with self._lock:
            hits = self._hits.get(key)
            if hits:
                hits.pop()
