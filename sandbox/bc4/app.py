"""Basecamp 4 routes: which rows each GET returns, filtered, sorted and paged by gear.

Behaviour the docs leave open, decided here:

- Paths work with or without ``.json`` and in both the flat form and the legacy
  ``/buckets/{project}/...`` form (whose bucket must match); a few routes exist only in the
  bucket form (message types, client approvals/correspondences/replies).
- Container lists serve active rows only unless the endpoint has ``status``; to-do lists serve
  pending to-dos unless ``completed=true``; ``status=archived|trashed`` returns both.
- ``/projects/recordings.json`` needs ``type`` (400 otherwise), covers active projects unless
  ``bucket`` names others, and sorts by ``created_at`` or ``updated_at``, newest first.
- The BC5 "everything" lists (``/todos/open.json``, ``/cards/not_now.json``, ...) group active
  rows of active projects by project (newest project first, rows in tool order, empty groups
  left out) and page by group, 5 a page; ``assignee_ids[]`` and ``due`` are ignored.
- Everything inside a trashed project answers 404; the project itself is listed by
  ``/projects.json?status=trashed``. Message types and categories are not paged.
- Errors are JSON ``{"error": ...}`` bodies.
- Chatbots are account-wide: every campfire lists all of them, with its own ``url`` and
  keyed ``lines_url``.
- Whole-set routes (webhooks, chatbots, upload versions, Lineup markers, message types) ignore
  ``page`` and send everything with ``X-Total-Count``; the oracle counts them as one page.
- ``/reports/gauges.json`` lists the gauges of active projects, red before yellow before green
  (by latest needle), then by project name; ``bucket_ids`` keeps only those projects, in that
  order. A project without a gauge answers an empty needles list.
- A project whose timesheet is off answers ``[]`` for its timesheet (and its recordings'):
  openapi.json's Project has no ``timesheet_enabled``, so it is not rendered either.
  ``from``/``to`` (ISO dates, inclusive) and ``person_id`` filter entries, oldest date first.
- ``/recordings/{id}/subscription.json`` answers for types that render a ``subscription_url``.
- Last-Modified of a listing is the newest ``updated_at`` of its rows or of what scopes it
  (the parent recording, or for account-wide lists every recording of the type, deleted ones
  included), so trashing or deleting a row moves it forward too. ``lock`` serialises answers
  with ``Sandbox.mutate``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sandbox.bc4.model import (
    ACTIVE,
    COLUMN_TYPES,
    LISTABLE_TYPES,
    STATUSES,
    SUBSCRIBABLE_TYPES,
    TOOL_TYPES,
    TRASHED,
    Bc4Account,
    Project,
    Recording,
)
from sandbox.bc4.paging import (
    DEFAULT_GEAR,
    GROUPED_GEAR,
    page_size,
    page_start,
    pages_needed,
)
from sandbox.bc4.render import Renderer
from sandbox.contract import COLLECTION, JSON_TYPE, MEMBER, AppResult, Target
from sandbox.httpcache import max_updated_at

_ACCOUNT_PATH = re.compile(r"^/(\d+)(?:/(.*))?$")
_BUCKET = re.compile(r"^buckets/(\d+)/(.+)$")
_TOOL_ROOTS = {v: k for k, v in TOOL_TYPES.items()}

# (pattern, handler, mode). Mode: member, paged, whole (never paged), grouped (paged by
# GROUPED_GEAR), bucket (bucket form only, paged) or bucket-member.
ROUTES: tuple[tuple[str, str, str], ...] = (
    ("projects", "projects", "paged"),
    ("projects/recordings", "recordings", "paged"),
    ("projects/{id}", "project", "member"),
    ("projects/{id}/people", "project_people", "paged"),
    ("templates", "templates", "paged"),
    ("templates/{id}", "template", "member"),
    ("people", "people", "paged"),
    ("people/{id}", "person", "member"),
    ("my/profile", "my_profile", "member"),
    ("chats", "chats", "paged"),
    ("todosets/{id}", "tool", "member"),
    ("todosets/{id}/todolists", "todolists", "paged"),
    ("todolists/{id}", "todolist", "member"),
    ("todolists/{id}/groups", "groups", "paged"),
    ("todolists/{id}/todos", "todos", "paged"),
    ("todos/{id}", "todo", "member"),
    ("todos/open", "open_todos", "grouped"),
    ("todos/completed", "completed_todos", "grouped"),
    ("cards/open", "open_cards", "grouped"),
    ("cards/completed", "completed_cards", "grouped"),
    ("cards/not_now", "not_now_cards", "grouped"),
    ("message_boards/{id}", "tool", "member"),
    ("message_boards/{id}/messages", "messages", "paged"),
    ("messages/{id}", "message", "member"),
    ("categories", "categories", "bucket-whole"),
    ("vaults/{id}", "tool", "member"),
    ("vaults/{id}/documents", "documents", "paged"),
    ("vaults/{id}/uploads", "uploads", "paged"),
    ("vaults/{id}/vaults", "vaults", "paged"),
    ("documents/{id}", "document", "member"),
    ("uploads/{id}", "upload", "member"),
    ("schedules/{id}", "tool", "member"),
    ("schedules/{id}/entries", "entries", "paged"),
    ("schedule_entries/{id}", "entry", "member"),
    ("chats/{id}", "tool", "member"),
    ("chats/{id}/lines", "lines", "paged"),
    ("chats/{id}/uploads", "chat_uploads", "paged"),
    ("chats/{chat}/lines/{id}", "line", "member"),
    ("questionnaires/{id}", "tool", "member"),
    ("questionnaires/{id}/questions", "questions", "paged"),
    ("questions/{id}", "question", "member"),
    ("questions/{id}/answers", "answers", "paged"),
    ("question_answers/{id}", "answer", "member"),
    ("inboxes/{id}", "tool", "member"),
    ("inboxes/{id}/inbox_forwards", "forwards", "paged"),
    ("inbox_forwards/{id}", "forward", "member"),
    ("inbox_forwards/{id}/replies", "forward_replies", "paged"),
    ("inbox_forwards/{forward}/replies/{id}", "forward_reply", "member"),
    ("card_tables/{id}", "tool", "member"),
    ("card_tables/columns/{id}", "column", "member"),
    ("card_tables/lists/{id}/cards", "cards", "paged"),
    ("card_tables/cards/{id}", "card", "member"),
    ("card_tables/steps/{id}", "step", "member"),
    ("recordings/{id}", "any_recording", "member"),
    ("recordings/{id}/comments", "comments", "paged"),
    ("recordings/{id}/events", "events", "paged"),
    ("comments/{id}", "comment", "member"),
    ("client/approvals", "approvals", "bucket"),
    ("client/approvals/{id}", "approval", "bucket-member"),
    ("client/correspondences", "correspondences", "bucket"),
    ("client/correspondences/{id}", "correspondence", "bucket-member"),
    ("client/recordings/{id}/replies", "client_replies", "bucket"),
    ("client/recordings/{parent}/replies/{id}", "client_reply", "bucket-member"),
    ("reports/gauges", "gauges", "paged"),
    ("projects/{id}/gauge", "gauge", "member"),
    ("projects/{id}/gauge/needles", "needles", "paged"),
    ("projects/{project}/gauge/needles/{id}", "project_needle", "member"),
    ("gauge_needles/{id}", "gauge_needle", "member"),
    ("lineup/markers", "markers", "whole"),
    ("reports/timesheet", "report_timesheet", "whole"),
    ("webhooks", "webhooks", "bucket-whole"),
    ("webhooks/{id}", "webhook", "member"),
    ("chats/{id}/integrations", "chatbots", "bucket-whole"),
    ("chats/{chat}/integrations/{id}", "chatbot", "bucket-member"),
    ("projects/{id}/timesheet", "project_timesheet", "paged"),
    ("recordings/{id}/timesheet", "recording_timesheet", "paged"),
    ("timesheet_entries/{id}", "timesheet_entry", "member"),
    ("timesheet/entries/{id}", "timesheet_entry", "member"),
    ("uploads/{id}/versions", "versions", "whole"),
    ("recordings/{id}/boosts", "boosts", "paged"),
    ("recordings/{id}/events/{event}/boosts", "event_boosts", "paged"),
    ("boosts/{id}", "boost", "member"),
    ("recordings/{id}/subscription", "subscription", "member"),
)

# Member routes that are one recording of a known type: handler -> accepted types.
_MEMBER_TYPES: dict[str, tuple[str, ...]] = {
    "todolist": ("Todolist",), "todo": ("Todo",), "message": ("Message",),
    "document": ("Document",), "upload": ("Upload",), "entry": ("Schedule::Entry",),
    "line": ("Chat::Lines::Text",), "question": ("Question",),
    "answer": ("Question::Answer",), "forward": ("Inbox::Forward",),
    "forward_reply": ("Inbox::Forward::Reply",), "column": COLUMN_TYPES,
    "card": ("Kanban::Card",), "step": ("Kanban::Step",), "comment": ("Comment",),
    "approval": ("Client::Approval",), "correspondence": ("Client::Correspondence",),
    "client_reply": ("Client::Reply",), "gauge_needle": ("Gauge::Needle",),
    "timesheet_entry": ("Timesheet::Entry",),
}
# Risk order of ``/reports/gauges.json``: the latest needle's color, red first.
_RISK = {"red": 0, "yellow": 1, "green": 2}


class HttpError(Exception):
    """An error answer with a JSON ``{"error": ...}`` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Bc4Result(AppResult):
    """An ``AppResult`` that also tells the oracle how many geared pages it needs."""

    pages: int | None = None


