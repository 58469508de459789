"""When to re-send a request and how long to wait first: the API's documented retry rules.

BC4 docs §6 and the official conformance cases: 429 and 5xx (500, 502, 503, 504; never 507)
are retried for reads with exponential backoff of at least one second before the FIRST retry,
doubling, with jitter, capped; ``Retry-After`` in seconds or as an HTTP date replaces the
backoff, and a value that is zero, negative, in the past or not a number (``-5``, ``120junk``)
falls back to the backoff. The budget is time, not a count: a request keeps trying while the
server keeps answering, and gives up once it has spent ``budget`` seconds (an optional count
cap stays available for ``--retries``).

``first`` is the policy's time scale: the cap (30x) and the default budget (300x) follow it, so
the documented 1 s / 30 s / 300 s come from ``first=1`` and a test passing ``first=0.01`` runs
the same policy a hundred times faster.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_FIRST_BACKOFF = 1.0
CAP_SCALE = 30
BUDGET_SCALE = 300
JITTER = 0.1
DEFAULT_RETRY_AFTER_MAX = 600.0
DELAY_SECONDS = re.compile(r"[0-9]+")


class RetryAfterTooLong(Exception):
    """The server asked us to wait longer than we agreed to; stop instead of hanging."""


@dataclass(frozen=True)
class RetryPolicy:
    """Which requests are re-sent, how long to wait before each, and when to give up."""

    first: float = DEFAULT_FIRST_BACKOFF
    cap: float = DEFAULT_FIRST_BACKOFF * CAP_SCALE
    budget: float = DEFAULT_FIRST_BACKOFF * BUDGET_SCALE
    max_retries: int | None = None
    retry_after_max: float = DEFAULT_RETRY_AFTER_MAX
    statuses: frozenset[int] = RETRY_STATUSES
    methods: frozenset[str] = frozenset({"GET", "HEAD"})

    @classmethod
    def scaled(cls, first: float = DEFAULT_FIRST_BACKOFF, *, cap: float | None = None,
               budget: float | None = None, **fields: object) -> RetryPolicy:
        """A policy whose cap and budget follow ``first`` unless given."""
        return cls(first=first, cap=first * CAP_SCALE if cap is None else cap,
                   budget=first * BUDGET_SCALE if budget is None else budget,
                   **fields)  # type: ignore[arg-type]

    def applies_to(self, method: str | None) -> bool:
        return (method or "GET").upper() in self.methods

    def may_retry(self, retries_done: int, elapsed: float) -> bool:
        """Another attempt is allowed while the budget lasts and the count cap is not reached."""
        if self.max_retries is not None and retries_done >= self.max_retries:
            return False
        return elapsed < self.budget

    def backoff(self, retry: int) -> float:
        """Seconds before re-send ``retry`` (1 = the first): first, 2x, 4x ... cap, plus jitter."""
        base = min(self.cap, self.first * 2 ** max(retry - 1, 0))
        return base * (1 + random.uniform(0, JITTER))

    def wait(self, retry: int, headers: Mapping[str, str] | None = None,
             now: datetime | None = None) -> float:
        """The server's ``Retry-After`` when it is usable, else the backoff."""
        asked = retry_after(headers.get("Retry-After") if headers else None, now)
        if asked is None:
            return self.backoff(retry)
        if asked > self.retry_after_max:
            raise RetryAfterTooLong(f"server asked to wait {asked:.0f}s, above the "
                                    f"{self.retry_after_max:.0f}s limit")
        return asked


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` value; None when absent, <= 0, in the past or malformed."""
    if value is None:
        return None
    text = value.strip()
    if DELAY_SECONDS.fullmatch(text):
        seconds = int(text)
        return float(seconds) if seconds > 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return delta if delta > 0 else None
