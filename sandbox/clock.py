"""The fixed reference "now" and US Eastern time, shared by the fakes that live in that zone.

BC2 renders local times with Eastern offsets and Backpack's ws times are Eastern wall-clock
times; both accounts are generated around the same reference moment, so nothing reads the
wall clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

REFERENCE_NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)

_EST = timedelta(hours=-5)
_EDT = timedelta(hours=-4)


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    first_sunday = first + timedelta(days=(6 - first.weekday()) % 7)
    return first_sunday + timedelta(weeks=n - 1)


def eastern_offset(moment: datetime) -> timedelta:
    """UTC offset of US Eastern time at ``moment`` (DST from 2nd Sunday of March to 1st of Nov)."""
    utc = moment.astimezone(UTC)
    start = datetime.combine(_nth_sunday(utc.year, 3, 2), time(7), tzinfo=UTC)
    end = datetime.combine(_nth_sunday(utc.year, 11, 1), time(6), tzinfo=UTC)
    return _EDT if start <= utc < end else _EST


def to_local(moment: datetime) -> datetime:
    """The same instant expressed in the account's local offset."""
    return moment.astimezone(timezone(eastern_offset(moment)))