@dataclass(frozen=True)
class Listing:
    """Items of a collection, how to render one, and when its scope last changed."""

    items: list[Any]
    render: Callable[[Any], Any]
    modified: datetime | None = None


def encode(data: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_result(status: int, message: str) -> AppResult:
    """A JSON error body, as the API sends them."""
    return AppResult(status=status, body=encode({"error": message}), content_type=JSON_TYPE)


def _latest(*moments: datetime | None) -> datetime | None:
    """The newest of the given moments, ignoring None."""
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def _match(parts: list[str], segments: list[str]) -> dict[str, int] | None:
    if len(parts) != len(segments):
        return None
    params: dict[str, int] = {}
    for part, segment in zip(parts, segments, strict=True):
        if part.startswith("{"):
            if not segment.isdigit():
                return None
            params[part[1:-1]] = int(segment)
        elif part != segment:
            return None
    return params


class Bc4App:
    """The BC4 ``ApiApp``: routes, status filters and geared pagination over a ``Bc4Account``."""

    def __init__(self, account: Bc4Account, gear: tuple[int, ...] = DEFAULT_GEAR) -> None:
        self.account = account
        self.account_id = account.account_id
        self.gear = gear
        self.origin = "http://127.0.0.1"
        self.render = Renderer(account, self.origin)
        self._routes = [(p.split("/"), handler, mode) for p, handler, mode in ROUTES]
        self.lock = threading.RLock()
        self._built_at = account.now  # mutations move account.now, not untouched empty lists

    # ------------------------------------------------------------------ ApiApp protocol
    def bind(self, origin: str, asset_origin: str) -> None:
        self.origin = origin
        self.render = Renderer(self.account, origin)

    def target(self, path: str) -> Target:
        found = _ACCOUNT_PATH.match(path)
        if not found:
            return Target(account=None, status=404)
        account = int(found.group(1))
        if account != self.account_id or not found.group(2):
            return Target(account=account, status=404)
        return Target(account=account)

    def fallback_last_modified(self) -> datetime:
        return self._built_at

    def respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        try:
            with self.lock:
                return self._respond(path, query)
        except HttpError as error:
            return error_result(error.status, error.message)

    # ------------------------------------------------------------------ dispatch
    def _respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        found = _ACCOUNT_PATH.match(path)
        if not found or not found.group(2):
            raise HttpError(404, "Not Found")
        rest = found.group(2).removesuffix(".json")
        bucket: int | None = None
        in_bucket = _BUCKET.match(rest)
        if in_bucket:
            bucket = int(in_bucket.group(1))
            self._live_project(bucket)
            rest = in_bucket.group(2)
        segments = rest.split("/")
        for parts, handler, mode in self._routes:
            params = _match(parts, segments)
            if params is None:
                continue
            if mode.startswith("bucket") and bucket is None:
                continue
            if handler in _MEMBER_TYPES:
                rec = self._recording(params["id"], _MEMBER_TYPES[handler], bucket)
                return self._json(self.render.recording(rec), MEMBER)
            method = getattr(self, "_route_" + handler)
            if mode.startswith("bucket"):
                assert bucket is not None
                params["bucket"] = bucket
            result = method(query, **params) if mode != "member" else method(bucket, **params)
            if mode in ("member", "bucket-member"):
                return self._json(result, MEMBER)
            gear = GROUPED_GEAR if mode == "grouped" else self.gear
            return self._page(result, path, query, gear, whole=mode.endswith("whole"))
        raise HttpError(404, "Not Found")

    def _json(self, data: Any, kind: str, total: int = 1, pages: int | None = None,
              headers: dict[str, str] | None = None,
              modified: datetime | None = None) -> Bc4Result:
        return Bc4Result(status=200, body=encode(data), kind=kind, total=total,
                         last_modified=_latest(max_updated_at(data), modified),
                         headers=headers or {}, pages=pages)

    def _page(self, listing: Listing, path: str, query: Mapping[str, str],
              gear: tuple[int, ...], whole: bool) -> Bc4Result:
        total = len(listing.items)
        if whole:
            rows = [listing.render(item) for item in listing.items]
            return self._json(rows, COLLECTION, total, pages=1,
                              headers={"X-Total-Count": str(total)}, modified=listing.modified)
        try:
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            page = 1
        start = page_start(gear, page)
        end = start + page_size(gear, page)
        rows = [listing.render(item) for item in listing.items[start:end]]
        headers = {"X-Total-Count": str(total)}
        if end < total:
            params = {k: v for k, v in query.items() if k != "page"}
            params["page"] = str(page + 1)
            headers["Link"] = f'<{self.origin}{path}?{urlencode(params)}>; rel="next"'
        return self._json(rows, COLLECTION, total, pages=pages_needed(gear, total),
                          headers=headers, modified=listing.modified)

    # ------------------------------------------------------------------ lookups
    def _live_project(self, project_id: int) -> Project:
        project = self.account.projects.get(project_id)
        if project is None or project.status == TRASHED or project.template:
            raise HttpError(404, "Not Found")
        return project

    def _recording(self, record_id: int, types: tuple[str, ...],
                   bucket: int | None = None) -> Recording:
        rec = self.account.recordings.get(record_id)
        if rec is None or (types and rec.type not in types):
            raise HttpError(404, "Not Found")
        if bucket is not None and rec.bucket_id != bucket:
            raise HttpError(404, "Not Found")
        self._live_project(rec.bucket_id)
        return rec

    def _status(self, query: Mapping[str, str]) -> str:
        status = query.get("status", ACTIVE) or ACTIVE
        if status not in STATUSES:
            raise HttpError(400, f"unknown status {status!r}")
        return status

    def _kids(self, parent: Recording, types: tuple[str, ...], status: str = ACTIVE,
              keep: Callable[[Recording], bool] | None = None) -> Listing:
        rows = [r for r in self.account.kids(parent.id, *types)
                if r.status == status and (keep is None or keep(r))]
        return Listing(rows, self.render.recording, parent.updated_at)

    def _scope_modified(self, types: Iterable[str], buckets: set[int]) -> datetime | None:
        """Newest change to any recording of ``types`` in ``buckets``, deleted ones included."""
        wanted = set(types)
        live = (r.updated_at for r in self.account.recordings.values()
                if r.type in wanted and r.bucket_id in buckets)
        gone = (t.deleted_at for t in self.account.tombstones.values()
                if t.type in wanted and t.bucket_id in buckets)
        return _latest(*live, *gone)

    # ------------------------------------------------------------------ account level
    def _route_projects(self, query: Mapping[str, str]) -> Listing:
        status = self._status(query)
        rows = [p for p in self.account.projects.values()
                if p.status == status and not p.template]
        rows.sort(key=lambda p: (p.created_at, p.id), reverse=True)
        return Listing(rows, self.render.project)

    def _route_project(self, bucket: int | None, id: int) -> dict[str, Any]:
        return self.render.project(self._live_project(id))

    def _route_templates(self, query: Mapping[str, str]) -> Listing:
        status = self._status(query)
        rows = [p for p in self.account.projects.values() if p.template and p.status == status]
        return Listing(rows, self.render.project)

    def _route_template(self, bucket: int | None, id: int) -> dict[str, Any]:
        project = self.account.projects.get(id)
        if project is None or not project.template:
            raise HttpError(404, "Not Found")
        return self.render.project(project)

    def _route_people(self, query: Mapping[str, str]) -> Listing:
        rows = [p.id for p in self.account.people.values() if not p.system]
        return Listing(rows, self.render.person)

    def _route_person(self, bucket: int | None, id: int) -> dict[str, Any]:
        if id not in self.account.people:
            raise HttpError(404, "Not Found")
        return self.render.person(id)

    def _route_my_profile(self, bucket: int | None) -> dict[str, Any]:
        owner = next(p for p in self.account.people.values() if p.owner)
        return self.render.person(owner.id)

    def _route_project_people(self, query: Mapping[str, str], id: int) -> Listing:
        return Listing(list(self._live_project(id).people), self.render.person)

    def _route_chats(self, query: Mapping[str, str]) -> Listing:
        rows = []
        for project in self.account.projects.values():
            if project.status != ACTIVE or project.template:
                continue
            rows += [self.account.recordings[t.id] for t in project.dock
                     if t.name == "chat" and t.enabled]
        return Listing(rows, self.render.tool)

    def _route_recordings(self, query: Mapping[str, str]) -> Listing:
        kind = query.get("type")
        if kind not in LISTABLE_TYPES:
            raise HttpError(400, f"type must be one of {', '.join(LISTABLE_TYPES)}")
        status = self._status(query)
        if query.get("bucket"):
            try:
                wanted = {int(b) for b in query["bucket"].split(",") if b.strip()}
            except ValueError as exc:
                raise HttpError(400, "bucket must be comma-separated project ids") from exc
            buckets = {b for b in wanted if b in self.account.projects
                       and self.account.projects[b].status != TRASHED}
        else:
            buckets = {p.id for p in self.account.projects.values()
                       if p.status == ACTIVE and not p.template}
        rows = [r for r in self.account.recordings.values()
                if r.type == kind and r.status == status and r.bucket_id in buckets]
        field = "updated_at" if query.get("sort") == "updated_at" else "created_at"
        rows.sort(key=lambda r: (getattr(r, field), r.id), reverse=query.get("direction") != "asc")
        return Listing(rows, self.render.generic, self._scope_modified((kind,), buckets))

    # ------------------------------------------------------------------ everything (BC5)
    def _grouped(self, kind: str, key: str, keep: Callable[[Recording], bool]) -> Listing:
        """Active ``kind`` rows passing ``keep``, one ``{"bucket", key}`` group per project."""
        rows: dict[int, list[Recording]] = {p.id: [] for p in self._route_projects({}).items}
        for rec in self.account.recordings.values():
            if rec.type == kind and rec.status == ACTIVE and rec.bucket_id in rows and keep(rec):
                rows[rec.bucket_id].append(rec)
        groups = [(bucket, recs) for bucket, recs in rows.items() if recs]
        return Listing(groups, lambda group: {
            "bucket": self.render.bucket(group[0]),
            key: [self.render.recording(rec) for rec in group[1]]},
            self._scope_modified((kind,), set(rows)))

    def _not_now(self, card: Recording) -> bool:
        assert card.parent_id is not None
        return self.account.recordings[card.parent_id].type == "Kanban::NotNowColumn"

    def _route_open_todos(self, query: Mapping[str, str]) -> Listing:
        return self._grouped("Todo", "todos", lambda t: not t.extra["completed"])

    def _route_completed_todos(self, query: Mapping[str, str]) -> Listing:
        return self._grouped("Todo", "todos", lambda t: t.extra["completed"])

    def _route_open_cards(self, query: Mapping[str, str]) -> Listing:
        return self._grouped("Kanban::Card", "cards",
                             lambda c: not c.extra["completed"] and not self._not_now(c))

    def _route_completed_cards(self, query: Mapping[str, str]) -> Listing:
        return self._grouped("Kanban::Card", "cards", lambda c: c.extra["completed"])

    def _route_not_now_cards(self, query: Mapping[str, str]) -> Listing:
        return self._grouped("Kanban::Card", "cards", self._not_now)

    # ------------------------------------------------------------------ tools
    def _route_tool(self, bucket: int | None, id: int) -> dict[str, Any]:
        rec = self._recording(id, tuple(_TOOL_ROOTS), bucket)
        if rec.type == "Vault" and rec.parent_id is not None:
            return self.render.recording(rec)
        return self.render.tool(rec)

    def _container(self, id: int, *types: str) -> Recording:
        return self._recording(id, types)

    def _route_todolists(self, query: Mapping[str, str], id: int) -> Listing:
        todoset = self._container(id, "Todoset")
        return self._kids(todoset, ("Todolist",), self._status(query))

    def _route_groups(self, query: Mapping[str, str], id: int) -> Listing:
        todolist = self._container(id, "Todolist")
        return self._kids(todolist, ("Todolist",), self._status(query))

    def _route_todos(self, query: Mapping[str, str], id: int) -> Listing:
        todolist = self._container(id, "Todolist")
        status = self._status(query)
        if status != ACTIVE:
            return self._kids(todolist, ("Todo",), status)
        done = query.get("completed") == "true"
        return self._kids(todolist, ("Todo",), keep=lambda t: t.extra["completed"] == done)

    def _route_messages(self, query: Mapping[str, str], id: int) -> Listing:
        listing = self._kids(self._container(id, "Message::Board"), ("Message",))
        return self._sorted(listing, query)

    def _route_categories(self, query: Mapping[str, str], bucket: int) -> Listing:
        project = self._live_project(bucket)
        rows = [self.account.categories[c] for c in project.category_ids]
        return Listing(rows, self.render.category)

    def _route_documents(self, query: Mapping[str, str], id: int) -> Listing:
        return self._kids(self._container(id, "Vault"), ("Document",))

    def _route_uploads(self, query: Mapping[str, str], id: int) -> Listing:
        return self._kids(self._container(id, "Vault"), ("Upload",))

    def _route_vaults(self, query: Mapping[str, str], id: int) -> Listing:
        return self._kids(self._container(id, "Vault"), ("Vault",))

    def _route_entries(self, query: Mapping[str, str], id: int) -> Listing:
        schedule = self._container(id, "Schedule")
        return self._kids(schedule, ("Schedule::Entry",), self._status(query))

    def _route_lines(self, query: Mapping[str, str], id: int) -> Listing:
        listing = self._kids(self._container(id, "Chat::Transcript"), ("Chat::Lines::Text",))
        return self._sorted(listing, query)

    def _route_chat_uploads(self, query: Mapping[str, str], id: int) -> Listing:
        """Served (``files_url`` points here) but always empty: no upload lines are generated."""
        listing = self._kids(self._container(id, "Chat::Transcript"), ("Chat::Lines::Upload",))
        return self._sorted(listing, query)

    def _route_questions(self, query: Mapping[str, str], id: int) -> Listing:
        return self._kids(self._container(id, "Questionnaire"), ("Question",))

    def _route_answers(self, query: Mapping[str, str], id: int) -> Listing:
        return self._kids(self._container(id, "Question"), ("Question::Answer",))

    def _route_forwards(self, query: Mapping[str, str], id: int) -> Listing:
        listing = self._kids(self._container(id, "Inbox"), ("Inbox::Forward",))
        return self._sorted(listing, query)

    def _route_forward_replies(self, query: Mapping[str, str], id: int) -> Listing:
        return self._kids(self._container(id, "Inbox::Forward"), ("Inbox::Forward::Reply",))

    def _route_cards(self, query: Mapping[str, str], id: int) -> Listing:
        holder = next((r for r in self.account.recordings.values()
                       if r.extra.get("on_hold_id") == id), None)
        if holder is not None:
            return self._kids(self._container(holder.id, *COLUMN_TYPES), ("Kanban::Card",),
                              keep=lambda c: c.extra["on_hold"])
        column = self._container(id, *COLUMN_TYPES)
        return self._kids(column, ("Kanban::Card",), keep=lambda c: not c.extra["on_hold"])

    # ------------------------------------------------------------------ per recording
    def _route_any_recording(self, bucket: int | None, id: int) -> dict[str, Any]:
        return self.render.recording(self._recording(id, (), bucket))

    def _route_comments(self, query: Mapping[str, str], id: int) -> Listing:
        return self._kids(self._recording(id, ()), ("Comment",))

    def _route_events(self, query: Mapping[str, str], id: int) -> Listing:
        rec = self._recording(id, ())
        events = sorted(self.account.events.get(rec.id, []),
                        key=lambda e: (e.created_at, e.id), reverse=True)
        return Listing(events, lambda e: self.render.event(e, rec.bucket_id), rec.updated_at)

    def _client(self, bucket: int, kind: str, query: Mapping[str, str]) -> Listing:
        project = self._live_project(bucket)
        if project.client_board_id is None:
            return Listing([], self.render.recording)
        board = self.account.recordings[project.client_board_id]
        return self._sorted(self._kids(board, (kind,)), query)

    def _route_approvals(self, query: Mapping[str, str], bucket: int) -> Listing:
        return self._client(bucket, "Client::Approval", query)

    def _route_correspondences(self, query: Mapping[str, str], bucket: int) -> Listing:
        return self._client(bucket, "Client::Correspondence", query)

    def _route_client_replies(self, query: Mapping[str, str], bucket: int, id: int) -> Listing:
        parent = self._recording(id, ("Client::Approval", "Client::Correspondence"), bucket)
        return self._kids(parent, ("Client::Reply",))

    @staticmethod
    def _sorted(listing: Listing, query: Mapping[str, str]) -> Listing:
        """``sort=created_at|updated_at`` and ``direction`` (default newest created first)."""
        field = "updated_at" if query.get("sort") == "updated_at" else "created_at"
        rows = sorted(listing.items, key=lambda r: (getattr(r, field), r.id),
                      reverse=query.get("direction", "desc") != "asc")
        return Listing(rows, listing.render, listing.modified)

    # ------------------------------------------------------------------ gauges (BC5)
    def _route_gauges(self, query: Mapping[str, str]) -> Listing:
        gauges = {p.id: g for p in self._route_projects({}).items
                  if (g := self._gauge_of(p)) is not None and g.extra["enabled"]}
        if query.get("bucket_ids"):
            order = [int(b) for b in query["bucket_ids"].split(",") if b.strip().isdigit()]
            rows = [gauges[b] for b in dict.fromkeys(order) if b in gauges]
        else:
            rows = sorted(gauges.values(), key=self._risk)
        return Listing(rows, self.render.recording)

    def _risk(self, gauge: Recording) -> tuple[int, str, int]:
        needles = self.render.needles(gauge)
        color = needles[0].extra["color"] if needles else ""
        return _RISK.get(color, len(_RISK)), self.account.projects[gauge.bucket_id].name, gauge.id

    def _gauge_of(self, project: Project) -> Recording | None:
        gauge = self.account.recordings.get(project.gauge_id or 0)
        return gauge if gauge is not None and gauge.status == ACTIVE else None

    def _route_gauge(self, bucket: int | None, id: int) -> dict[str, Any]:
        gauge = self._gauge_of(self._live_project(id))
        if gauge is None:
            raise HttpError(404, "Not Found")
        return self.render.recording(gauge)

    def _route_needles(self, query: Mapping[str, str], id: int) -> Listing:
        gauge = self._gauge_of(self._live_project(id))
        if gauge is None:
            return Listing([], self.render.recording)
        return Listing(self.render.needles(gauge), self.render.recording, gauge.updated_at)

    def _route_project_needle(self, bucket: int | None, project: int, id: int) -> dict[str, Any]:
        needle = self._recording(id, ("Gauge::Needle",), project)
        return self.render.recording(needle)

    # ------------------------------------------------------------------ account extras
    def _route_markers(self, query: Mapping[str, str]) -> Listing:
        return Listing(list(self.account.markers), self.render.marker)

    def _route_webhooks(self, query: Mapping[str, str], bucket: int) -> Listing:
        self._live_project(bucket)
        return Listing(list(self.account.webhooks.get(bucket, [])), self.render.webhook)

    def _route_webhook(self, bucket: int | None, id: int) -> dict[str, Any]:
        for project_id, hooks in self.account.webhooks.items():
            for hook in hooks:
                if hook.id == id and bucket in (None, project_id):
                    self._live_project(project_id)
                    return self.render.webhook(hook, deliveries=True)
        raise HttpError(404, "Not Found")

    def _route_chatbots(self, query: Mapping[str, str], bucket: int, id: int) -> Listing:
        """Every chatbot of the account, as seen from this campfire (they are account-wide)."""
        chat = self._recording(id, ("Chat::Transcript",), bucket)
        return Listing(list(self.account.chatbots),
                       lambda bot: self.render.chatbot(bot, chat.bucket_id, chat.id))

    def _route_chatbot(self, query: Mapping[str, str], bucket: int, chat: int,
                       id: int) -> dict[str, Any]:
        room = self._recording(chat, ("Chat::Transcript",), bucket)
        bot = next((b for b in self.account.chatbots if b.id == id), None)
        if bot is None:
            raise HttpError(404, "Not Found")
        return self.render.chatbot(bot, room.bucket_id, room.id)

    # ------------------------------------------------------------------ timesheets
    def _timesheet(self, entries: Iterable[Recording], query: Mapping[str, str],
                   modified: datetime | None) -> Listing:
        """Active entries filtered by ``from``/``to``/``person_id``, oldest date first."""
        start, end = query.get("from") or "", query.get("to") or "9999-12-31"
        person = query.get("person_id") or ""
        rows = [e for e in entries if e.status == ACTIVE
                and start <= e.extra["date"] <= end
                and (not person or str(e.extra["person"]) == person)]
        rows.sort(key=lambda e: (e.extra["date"], e.created_at, e.id))
        return Listing(rows, self.render.recording, modified)

    def _route_project_timesheet(self, query: Mapping[str, str], id: int) -> Listing:
        project = self._live_project(id)
        if not project.timesheet_enabled:
            return Listing([], self.render.recording)
        entries = (r for r in self.account.recordings.values()
                   if r.type == "Timesheet::Entry" and r.bucket_id == id)
        return self._timesheet(entries, query, self._scope_modified(("Timesheet::Entry",), {id}))

    def _route_report_timesheet(self, query: Mapping[str, str]) -> Listing:
        """Every enabled live project's entries at once; without ``from`` the prose's default
        window applies (the last month), so a complete read passes ``from`` and ``to``."""
        if not query.get("from") and not query.get("start_date"):
            start = (self.account.now - timedelta(days=31)).date().isoformat()
            query = {**query, "from": start}
        enabled = {p.id for p in self.account.projects.values()
                   if p.timesheet_enabled and p.status != TRASHED and not p.template}
        entries = (r for r in self.account.recordings.values()
                   if r.type == "Timesheet::Entry" and r.bucket_id in enabled)
        return self._timesheet(entries, query,
                               self._scope_modified(("Timesheet::Entry",), enabled))

    def _route_recording_timesheet(self, query: Mapping[str, str], id: int) -> Listing:
        rec = self._recording(id, ())
        if not self.account.projects[rec.bucket_id].timesheet_enabled:
            return Listing([], self.render.recording)
        return self._timesheet(self.account.kids(rec.id, "Timesheet::Entry"), query,
                               rec.updated_at)

    # ------------------------------------------------------------------ per recording extras
    def _route_versions(self, query: Mapping[str, str], id: int) -> Listing:
        """Version events newest first; only the newest is ``current``."""
        upload = self._recording(id, ("Upload",))
        events = sorted((e for e in self.account.events.get(upload.id, []) if e.file),
                        key=lambda e: (e.created_at, e.id), reverse=True)
        newest = events[0].id if events else None
        return Listing(events, lambda e: self.render.upload_version(e, upload, e.id == newest),
                       upload.updated_at)

    def _route_boosts(self, query: Mapping[str, str], id: int) -> Listing:
        rec = self._recording(id, ())
        return Listing(list(self.account.boosts.get(rec.id, [])), self.render.boost)

    def _route_event_boosts(self, query: Mapping[str, str], id: int, event: int) -> Listing:
        """Served (version ``boosts_url`` points here) but always empty."""
        rec = self._recording(id, ())
        if all(e.id != event for e in self.account.events.get(rec.id, [])):
            raise HttpError(404, "Not Found")
        return Listing([], self.render.boost)

    def _route_boost(self, bucket: int | None, id: int) -> dict[str, Any]:
        for rec_id, boosts in self.account.boosts.items():
            for boost in boosts:
                if boost.id == id:
                    self._recording(rec_id, (), bucket)
                    return self.render.boost(boost)
        raise HttpError(404, "Not Found")

    def _route_subscription(self, bucket: int | None, id: int) -> dict[str, Any]:
        return self.render.subscription(self._recording(id, SUBSCRIBABLE_TYPES, bucket))
