"""Recurring calendar events: expanding occurrences and telling upcoming from past.

BC2 lists a recurring event once (the master, with ``recurring``) in the upcoming/past lists
and expands it into occurrence rows in the date-window form. Occurrence ``number`` is 1-based
and counts excluded numbers too (count 5 excluding [2, 3] yields 1, 4 and 5). Timed events keep
their local wall-clock time across daylight-saving changes.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone

from sandbox.bc2.model import CalendarEvent
from sandbox.bc2.time import local_day, start_of_day
from sandbox.clock import eastern_offset, to_local

_STEP_DAYS = {"daily": 1, "weekly": 7}
_STEP_MONTHS = {"monthly": 1, "yearly": 12}


def day_of(value: date | datetime) -> date:
    """Local calendar day of a date or timestamp."""
    return local_day(value) if isinstance(value, datetime) else value


def sort_key(value: date | datetime) -> datetime:
    """Comparable instant for mixed all-day and timed values."""
    return value if isinstance(value, datetime) else start_of_day(value)


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _shift_day(day: date, frequency: str, steps: int) -> date:
    if frequency in _STEP_DAYS:
        return day + timedelta(days=_STEP_DAYS[frequency] * steps)
    return _add_months(day, _STEP_MONTHS[frequency] * steps)


def shift(value: date | datetime, frequency: str, steps: int) -> date | datetime:
    """The value ``steps`` recurrences later, keeping local wall-clock time."""
    if not isinstance(value, datetime):
        return _shift_day(value, frequency, steps)
    local = to_local(value)
    day = _shift_day(local.date(), frequency, steps)
    offset = eastern_offset(datetime.combine(day, time(12), tzinfo=UTC))
    return datetime.combine(day, local.time(), tzinfo=timezone(offset)).astimezone(UTC)


def _first_candidate(event: CalendarEvent, first_day: date) -> int:
    """A 1-based number safely before the window, to skip years of daily recurrences."""
    rule = event.recurring
    assert rule is not None
    start = day_of(event.starts_at)
    if rule.frequency in _STEP_DAYS:
        steps = (first_day - start).days // _STEP_DAYS[rule.frequency]
    else:
        months = (first_day.year - start.year) * 12 + first_day.month - start.month
        steps = months // _STEP_MONTHS[rule.frequency]
    return max(1, steps - 1)


def occurrences(
    event: CalendarEvent, first_day: date, last_day: date
) -> Iterator[tuple[int, date | datetime, date | datetime]]:
    """(number, starts_at, ends_at) of every occurrence overlapping the inclusive window."""
    rule = event.recurring
    assert rule is not None
    number = _first_candidate(event, first_day)
    while rule.count is None or number <= rule.count:
        starts = shift(event.starts_at, rule.frequency, number - 1)
        if (rule.until is not None and day_of(starts) > rule.until) or day_of(starts) > last_day:
            return
        ends = shift(event.ends_at, rule.frequency, number - 1)
        if number not in rule.excluding and day_of(ends) >= first_day:
            yield number, starts, ends
        number += 1


def last_end(event: CalendarEvent) -> date | datetime | None:
    """End of the final occurrence; None for a recurrence without end."""
    rule = event.recurring
    if rule is None:
        return event.ends_at
    if rule.count is not None:
        return shift(event.ends_at, rule.frequency, rule.count - 1)
    if rule.until is None:
        return None
    final = None
    for number, _, ends in occurrences(event, day_of(event.starts_at), rule.until):
        final = (number, ends)
    return final[1] if final else event.ends_at


def is_upcoming(event: CalendarEvent, now: datetime) -> bool:
    """Upcoming while any occurrence has not ended yet."""
    end = last_end(event)
    if end is None:
        return True
    if isinstance(end, datetime):
        return end >= now
    return end >= local_day(now)
