"""Clock and timestamp formatting for the Basecamp 2 fake.

BC2 renders times in the account's local zone, not UTC: the official examples carry -05:00 and
-04:00 offsets and mix whole-second with ``.000`` forms. The fake reproduces both (US Eastern
time with daylight saving; ``.000`` for moments from 2013 on) so a client has to parse offsets
instead of assuming UTC. Nothing here reads the wall clock: "now" is a fixed reference.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timezone

from sandbox.clock import eastern_offset, to_local

MILLIS_FROM = datetime(2013, 1, 1, tzinfo=UTC)


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
