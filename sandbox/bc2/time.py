"""Clock and timestamp formatting for the Basecamp 2 fake.

BC2 renders times in the account's local zone, not UTC: the official examples carry -05:00 and
-04:00 offsets and mix whole-second with ``.000`` forms. The fake reproduces both (US Eastern
time with daylight saving; ``.000`` for moments from 2013 on) so a client has to parse offsets
instead of assuming UTC. Nothing here reads the wall clock: "now" is a fixed reference.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

REFERENCE_NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
MILLIS_FROM = datetime(2013, 1, 1, tzinfo=UTC)

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


def local_day(moment: datetime) -> date:
    """Calendar day of ``moment`` in the account's zone."""
    return to_local(moment).date()


def start_of_day(day: date) -> datetime:
    """First instant of a local calendar day, as an aware datetime."""
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    return datetime.combine(day, time(0), tzinfo=timezone(eastern_offset(noon)))


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 with a local offset; ``.000`` milliseconds for moments from 2013 on."""
    spec = "milliseconds" if moment >= MILLIS_FROM else "seconds"
    return to_local(moment).isoformat(timespec=spec)


def format_optional(moment: datetime | None) -> str | None:
    """``format_timestamp`` that passes ``None`` through (summary counters may be empty)."""
    return None if moment is None else format_timestamp(moment)


def format_day(day: date) -> str:
    """Date-only form used by ``due_at`` and all-day calendar events."""
    return day.isoformat()


def parse_timestamp(text: str) -> datetime:
    """Parse a client-supplied ISO 8601 timestamp; naive values are taken as UTC.

    Raises ValueError for anything unparseable, including a ``+`` offset that arrived as a
    space because the client forgot to percent-encode it.
    """
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
