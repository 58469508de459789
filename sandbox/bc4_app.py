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
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sandbox.bc4_model import (
    ACTIVE,
    COLUMN_TYPES,
    LISTABLE_TYPES,
    STATUSES,
    TOOL_TYPES,
    TRASHED,
    Bc4Account,
    Project,
    Recording,
)
from sandbox.bc4_paging import (
    DEFAULT_GEAR,
    GROUPED_GEAR,
    page_size,
    page_start,
    pages_needed,
)
from sandbox.bc4_render import Renderer
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
    "client_reply": ("Client::Reply",),
}


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
    """Items of a collection and how to render one of them."""

    items: list[Any]
    render: Callable[[Any], Any]


def encode(data: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_result(status: int, message: str) -> AppResult:
    """A JSON error body, as the API sends them."""
    return AppResult(status=status, body=encode({"error": message}), content_type=JSON_TYPE)


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
        return self.account.now

    def respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        try:
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
              headers: dict[str, str] | None = None) -> Bc4Result:
        return Bc4Result(status=200, body=encode(data), kind=kind, total=total,
                         last_modified=max_updated_at(data), headers=headers or {},
                         pages=pages)

    def _page(self, listing: Listing, path: str, query: Mapping[str, str],
              gear: tuple[int, ...], whole: bool) -> Bc4Result:
        total = len(listing.items)
        if whole:
            rows = [listing.render(item) for item in listing.items]
            return self._json(rows, COLLECTION, total, pages=1,
                              headers={"X-Total-Count": str(total)})
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
                          headers=headers)

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
        return Listing(rows, self.render.recording)

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
        return Listing(rows, self.render.generic)

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
            key: [self.render.recording(rec) for rec in group[1]]})

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
        return Listing(events, lambda e: self.render.event(e, rec.bucket_id))

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
        return Listing(rows, listing.render)
