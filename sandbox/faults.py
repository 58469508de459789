"""Deterministic fault injection: which request gets which failure.

Faults are planned here and acted out by the server. ``inject`` queues one-shot faults for the
next matching requests (first queued rule wins); a ``rate`` adds random faults drawn from a
seeded generator, so a run with the same request sequence sees the same faults.

The XML kinds (``bomb``, ``envelope500``) only make sense for the XML APIs (Backpack); a plan
accepts them only when its ``allowed`` kinds include them, so BC2 plans are unchanged.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

STATUS_FAULTS = ("500", "502", "503", "504", "429")
FAULT_KINDS = (*STATUS_FAULTS, "truncated", "html", "reset", "slow")
XML_FAULT_KINDS = ("bomb", "envelope500")


@dataclass
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    remaining: int


class FaultPlan:
    """Queue of injected faults plus an optional random fault rate."""

    def __init__(
        self,
        rate: float = 0.0,
        seed: int = 0,
        kinds: Sequence[str] | None = None,
        allowed: Sequence[str] = FAULT_KINDS,
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("fault rate must be within [0, 1]")
        self.rate = rate
        self.allowed = tuple(allowed)
        self.kinds = tuple(kinds) if kinds else FAULT_KINDS
        for kind in self.kinds:
            _check_kind(kind, self.allowed)
        self._rng = random.Random(seed)
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()

    def inject(self, kind: str, path_regex: str = ".*", times: int = 1) -> None:
        """Give the next ``times`` requests whose path matches ``path_regex`` this fault."""
        _check_kind(kind, self.allowed)
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._rules.append(_Rule(kind, re.compile(path_regex), times))

    def clear(self) -> None:
        """Drop every queued fault."""
        with self._lock:
            self._rules.clear()

    def draw(self, path: str) -> str | None:
        """The fault for a request to ``path``, consuming it, or None."""
        with self._lock:
            for rule in self._rules:
                if rule.pattern.search(path):
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                    return rule.kind
            if self.rate and self._rng.random() < self.rate:
                return self._rng.choice(self.kinds)
        return None


def _check_kind(kind: str, allowed: Sequence[str] = FAULT_KINDS) -> None:
    if kind not in allowed:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {tuple(allowed)}")
