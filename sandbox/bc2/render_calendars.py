"""Basecamp 2 response shapes: calendars, calendar events and their expanded recurrences."""

from __future__ import annotations

from datetime import date, datetime

from sandbox.bc2.records import Calendar, CalendarEvent, Person
from sandbox.bc2.render_base import JsonObj, RendererBase, slugify, when
from sandbox.bc2.time import format_day, format_optional, format_timestamp


class CalendarRendering(RendererBase):
    """Calendars, calendar events and the occurrences of recurring ones."""

    def calendar_paths(self, calendar: Calendar, suffix: str = "") -> tuple[str, str]:
        return self.urls.pair(f"/calendars/{calendar.id}-{slugify(calendar.name)}{suffix}")

    def calendar_row(self, calendar: Calendar) -> JsonObj:
        url, app_url = self.calendar_paths(calendar)
        return {"id": calendar.id, "name": calendar.name,
                "updated_at": format_timestamp(calendar.updated_at), "color": calendar.color,
                "url": url, "app_url": app_url}

    def calendar_member(
        self, calendar: Calendar, accesses: list[Person], events: list[CalendarEvent]
    ) -> JsonObj:
        accesses_url, accesses_app_url = self.calendar_paths(calendar, "/accesses")
        upcoming, _ = self.calendar_paths(calendar, "/calendar_events")
        past, _ = self.calendar_paths(calendar, "/calendar_events/past")
        return {
            "id": calendar.id, "name": calendar.name,
            "created_at": format_timestamp(calendar.created_at),
            "updated_at": format_timestamp(calendar.updated_at), "color": calendar.color,
            "creator": self.creator(calendar.creator_id),
            "accesses": {
                "count": len(accesses),
                "updated_at": format_optional(max((p.updated_at for p in accesses), default=None)),
                "url": accesses_url, "app_url": accesses_app_url,
            },
            "calendar_events": {
                "count": len(events),
                "updated_at": format_optional(max((e.updated_at for e in events), default=None)),
                "urls": {"upcoming": upcoming, "past": past},
            },
        }

    def _recurring(self, event: CalendarEvent) -> JsonObj:
        rule = event.recurring
        assert rule is not None
        return {"frequency": rule.frequency, "count": rule.count,
                "until": format_day(rule.until) if rule.until else None,
                "excluding": list(rule.excluding)}

    def calendar_event_row(self, event: CalendarEvent) -> JsonObj:
        url, app_url = self.urls.pair(self.record_path(event))
        row: JsonObj = {
            "id": event.id, "summary": event.summary, "description": event.description,
            "created_at": format_timestamp(event.created_at),
            "updated_at": format_timestamp(event.updated_at),
            "all_day": event.all_day, "starts_at": when(event.starts_at),
            "ends_at": when(event.ends_at),
            "comments_count": len(self.index.comments_of(event)),
            "private": event.private, "trashed": event.trashed,
            "creator": self.creator(event.creator_id),
        }
        if event.recurring is not None:
            row["recurring"] = self._recurring(event)
        row.update({"url": url, "app_url": app_url})
        return row

    def calendar_event_member(self, event: CalendarEvent) -> JsonObj:
        member = self.calendar_event_row(event)
        del member["comments_count"]
        member["comments"] = self.comments(event)
        member["subscribers"] = self.subscribers(event)
        return member

    def occurrence_row(
        self, event: CalendarEvent, number: int, starts: date | datetime, ends: date | datetime
    ) -> JsonObj:
        """An expanded recurrence: no id/url/timestamps; the first one also lacks a count."""
        url, app_url = self.urls.pair(self.record_path(event))
        row: JsonObj = {
            "summary": event.summary, "description": event.description,
            "all_day": event.all_day, "starts_at": when(starts), "ends_at": when(ends),
        }
        if number > 1:
            row["comments_count"] = len(self.index.comments_of(event))
        row.update({
            "private": event.private, "trashed": event.trashed,
            "creator": self.creator(event.creator_id),
            "recurrence": {"number": number,
                           "master": {"id": event.id, "url": url, "app_url": app_url}},
        })
        return row
