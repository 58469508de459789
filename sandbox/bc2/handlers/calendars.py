"""Calendars, their events, project calendar events, and the account-wide date window."""

from __future__ import annotations

from datetime import date
from typing import Any

from sandbox.bc2.handlers.common import (
    WINDOW,
    Ctx,
    HttpError,
    Listing,
    Rows,
    bucket_events,
    find_calendar_event,
    find_project,
    live_people,
    not_found,
    published,
)
from sandbox.bc2.recurrence import day_of, is_upcoming, occurrences, sort_key


def calendars(ctx: Ctx) -> Rows:
    def rows() -> Listing:
        found = sorted(ctx.acct.calendars.values(), key=lambda c: (c.name.lower(), c.id))
        return Listing(found, ctx.render.calendar_row)

    return rows


def calendar(ctx: Ctx, calendar: int) -> dict[str, Any]:
    found = ctx.acct.calendars.get(calendar)
    if found is None:
        raise not_found()
    return ctx.render.calendar_member(
        found, live_people(ctx, found.access_ids),
        bucket_events(ctx, ("Calendar", found.id)),
    )


def window(ctx: Ctx) -> tuple[date, date]:
    try:
        first = date.fromisoformat(ctx.query["start_date"])
        raw_end = ctx.query.get("end_date")
        last = date.fromisoformat(raw_end) if raw_end else first + WINDOW
    except ValueError:
        raise HttpError(400, "Invalid start_date or end_date") from None
    if last < first:
        raise HttpError(400, "end_date is before start_date")
    return first, min(last, first + WINDOW)


def window_rows(ctx: Ctx, buckets: list[tuple[str, int]]) -> Rows:
    first, last = window(ctx)

    def rows() -> Listing:
        items: list[tuple[Any, ...]] = []
        for bucket in buckets:
            for event in bucket_events(ctx, bucket):
                in_window = (day_of(event.starts_at) <= last
                             and day_of(event.ends_at) >= first)
                if event.recurring is None:
                    if in_window:
                        items.append((sort_key(event.starts_at), 0, event.id, 0, event))
                    continue
                if first <= day_of(event.starts_at) <= last:
                    items.append((sort_key(event.starts_at), 0, event.id, 0, event))
                for number, starts, ends in occurrences(event, first, last):
                    items.append((sort_key(starts), 1, event.id, number,
                                  (event, number, starts, ends)))
        items.sort(key=lambda item: item[:4])
        return Listing([item[4] for item in items], render)

    def render(item: Any) -> Any:
        if isinstance(item, tuple):
            return ctx.render.occurrence_row(*item)
        return ctx.render.calendar_event_row(item)

    return rows


def timeline(ctx: Ctx, bucket: tuple[str, int], past: bool) -> Rows:
    if not past and "start_date" in ctx.query:
        return window_rows(ctx, [bucket])
    now = ctx.acct.now

    def rows() -> Listing:
        chosen = [e for e in bucket_events(ctx, bucket) if is_upcoming(e, now) != past]
        chosen.sort(key=lambda e: (sort_key(e.starts_at), e.id), reverse=past)
        return Listing(chosen, ctx.render.calendar_event_row)

    return rows


def calendar_events_window(ctx: Ctx) -> Rows:
    if "start_date" not in ctx.query:
        raise HttpError(400, "start_date is required")
    buckets = [("Project", p.id) for p in published(ctx)]
    buckets += [("Calendar", c.id) for c in ctx.acct.calendars.values()]
    return window_rows(ctx, buckets)


def project_calendar_events(ctx: Ctx, project: int) -> Rows:
    return timeline(ctx, ("Project", find_project(ctx, project).id), past=False)


def project_calendar_events_past(ctx: Ctx, project: int) -> Rows:
    return timeline(ctx, ("Project", find_project(ctx, project).id), past=True)


def project_calendar_event(ctx: Ctx, project: int, event: int) -> Any:
    find_project(ctx, project)
    found = find_calendar_event(ctx, ("Project", project), event)
    return ctx.render.calendar_event_member(found)


def calendar_bucket(ctx: Ctx, calendar: int) -> tuple[str, int]:
    if calendar not in ctx.acct.calendars:
        raise not_found()
    return "Calendar", calendar


def calendar_calendar_events(ctx: Ctx, calendar: int) -> Rows:
    return timeline(ctx, calendar_bucket(ctx, calendar), past=False)


def calendar_calendar_events_past(ctx: Ctx, calendar: int) -> Rows:
    return timeline(ctx, calendar_bucket(ctx, calendar), past=True)


def calendar_calendar_event(ctx: Ctx, calendar: int, event: int) -> Any:
    found = find_calendar_event(ctx, calendar_bucket(ctx, calendar), event)
    return ctx.render.calendar_event_member(found)
