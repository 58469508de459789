"""Basecamp 2 (BCX) routes: which rows each GET endpoint returns, filtered, sorted and paged.

Behaviour the docs leave open, decided here:

- ``/projects.json`` and ``/people.json`` ignore ``page`` and always return everything (bcx-api
  issues #224/#210); every other collection pages at 50 and answers ``[]`` past the end.
- Account-wide views (events, topics, to-do lists, documents, forwards, attachments, tags,
  calendar window, assigned to-dos) cover active and archived projects; drafts and templates
  are reachable only through their own project endpoints; a trashed project answers 404
  everywhere and shows up only in ``/people/{id}/projects.json``.
- Members of trashed to-dos and to-do lists are served with ``trashed: true``.
- ``since`` is optional on events (without it, everything); an unparseable one (for instance a
  ``+`` offset sent unencoded, which arrives as a space) is a 400. Date windows longer than six
  weeks are silently clamped to six weeks, as the API documents its limit; ``start_date`` is
  required on the account-wide calendar endpoint.
- An unknown ``sort`` value falls back to the default (newest).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

from sandbox.bc2.model import Bc2Account, Index, todolist_completed
from sandbox.bc2.records import (
    ACTIVE,
    ARCHIVED,
    DRAFT,
    PUBLISHED_STATES,
    TEMPLATE,
    TRASHED,
    Attachment,
    CalendarEvent,
    Commentable,
    Event,
    Person,
    Project,
    Todo,
    Todolist,
)
from sandbox.bc2.recurrence import day_of, is_upcoming, occurrences, sort_key
from sandbox.bc2.render import Renderer
from sandbox.bc2.render_base import DUPLICATE_CREATED_AT, Urls, topic_updated_at
from sandbox.bc2.time import format_timestamp, parse_timestamp
from sandbox.contract import COLLECTION, MEMBER, TEXT_TYPE, AppResult, Target
from sandbox.httpcache import max_updated_at

PAGE_SIZE = 50
WINDOW = timedelta(weeks=6)
_LISTING_CACHE_SIZE = 512

_ACCOUNT_PATH = re.compile(r"^/(\d+)/api/v1/(.*)$")
_DOWNLOAD = re.compile(r"^projects/(\d+)/attachments/(\d+)/([0-9a-f]+)/original/([^/]+)$")
_ID = re.compile(r"^(\d+)(?:-[^/]*)?$")

# (pattern, handler, mode). Mode: member, paged, or whole (ignores ``page``).
ROUTES: tuple[tuple[str, str, str], ...] = (
    ("projects", "projects_active", "whole"),
    ("projects/drafts", "projects_drafts", "paged"),
    ("projects/archived", "projects_archived", "paged"),
    ("projects/{project}", "project", "member"),
    ("project_templates", "project_templates", "paged"),
    ("stars", "stars", "paged"),
    ("people", "people", "whole"),
    ("people/trashed", "people_trashed", "paged"),
    ("people/me", "person_me", "member"),
    ("people/{person}", "person", "member"),
    ("people/{person}/projects", "person_projects", "paged"),
    ("people/{person}/events", "person_events", "paged"),
    ("people/{person}/assigned_todos", "person_assigned_todos", "paged"),
    ("projects/{project}/accesses", "project_accesses", "paged"),
    ("calendars/{calendar}/accesses", "calendar_accesses", "paged"),
    ("groups", "groups", "paged"),
    ("groups/{group}", "group", "member"),
    ("groups/{group}/subgroups/{subgroup}", "subgroup", "member"),
    ("events", "events", "paged"),
    ("projects/{project}/events", "project_events", "paged"),
    ("topics", "topics", "paged"),
    ("topics/archived", "topics_archived", "paged"),
    ("projects/{project}/topics", "project_topics", "paged"),
    ("projects/{project}/topics/archived", "project_topics_archived", "paged"),
    ("projects/{project}/messages/{message}", "message", "member"),
    ("todolists", "todolists", "paged"),
    ("todolists/completed", "todolists_completed", "paged"),
    ("todolists/trashed", "todolists_trashed", "paged"),
    ("projects/{project}/todolists", "project_todolists", "paged"),
    ("projects/{project}/todolists/completed", "project_todolists_completed", "paged"),
    ("projects/{project}/todolists/trashed", "project_todolists_trashed", "paged"),
    ("projects/{project}/todolists/{todolist}", "todolist", "member"),
    ("projects/{project}/todolists/{todolist}/todos", "list_todos", "paged"),
    ("projects/{project}/todolists/{todolist}/todos/completed", "list_todos_completed", "paged"),
    ("projects/{project}/todolists/{todolist}/todos/remaining", "list_todos_remaining", "paged"),
    ("projects/{project}/todolists/{todolist}/todos/trashed", "list_todos_trashed", "paged"),
    ("projects/{project}/todos", "project_todos", "paged"),
    ("projects/{project}/todos/completed", "project_todos_completed", "paged"),
    ("projects/{project}/todos/remaining", "project_todos_remaining", "paged"),
    ("projects/{project}/todos/{todo}", "todo", "member"),
    ("documents", "documents", "paged"),
    ("projects/{project}/documents", "project_documents", "paged"),
    ("projects/{project}/documents/{document}", "document", "member"),
    ("forwards", "forwards", "paged"),
    ("projects/{project}/forwards", "project_forwards", "paged"),
    ("projects/{project}/forwards/{forward}", "forward", "member"),
    ("attachments", "attachments", "paged"),
    ("projects/{project}/attachments", "project_attachments", "paged"),
    ("projects/{project}/attachments/{attachment}", "attachment", "member"),
    ("projects/{project}/uploads/{upload}", "upload", "member"),
    ("tags/{tag}/attachments", "tag_attachments", "paged"),
    ("projects/{project}/tags/{tag}/attachments", "project_tag_attachments", "paged"),
    ("calendars", "calendars", "paged"),
    ("calendars/{calendar}", "calendar", "member"),
    ("calendar_events", "calendar_events_window", "paged"),
    ("projects/{project}/calendar_events", "project_calendar_events", "paged"),
    ("projects/{project}/calendar_events/past", "project_calendar_events_past", "paged"),
    ("projects/{project}/calendar_events/{event}", "project_calendar_event", "member"),
    ("calendars/{calendar}/calendar_events", "calendar_calendar_events", "paged"),
    ("calendars/{calendar}/calendar_events/past", "calendar_calendar_events_past", "paged"),
    ("calendars/{calendar}/calendar_events/{event}", "calendar_calendar_event", "member"),
)

_SORTS: dict[str, dict[str, tuple[Callable[[Any], Any], bool]]] = {
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


class _HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _not_found() -> _HttpError:
    return _HttpError(404, "Not Found")


def encode(data: Any) -> bytes:
    """Compact UTF-8 JSON; turns the duplicate-key placeholder into a real repeated key."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    marker = json.dumps(DUPLICATE_CREATED_AT)
    if marker in text:
        text = text.replace(marker, '"created_at"')
    return text.encode("utf-8")


