"""What every BC2 handler shares: the per-request context, listings, errors and lookups.

A handler takes the ``Ctx`` and the route's path parameters and returns a member (a dict) or
``Rows``, a deferred ``Listing`` the app caches per data revision and pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.bc2.model import Bc2Account, Index
from sandbox.bc2.records import PUBLISHED_STATES, TRASHED, CalendarEvent, Event, Person, Project
from sandbox.bc2.render import Renderer
from sandbox.bc2.render_base import Urls
from sandbox.bc2.time import parse_timestamp

WINDOW = timedelta(weeks=6)

SORTS: dict[str, dict[str, tuple[Callable[[Any], Any], bool]]] = {
    "attachments": {
        "az": (lambda a: (a.name.lower(), a.id), False),
        "za": (lambda a: (a.name.lower(), a.id), True),
        "biggest": (lambda a: (a.byte_size, a.id), True),
        "smallest": (lambda a: (a.byte_size, a.id), False),
        "newest": (lambda a: (a.created_at, a.id), True),
        "oldest": (lambda a: (a.created_at, a.id), False),
    },
    "documents": {
        "az": (lambda d: (d.title.lower(), d.id), False),
        "za": (lambda d: (d.title.lower(), d.id), True),
        "newest": (lambda d: (d.updated_at, d.id), True),
        "oldest": (lambda d: (d.updated_at, d.id), False),
    },
    "forwards": {
        "az": (lambda f: (f.subject.lower(), f.id), False),
        "za": (lambda f: (f.subject.lower(), f.id), True),
        "newest": (lambda f: (f.created_at, f.id), True),
        "oldest": (lambda f: (f.created_at, f.id), False),
    },
}


@dataclass(frozen=True)
class Listing:
    """Filtered, sorted records of a collection and how to render one of them.

    Listings are cached per data revision; only the rows of the page served get rendered.
    """

    items: list[Any]
    render: Callable[[Any], Any]


Rows = Callable[[], Listing]


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def not_found() -> HttpError:
    return HttpError(404, "Not Found")


class Ctx:
    """Per-request view of the data: one index revision, a renderer, the URLs and the query."""

    def __init__(self, account: Bc2Account, urls: Urls, query: Mapping[str, str]) -> None:
        self.acct = account
        self.index: Index = account.index()
        self.urls = urls
        self.render = Renderer(account, self.index, urls)
        self.query = query


def find_project(ctx: Ctx, project: int) -> Project:
    found = ctx.acct.projects.get(project)
    if found is None or found.state == TRASHED:
        raise not_found()
    return found


def find_child(ctx: Ctx, table: str, record_id: int, project: int) -> Any:
    find_project(ctx, project)
    record = getattr(ctx.acct, table).get(record_id)
    if record is None or record.project_id != project:
        raise not_found()
    return record


def find_person(ctx: Ctx, person: int) -> Person:
    found = ctx.acct.people.get(person)
    if found is None:
        raise not_found()
    return found


def find_calendar_event(ctx: Ctx, bucket: tuple[str, int], event: int) -> Any:
    found = ctx.acct.calendar_events.get(event)
    if found is None or (found.bucket_type, found.bucket_id) != bucket:
        raise not_found()
    return found


def published(ctx: Ctx) -> list[Project]:
    chosen = [p for p in ctx.acct.projects.values() if p.state in PUBLISHED_STATES]
    return sorted(chosen, key=lambda p: (p.name.lower(), p.id))


def bucket_live(ctx: Ctx, bucket_type: str, bucket_id: int) -> bool:
    if bucket_type == "Calendar":
        return bucket_id in ctx.acct.calendars
    project = ctx.acct.projects.get(bucket_id)
    return project is not None and project.state in PUBLISHED_STATES


def live_people(ctx: Ctx, ids: tuple[int, ...]) -> list[Person]:
    people = (ctx.acct.people.get(pid) for pid in ids)
    return sorted((p for p in people if p and not p.trashed), key=lambda p: (p.name, p.id))


def since_param(ctx: Ctx) -> datetime | None:
    raw = ctx.query.get("since")
    if not raw:
        return None
    try:
        return parse_timestamp(raw)
    except ValueError:
        raise HttpError(400, "Invalid since timestamp") from None


def due_since_param(ctx: Ctx) -> date | None:
    raw = ctx.query.get("due_since")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise HttpError(400, "Invalid due_since date") from None


def sort_by(ctx: Ctx, kind: str, records: list[Any]) -> list[Any]:
    sorts = SORTS[kind]
    key, reverse = sorts.get(ctx.query.get("sort", "newest"), sorts["newest"])
    return sorted(records, key=key, reverse=reverse)


def bucket_events(ctx: Ctx, bucket: tuple[str, int]) -> list[CalendarEvent]:
    return [e for e in ctx.index.calendar_events_by_bucket.get(bucket, []) if not e.trashed]


def visible_events(
    ctx: Ctx, events: list[Event], since: datetime | None, any_bucket: bool = False
) -> list[Event]:
    """Events newer than ``since`` whose bucket is listed and whose subject still exists."""
    return [
        e for e in events
        if (since is None or e.created_at > since)
        and (any_bucket or bucket_live(ctx, e.bucket_type, e.bucket_id))
        and ctx.acct.lookup(e.eventable_type, e.eventable_id) is not None
    ]
