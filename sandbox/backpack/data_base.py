"""What every part of the Backpack generator shares: the random source, one id series per
record type, the account being filled and the time helpers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sandbox.backpack.model import BackpackAccount, Tag
from sandbox.backpack.sizes import SizeSpec
from sandbox.backpack.time import TIME_ZONE_NAME
from sandbox.clock import REFERENCE_NOW

ACCOUNT_START = datetime(2009, 4, 14, 15, 22, 9, tzinfo=UTC)


class Ids:
    """Increasing ids with small random gaps, one series per record type (like Rails)."""

    def __init__(self, rng: random.Random, start: int) -> None:
        self._rng = rng
        self._last = start

    def next(self) -> int:
        self._last += self._rng.randint(1, 9)
        return self._last


class GeneratorBase:
    """Generator state (random source, id series, account, tags) and the shared helpers."""

    def __init__(self, spec: SizeSpec, seed: int, account_id: int, account: str) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.ids = {
            kind: Ids(self.rng, start) for kind, start in (
                ("user", 1200), ("page", 1100), ("note", 1000), ("list", 900),
                ("item", 3300), ("gallery", 2800), ("image", 88200), ("asset", 60800),
                ("separator", 500), ("belonging", 780), ("tag", 3), ("email", 4),
                ("reminder", 4), ("status", 40), ("journal", 7000), ("bookmark", 0),
                ("calendar", 4), ("event", 20),
            )
        }
        self.acct = BackpackAccount(account_id, account, TIME_ZONE_NAME, REFERENCE_NOW)
        self.tags: list[Tag] = []

    def _id(self, kind: str) -> int:
        return self.ids[kind].next()

    def _between(self, start: datetime, end: datetime) -> datetime:
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))

    def _past(self) -> datetime:
        return self._between(ACCOUNT_START, REFERENCE_NOW - timedelta(hours=1))

    def _count(self, bounds: tuple[int, int]) -> int:
        return self.rng.randint(*bounds)

    def _lines(self, pool: tuple[str, ...], low: int, high: int) -> str:
        return "\n".join(self.rng.sample(pool, self.rng.randint(low, high)))