def text_result(status: int, message: str) -> AppResult:
    """A short plain-text error answer (no error body format is documented)."""
    return AppResult(status=status, body=(message + "\n").encode(), content_type=TEXT_TYPE)


def _match(parts: list[str], segments: list[str]) -> dict[str, Any] | None:
    """Path parameters when ``segments`` fit the route ``parts``; ids may carry a slug."""
    if len(parts) != len(segments):
        return None
    params: dict[str, Any] = {}
    for part, segment in zip(parts, segments, strict=True):
        if not part.startswith("{"):
            if part != segment:
                return None
            continue
        name = part[1:-1]
        if name == "tag":
            params[name] = segment
            continue
        found = _ID.match(segment)
        if not found:
            return None
        params[name] = int(found.group(1))
    return params


class _Ctx:
    """Per-request view of the data: one index revision, a renderer and the query."""

    def __init__(self, app: Bc2App, query: Mapping[str, str]) -> None:
        self.acct = app.account
        self.index: Index = app.account.index()
        self.render = Renderer(self.acct, self.index, app.urls)
        self.query = query


class Bc2App:
    """The BC2 ``ApiApp``: routes, filters, sorting and pagination over a ``Bc2Account``."""

    def __init__(self, account: Bc2Account) -> None:
        self.account = account
        self.account_id = account.account_id
        self.urls = Urls.for_origin("http://127.0.0.1", "http://localhost", account.account_id)
        self._routes = [(p.split("/"), handler, mode) for p, handler, mode in ROUTES]
        self._cache: OrderedDict[tuple, list[Any]] = OrderedDict()
        self._cache_revision = -1
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------------ ApiApp protocol
    def bind(self, origin: str, asset_origin: str) -> None:
        self.urls = Urls.for_origin(origin, asset_origin, self.account_id)
        with self._cache_lock:
            self._cache.clear()

    def target(self, path: str) -> Target:
        if path == "/authorization.json":
            return Target(account=None)
        found = _ACCOUNT_PATH.match(path)
        if not found:
            leading = re.match(r"^/(\d+)(?:/|$)", path)
            return Target(account=int(leading.group(1)) if leading else None, status=404)
        account = int(found.group(1))
        if account != self.account_id:
            return Target(account=account, status=404)
        rest = found.group(2)
        if _DOWNLOAD.match(rest) or rest.endswith(".json"):
            return Target(account=account)
        return Target(account=account, status=415)

    def fallback_last_modified(self) -> datetime:
        return self.account.index().data_timestamp or self.account.now

    def respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        try:
            return self._respond(path, query)
        except _HttpError as error:
            return text_result(error.status, error.message)

    # ------------------------------------------------------------------ dispatch
    def _respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        ctx = _Ctx(self, query)
        if path == "/authorization.json":
            return self._json(self._launchpad(ctx), MEMBER)
        found = _ACCOUNT_PATH.match(path)
        if not found:
            raise _not_found()
        rest = found.group(2)
        download = _DOWNLOAD.match(rest)
        if download:
            project, attachment, key, _ = download.groups()
            return self._download(ctx, int(project), int(attachment), key)
        segments = [unquote(s) for s in rest.removesuffix(".json").split("/")]
        for parts, handler, mode in self._routes:
            params = _match(parts, segments)
            if params is None:
                continue
            result = getattr(self, "_route_" + handler)(ctx, **params)
            if mode == "member":
                return self._json(result, MEMBER)
            rows = self._cached(ctx, handler, params, result)
            return self._page(rows, query, whole=mode == "whole")
        raise _not_found()

    def _cached(self, ctx: _Ctx, handler: str, params: dict[str, Any], rows: Rows) -> Listing:
        """The listing, memoised per data revision so deep paging stays cheap."""
        query = tuple(sorted((k, v) for k, v in ctx.query.items() if k != "page"))
        key = (handler, tuple(sorted(params.items())), query)
        revision = ctx.index.revision
        with self._cache_lock:
            if self._cache_revision != revision:
                self._cache.clear()
                self._cache_revision = revision
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        built = rows()
        with self._cache_lock:
            if self._cache_revision == revision:
                self._cache[key] = built
                if len(self._cache) > _LISTING_CACHE_SIZE:
                    self._cache.popitem(last=False)
        return built

    def _json(self, data: Any, kind: str, total: int = 1, whole: bool = False) -> AppResult:
        return AppResult(status=200, body=encode(data), kind=kind, total=total,
                         page_ignored=whole, last_modified=max_updated_at(data))

    def _page(self, listing: Listing, query: Mapping[str, str], whole: bool) -> AppResult:
        total = len(listing.items)
        if whole:
            rows = [listing.render(item) for item in listing.items]
            return self._json(rows, COLLECTION, total=total, whole=True)
        try:
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            page = 1
        start = (page - 1) * PAGE_SIZE
        rows = [listing.render(item) for item in listing.items[start:start + PAGE_SIZE]]
        return self._json(rows, COLLECTION, total=total)

    # ------------------------------------------------------------------ lookups and filters
    def _find_project(self, ctx: _Ctx, project: int) -> Project:
        found = ctx.acct.projects.get(project)
        if found is None or found.state == TRASHED:
            raise _not_found()
        return found

    def _find_child(self, ctx: _Ctx, table: str, record_id: int, project: int) -> Any:
        self._find_project(ctx, project)
        record = getattr(ctx.acct, table).get(record_id)
        if record is None or record.project_id != project:
            raise _not_found()
        return record

    def _find_person(self, ctx: _Ctx, person: int) -> Person:
        found = ctx.acct.people.get(person)
        if found is None:
            raise _not_found()
        return found

    def _find_calendar_event(self, ctx: _Ctx, bucket: tuple[str, int], event: int) -> Any:
        found = ctx.acct.calendar_events.get(event)
        if found is None or (found.bucket_type, found.bucket_id) != bucket:
            raise _not_found()
        return found

    def _published(self, ctx: _Ctx) -> list[Project]:
        chosen = [p for p in ctx.acct.projects.values() if p.state in PUBLISHED_STATES]
        return sorted(chosen, key=lambda p: (p.name.lower(), p.id))

    def _bucket_live(self, ctx: _Ctx, bucket_type: str, bucket_id: int) -> bool:
        if bucket_type == "Calendar":
            return bucket_id in ctx.acct.calendars
        project = ctx.acct.projects.get(bucket_id)
        return project is not None and project.state in PUBLISHED_STATES

    def _live_people(self, ctx: _Ctx, ids: tuple[int, ...]) -> list[Person]:
        people = (ctx.acct.people.get(pid) for pid in ids)
        return sorted((p for p in people if p and not p.trashed), key=lambda p: (p.name, p.id))

    def _since(self, ctx: _Ctx) -> datetime | None:
        raw = ctx.query.get("since")
        if not raw:
            return None
        try:
            return parse_timestamp(raw)
        except ValueError:
            raise _HttpError(400, "Invalid since timestamp") from None

    def _due_since(self, ctx: _Ctx) -> date | None:
        raw = ctx.query.get("due_since")
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise _HttpError(400, "Invalid due_since date") from None

    def _sorted(self, ctx: _Ctx, kind: str, records: list[Any]) -> list[Any]:
        sorts = _SORTS[kind]
        key, reverse = sorts.get(ctx.query.get("sort", "newest"), sorts["newest"])
        return sorted(records, key=key, reverse=reverse)

    # ------------------------------------------------------------------ projects & stars
    def _projects_in(self, ctx: _Ctx, states: tuple[str, ...], style: str = "list") -> Rows:
        def rows() -> Listing:
            chosen = [p for p in ctx.acct.projects.values() if p.state in states]
            if DRAFT in states:
                chosen = [p for p in chosen if p.creator_id == ctx.acct.me_id]
            chosen.sort(key=lambda p: (p.name.lower(), p.id))
            return Listing(chosen, lambda p: ctx.render.project_row(p, style))

        return rows

    def _route_projects_active(self, ctx: _Ctx) -> Rows:
        return self._projects_in(ctx, (ACTIVE,))

    def _route_projects_drafts(self, ctx: _Ctx) -> Rows:
        return self._projects_in(ctx, (DRAFT,))

    def _route_projects_archived(self, ctx: _Ctx) -> Rows:
        return self._projects_in(ctx, (ARCHIVED,))

    def _route_project_templates(self, ctx: _Ctx) -> Rows:
        return self._projects_in(ctx, (TEMPLATE,), "template")

    def _route_project(self, ctx: _Ctx, project: int) -> dict[str, Any]:
        found = self._find_project(ctx, project)
        index = ctx.index
        topics = [
            SimpleNamespace(updated_at=topic_updated_at(r, index.comments_of(r)))
            for r in self._topic_records(ctx, found.id, archived=False)
        ]
        parts = {
            "accesses": self._live_people(ctx, found.access_ids),
            "attachments": index.attachments_by_project.get(found.id, []),
            "calendar_events": self._bucket_events(ctx, ("Project", found.id)),
            "documents": [d for d in index.documents_by_project.get(found.id, [])
                          if not d.trashed],
            "topics": topics,
            "todolists": [x for x in index.todolists_by_project.get(found.id, [])
                          if not x.trashed],
        }
        return ctx.render.project_member(found, parts)

    def _route_stars(self, ctx: _Ctx) -> Rows:
        def rows() -> Listing:
            starred = [p for p in ctx.acct.projects.values()
                       if p.state == ACTIVE and p.starred_at is not None]
            starred.sort(key=lambda p: (p.starred_at, p.id), reverse=True)
            return Listing(starred, ctx.render.star)

        return rows

    # ------------------------------------------------------------------ people
    def _route_people(self, ctx: _Ctx) -> Rows:
        def rows() -> Listing:
            live = [p for p in ctx.acct.people.values() if not p.trashed]
            live.sort(key=lambda p: (p.name, p.id))
            return Listing(live, ctx.render.person_row)

        return rows

    def _route_people_trashed(self, ctx: _Ctx) -> Rows:
        def rows() -> Listing:
            gone = sorted((p for p in ctx.acct.people.values() if p.trashed),
                          key=lambda p: (p.name, p.id))
            return Listing(gone, ctx.render.person_row)

        return rows

    def _person_member(self, ctx: _Ctx, person: Person) -> dict[str, Any]:
        events = [e for e in ctx.index.events_by_creator.get(person.id, [])
                  if self._bucket_live(ctx, e.bucket_type, e.bucket_id)]
        return ctx.render.person_member(person, events, self._assigned(ctx, person.id, None))

    def _route_person_me(self, ctx: _Ctx) -> dict[str, Any]:
        return self._person_member(ctx, self._find_person(ctx, ctx.acct.me_id))

    def _route_person(self, ctx: _Ctx, person: int) -> dict[str, Any]:
        return self._person_member(ctx, self._find_person(ctx, person))

    def _route_person_projects(self, ctx: _Ctx, person: int) -> Rows:
        self._find_person(ctx, person)

        def rows() -> Listing:
            mine = [p for p in ctx.acct.projects.values() if person in p.access_ids]
            mine.sort(key=lambda p: (p.name.lower(), p.id))
            return Listing(mine, lambda p: ctx.render.project_row(p, "person"))

        return rows

    def _route_person_events(self, ctx: _Ctx, person: int) -> Rows:
        self._find_person(ctx, person)
        since = self._since(ctx)

        def rows() -> Listing:
            events = self._visible_events(ctx, ctx.index.events_by_creator.get(person, []), since)
            return Listing(events, lambda e: ctx.render.event_row(e, "person"))

        return rows

    def _assigned(self, ctx: _Ctx, person: int, due_since: date | None) -> list[Todo]:
        """Open to-dos assigned to ``person`` in published projects, in list order."""
        found: list[Todo] = []
        for project in self._published(ctx):
            for todolist in ctx.index.todolists_by_project.get(project.id, []):
                if todolist.trashed:
                    continue
                found.extend(
                    t for t in ctx.index.todos_by_list.get(todolist.id, [])
                    if t.assignee_id == person and not t.trashed and t.completed_at is None
                    and (due_since is None or (t.due_at is not None and t.due_at >= due_since))
                )
        return found

    def _route_person_assigned_todos(self, ctx: _Ctx, person: int) -> Rows:
        self._find_person(ctx, person)
        due_since = self._due_since(ctx)

        def rows() -> Listing:
            by_list: dict[int, list[Todo]] = {}
            for todo in self._assigned(ctx, person, due_since):
                by_list.setdefault(todo.todolist_id, []).append(todo)
            return Listing(list(by_list.items()),
                           lambda pair: ctx.render.assigned_row(ctx.acct.todolists[pair[0]],
                                                                pair[1]))

        return rows

    # ------------------------------------------------------------------ accesses & groups
    def _route_project_accesses(self, ctx: _Ctx, project: int) -> Rows:
        found = self._find_project(ctx, project)
        return lambda: Listing(self._live_people(ctx, found.access_ids),
                               lambda p: ctx.render.person_row(p, "access"))

    def _route_calendar_accesses(self, ctx: _Ctx, calendar: int) -> Rows:
        found = ctx.acct.calendars.get(calendar)
        if found is None:
            raise _not_found()
        return lambda: Listing(self._live_people(ctx, found.access_ids),
                               lambda p: ctx.render.person_row(p, "access"))

    def _subgroups(self, ctx: _Ctx, group_id: int) -> list[Any]:
        return sorted((g for g in ctx.acct.groups.values() if g.parent_id == group_id),
                      key=lambda g: g.id)

    def _route_groups(self, ctx: _Ctx) -> Rows:
        def rows() -> Listing:
            top = sorted((g for g in ctx.acct.groups.values() if g.parent_id is None),
                         key=lambda g: (g.name, g.id))
            return Listing(top, lambda g: ctx.render.group_row(g, self._subgroups(ctx, g.id)))

        return rows

    def _route_group(self, ctx: _Ctx, group: int) -> dict[str, Any]:
        found = ctx.acct.groups.get(group)
        if found is None or found.parent_id is not None:
            raise _not_found()
        return ctx.render.group_member(found, self._subgroups(ctx, found.id))

    def _route_subgroup(self, ctx: _Ctx, group: int, subgroup: int) -> dict[str, Any]:
        found = ctx.acct.groups.get(subgroup)
        if found is None or found.parent_id != group:
            raise _not_found()
        return ctx.render.subgroup_member(found)

    # ------------------------------------------------------------------ events
    def _visible_events(
        self, ctx: _Ctx, events: list[Event], since: datetime | None, any_bucket: bool = False
    ) -> list[Event]:
        """Events newer than ``since`` whose bucket is listed and whose subject still exists."""
        return [
            e for e in events
            if (since is None or e.created_at > since)
            and (any_bucket or self._bucket_live(ctx, e.bucket_type, e.bucket_id))
            and ctx.acct.lookup(e.eventable_type, e.eventable_id) is not None
        ]

    def _route_events(self, ctx: _Ctx) -> Rows:
        since = self._since(ctx)
        return lambda: Listing(self._visible_events(ctx, ctx.index.events_newest, since),
                               lambda e: ctx.render.event_row(e, "account"))

    def _route_project_events(self, ctx: _Ctx, project: int) -> Rows:
        found = self._find_project(ctx, project)
        since = self._since(ctx)
        events = ctx.index.events_by_bucket.get(("Project", found.id), [])
        return lambda: Listing(self._visible_events(ctx, events, since, any_bucket=True),
                               lambda e: ctx.render.event_row(e, "project"))

    # ------------------------------------------------------------------ topics & messages
    def _commentables(self, ctx: _Ctx, project_id: int) -> list[Commentable]:
        index = ctx.index
        lists = index.todolists_by_project.get(project_id, [])
        todos = [t for lst in lists if not lst.trashed for t in index.todos_by_list.get(lst.id, [])]
        return [
            *index.messages_by_project.get(project_id, []),
            *index.documents_by_project.get(project_id, []),
            *index.forwards_by_project.get(project_id, []),
            *index.uploads_by_project.get(project_id, []),
            *lists, *todos,
            *index.calendar_events_by_bucket.get(("Project", project_id), []),
        ]

    def _topic_records(self, ctx: _Ctx, project_id: int, archived: bool) -> list[Commentable]:
        return [
            r for r in self._commentables(ctx, project_id)
            if not r.trashed and r.topic_archived == archived
            and (type(r).__name__ == "Message" or ctx.index.comments_of(r))
        ]

    def _topics(self, ctx: _Ctx, projects: list[Project], archived: bool, bucket: bool) -> Rows:
        oldest = ctx.query.get("sort") == "oldest"

        def rows() -> Listing:
            records = [r for p in projects for r in self._topic_records(ctx, p.id, archived)]
            records.sort(
                key=lambda r: (topic_updated_at(r, ctx.index.comments_of(r)), r.topic_id),
                reverse=not oldest,
            )
            return Listing(records, lambda r: ctx.render.topic_row(r, bucket))

        return rows

    def _route_topics(self, ctx: _Ctx) -> Rows:
        return self._topics(ctx, self._published(ctx), archived=False, bucket=True)

    def _route_topics_archived(self, ctx: _Ctx) -> Rows:
        return self._topics(ctx, self._published(ctx), archived=True, bucket=True)

    def _route_project_topics(self, ctx: _Ctx, project: int) -> Rows:
        found = self._find_project(ctx, project)
        return self._topics(ctx, [found], archived=False, bucket=False)

    def _route_project_topics_archived(self, ctx: _Ctx, project: int) -> Rows:
        found = self._find_project(ctx, project)
        return self._topics(ctx, [found], archived=True, bucket=False)

    def _route_message(self, ctx: _Ctx, project: int, message: int) -> dict[str, Any]:
        return ctx.render.message_member(self._find_child(ctx, "messages", message, project))

    # ------------------------------------------------------------------ to-do lists
    def _lists(self, ctx: _Ctx, projects: list[Project], status: str, bucket: bool) -> Rows:
        def keep(todolist: Todolist) -> bool:
            if status == "trashed":
                return todolist.trashed
            done = todolist_completed(ctx.index.todos_by_list.get(todolist.id, []))
            return not todolist.trashed and done == (status == "completed")

        def rows() -> Listing:
            lists = [lst for p in projects for lst in ctx.index.todolists_by_project.get(p.id, [])
                     if keep(lst)]
            return Listing(lists, lambda lst: ctx.render.todolist_row(lst, bucket))

        return rows

    def _route_todolists(self, ctx: _Ctx) -> Rows:
        return self._lists(ctx, self._published(ctx), "active", bucket=True)

    def _route_todolists_completed(self, ctx: _Ctx) -> Rows:
        return self._lists(ctx, self._published(ctx), "completed", bucket=True)

    def _route_todolists_trashed(self, ctx: _Ctx) -> Rows:
        return self._lists(ctx, self._published(ctx), "trashed", bucket=True)

    def _route_project_todolists(self, ctx: _Ctx, project: int) -> Rows:
        return self._lists(ctx, [self._find_project(ctx, project)], "active", bucket=False)

    def _route_project_todolists_completed(self, ctx: _Ctx, project: int) -> Rows:
        return self._lists(ctx, [self._find_project(ctx, project)], "completed", bucket=False)

    def _route_project_todolists_trashed(self, ctx: _Ctx, project: int) -> Rows:
        return self._lists(ctx, [self._find_project(ctx, project)], "trashed", bucket=False)

    def _route_todolist(self, ctx: _Ctx, project: int, todolist: int) -> dict[str, Any]:
        found = self._find_child(ctx, "todolists", todolist, project)
        include = ctx.query.get("exclude_todos", "").lower() not in ("true", "1")
        return ctx.render.todolist_member(found, include_todos=include)

    # ------------------------------------------------------------------ to-dos
    def _todo_rows(self, ctx: _Ctx, todos: list[Todo], status: str) -> Rows:
        """``status``: all (remaining then completed), remaining, completed or trashed."""
        due_since = self._due_since(ctx) if status == "all" else None

        def rows() -> Listing:
            if status == "trashed":
                chosen = [t for t in todos if t.trashed]
            else:
                live = [t for t in todos if not t.trashed]
                remaining = [t for t in live if t.completed_at is None]
                completed = [t for t in live if t.completed_at is not None]
                chosen = {"remaining": remaining, "completed": completed}.get(
                    status, remaining + completed
                )
            if due_since is not None:
                chosen = [t for t in chosen if t.due_at is not None and t.due_at >= due_since]
            return Listing(chosen, ctx.render.todo_row)

        return rows

    def _list_todos(self, ctx: _Ctx, project: int, todolist: int, status: str) -> Rows:
        found = self._find_child(ctx, "todolists", todolist, project)
        return self._todo_rows(ctx, ctx.index.todos_by_list.get(found.id, []), status)

    def _route_list_todos(self, ctx: _Ctx, project: int, todolist: int) -> Rows:
        return self._list_todos(ctx, project, todolist, "all")

    def _route_list_todos_completed(self, ctx: _Ctx, project: int, todolist: int) -> Rows:
        return self._list_todos(ctx, project, todolist, "completed")

    def _route_list_todos_remaining(self, ctx: _Ctx, project: int, todolist: int) -> Rows:
        return self._list_todos(ctx, project, todolist, "remaining")

    def _route_list_todos_trashed(self, ctx: _Ctx, project: int, todolist: int) -> Rows:
        return self._list_todos(ctx, project, todolist, "trashed")

    def _project_todos(self, ctx: _Ctx, project: int, status: str) -> Rows:
        found = self._find_project(ctx, project)
        todos = [
            t for lst in ctx.index.todolists_by_project.get(found.id, []) if not lst.trashed
            for t in ctx.index.todos_by_list.get(lst.id, [])
        ]
        return self._todo_rows(ctx, todos, status)

    def _route_project_todos(self, ctx: _Ctx, project: int) -> Rows:
        return self._project_todos(ctx, project, "all")

    def _route_project_todos_completed(self, ctx: _Ctx, project: int) -> Rows:
        return self._project_todos(ctx, project, "completed")

    def _route_project_todos_remaining(self, ctx: _Ctx, project: int) -> Rows:
        return self._project_todos(ctx, project, "remaining")

    def _route_todo(self, ctx: _Ctx, project: int, todo: int) -> dict[str, Any]:
        return ctx.render.todo_member(self._find_child(ctx, "todos", todo, project))

    # ------------------------------------------------------------------ documents & forwards
    def _documents(self, ctx: _Ctx, projects: list[Project], bucket: bool) -> Rows:
        def rows() -> Listing:
            docs = [d for p in projects for d in ctx.index.documents_by_project.get(p.id, [])
                    if not d.trashed]
            return Listing(self._sorted(ctx, "documents", docs),
                           lambda d: ctx.render.document_row(d, bucket))

        return rows

    def _route_documents(self, ctx: _Ctx) -> Rows:
        return self._documents(ctx, self._published(ctx), bucket=True)

    def _route_project_documents(self, ctx: _Ctx, project: int) -> Rows:
        return self._documents(ctx, [self._find_project(ctx, project)], bucket=False)

    def _route_document(self, ctx: _Ctx, project: int, document: int) -> dict[str, Any]:
        return ctx.render.document_member(self._find_child(ctx, "documents", document, project))

    def _forwards(self, ctx: _Ctx, projects: list[Project], bucket: bool) -> Rows:
        def rows() -> Listing:
            found = [f for p in projects for f in ctx.index.forwards_by_project.get(p.id, [])
                     if not f.trashed]
            return Listing(self._sorted(ctx, "forwards", found),
                           lambda f: ctx.render.forward_row(f, bucket))

        return rows

    def _route_forwards(self, ctx: _Ctx) -> Rows:
        return self._forwards(ctx, self._published(ctx), bucket=True)

    def _route_project_forwards(self, ctx: _Ctx, project: int) -> Rows:
        return self._forwards(ctx, [self._find_project(ctx, project)], bucket=False)

    def _route_forward(self, ctx: _Ctx, project: int, forward: int) -> dict[str, Any]:
        return ctx.render.forward_member(self._find_child(ctx, "forwards", forward, project))

    # ------------------------------------------------------------------ attachments & uploads
    def _attachments(self, ctx: _Ctx, projects: list[Project], tag: str | None = None) -> Rows:
        wanted = tag.lower() if tag is not None else None

        def rows() -> Listing:
            found = [
                a for p in projects for a in ctx.index.attachments_by_project.get(p.id, [])
                if wanted is None or wanted in (t.lower() for t in a.tags)
            ]
            return Listing(self._sorted(ctx, "attachments", found), ctx.render.attachment_row)

        return rows

    def _route_attachments(self, ctx: _Ctx) -> Rows:
        return self._attachments(ctx, self._published(ctx))

    def _route_project_attachments(self, ctx: _Ctx, project: int) -> Rows:
        return self._attachments(ctx, [self._find_project(ctx, project)])

    def _route_tag_attachments(self, ctx: _Ctx, tag: str) -> Rows:
        return self._attachments(ctx, self._published(ctx), tag)

    def _route_project_tag_attachments(self, ctx: _Ctx, project: int, tag: str) -> Rows:
        return self._attachments(ctx, [self._find_project(ctx, project)], tag)

    def _route_attachment(self, ctx: _Ctx, project: int, attachment: int) -> dict[str, Any]:
        found: Attachment = self._find_child(ctx, "attachments", attachment, project)
        if found.attachable_type == "Forward":
            raise _not_found()
        return ctx.render.attachment_row(found)

    def _route_upload(self, ctx: _Ctx, project: int, upload: int) -> dict[str, Any]:
        return ctx.render.upload_member(self._find_child(ctx, "uploads", upload, project))

    def _download(self, ctx: _Ctx, project: int, attachment: int, key: str) -> AppResult:
        """Binary content: deterministic bytes of the advertised size."""
        found: Attachment = self._find_child(ctx, "attachments", attachment, project)
        if found.key != key or found.linked_source is not None:
            raise _not_found()
        body = hashlib.shake_256(found.key.encode()).digest(found.byte_size)
        return AppResult(status=200, body=body, content_type=found.content_type, kind=MEMBER,
                         total=1, last_modified=found.updated_at)

    # ------------------------------------------------------------------ calendars
    def _route_calendars(self, ctx: _Ctx) -> Rows:
        def rows() -> Listing:
            found = sorted(ctx.acct.calendars.values(), key=lambda c: (c.name.lower(), c.id))
            return Listing(found, ctx.render.calendar_row)

        return rows

    def _route_calendar(self, ctx: _Ctx, calendar: int) -> dict[str, Any]:
        found = ctx.acct.calendars.get(calendar)
        if found is None:
            raise _not_found()
        return ctx.render.calendar_member(
            found, self._live_people(ctx, found.access_ids),
            self._bucket_events(ctx, ("Calendar", found.id)),
        )

    def _bucket_events(self, ctx: _Ctx, bucket: tuple[str, int]) -> list[CalendarEvent]:
        return [e for e in ctx.index.calendar_events_by_bucket.get(bucket, []) if not e.trashed]

    def _window(self, ctx: _Ctx) -> tuple[date, date]:
        try:
            first = date.fromisoformat(ctx.query["start_date"])
            raw_end = ctx.query.get("end_date")
            last = date.fromisoformat(raw_end) if raw_end else first + WINDOW
        except ValueError:
            raise _HttpError(400, "Invalid start_date or end_date") from None
        if last < first:
            raise _HttpError(400, "end_date is before start_date")
        return first, min(last, first + WINDOW)

    def _window_rows(self, ctx: _Ctx, buckets: list[tuple[str, int]]) -> Rows:
        first, last = self._window(ctx)

        def rows() -> Listing:
            items: list[tuple[Any, ...]] = []
            for bucket in buckets:
                for event in self._bucket_events(ctx, bucket):
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

    def _timeline(self, ctx: _Ctx, bucket: tuple[str, int], past: bool) -> Rows:
        if not past and "start_date" in ctx.query:
            return self._window_rows(ctx, [bucket])
        now = ctx.acct.now

        def rows() -> Listing:
            chosen = [e for e in self._bucket_events(ctx, bucket) if is_upcoming(e, now) != past]
            chosen.sort(key=lambda e: (sort_key(e.starts_at), e.id), reverse=past)
            return Listing(chosen, ctx.render.calendar_event_row)

        return rows

    def _route_calendar_events_window(self, ctx: _Ctx) -> Rows:
        if "start_date" not in ctx.query:
            raise _HttpError(400, "start_date is required")
        buckets = [("Project", p.id) for p in self._published(ctx)]
        buckets += [("Calendar", c.id) for c in ctx.acct.calendars.values()]
        return self._window_rows(ctx, buckets)

    def _route_project_calendar_events(self, ctx: _Ctx, project: int) -> Rows:
        return self._timeline(ctx, ("Project", self._find_project(ctx, project).id), past=False)

    def _route_project_calendar_events_past(self, ctx: _Ctx, project: int) -> Rows:
        return self._timeline(ctx, ("Project", self._find_project(ctx, project).id), past=True)

    def _route_project_calendar_event(self, ctx: _Ctx, project: int, event: int) -> Any:
        self._find_project(ctx, project)
        found = self._find_calendar_event(ctx, ("Project", project), event)
        return ctx.render.calendar_event_member(found)

    def _calendar_bucket(self, ctx: _Ctx, calendar: int) -> tuple[str, int]:
        if calendar not in ctx.acct.calendars:
            raise _not_found()
        return "Calendar", calendar

    def _route_calendar_calendar_events(self, ctx: _Ctx, calendar: int) -> Rows:
        return self._timeline(ctx, self._calendar_bucket(ctx, calendar), past=False)

    def _route_calendar_calendar_events_past(self, ctx: _Ctx, calendar: int) -> Rows:
        return self._timeline(ctx, self._calendar_bucket(ctx, calendar), past=True)

    def _route_calendar_calendar_event(self, ctx: _Ctx, calendar: int, event: int) -> Any:
        found = self._find_calendar_event(ctx, self._calendar_bucket(ctx, calendar), event)
        return ctx.render.calendar_event_member(found)

    # ------------------------------------------------------------------ launchpad
    def _launchpad(self, ctx: _Ctx) -> dict[str, Any]:
        """Launchpad's authorization.json, served on the sandbox root for account discovery."""
        me = ctx.acct.people[ctx.acct.me_id]
        first, _, last = me.name.partition(" ")
        origin = self.urls.api.removesuffix(f"/{self.account_id}/api/v1")
        other = 99_999_999
        return {
            "expires_at": format_timestamp(ctx.acct.now + timedelta(weeks=2)),
            "identity": {"id": me.identity_id, "first_name": first, "last_name": last,
                         "email_address": me.email_address},
            "accounts": [
                {"product": "bc3", "id": other, "name": ctx.acct.name,
                 "href": f"{origin}/{other}", "app_href": f"{origin}/{other}"},
                {"product": "bcx", "id": self.account_id, "name": ctx.acct.name,
                 "href": self.urls.api, "app_href": self.urls.app},
            ],
        }
