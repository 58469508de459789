"""In-memory Basecamp 2 account: the ground truth the sandbox renders on every request.

Records (``sandbox.bc2.records``) are kept in ``Table`` dicts (id -> record) on ``Bc2Account``.
Tests may mutate them freely to simulate activity between two syncs: assign fields, insert
rows (``account.todos.add(Todo(...))``) or delete them (``del account.todos[id]``). Every
assignment on a stored record and every insert/delete bumps ``Bc2Account.revision``, which
invalidates the derived ``Index`` and the app's listing caches. Sequence fields are tuples on
purpose: a change is then always an assignment the account notices.

Derived things are not stored: topics exist for every message and for every other commentable
with at least one live comment; counters, to-do list completion and "upcoming" vs "past"
calendar events are computed from the rows.
"""

from __future__ import annotations

import threading
from collections import UserDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sandbox.bc2.records import (
    Attachment,
    Calendar,
    CalendarEvent,
    Comment,
    Commentable,
    Document,
    Event,
    Forward,
    Group,
    Message,
    Person,
    Project,
    Record,
    Todo,
    Todolist,
    Upload,
)

R = TypeVar("R", bound=Record)


class Table(UserDict[int, R], Generic[R]):
    """id -> record map that tells its account about inserts and deletes."""

    def __init__(self, owner: Bc2Account) -> None:
        self._owner = owner
        super().__init__()

    def __setitem__(self, key: int, record: R) -> None:
        object.__setattr__(record, "_owner", self._owner)
        super().__setitem__(key, record)
        self._owner.touch()

    def __delitem__(self, key: int) -> None:
        super().__delitem__(key)
        self._owner.touch()

    def add(self, record: R) -> R:
        """Store ``record`` under its own id and return it."""
        self[record.id] = record
        return record


TYPE_TABLES = {
    "Message": "messages",
    "Document": "documents",
    "Forward": "forwards",
    "Upload": "uploads",
    "Todolist": "todolists",
    "Todo": "todos",
    "CalendarEvent": "calendar_events",
    "Comment": "comments",
}


class Bc2Account:
    """All rows of one account plus the reference clock the sandbox treats as "now"."""

    def __init__(self, account_id: int, name: str, now: datetime) -> None:
        self.revision = 0
        self.account_id = account_id
        self.name = name
        self.now = now
        self.me_id = 0
        self.people: Table[Person] = Table(self)
        self.groups: Table[Group] = Table(self)
        self.projects: Table[Project] = Table(self)
        self.calendars: Table[Calendar] = Table(self)
        self.todolists: Table[Todolist] = Table(self)
        self.todos: Table[Todo] = Table(self)
        self.messages: Table[Message] = Table(self)
        self.documents: Table[Document] = Table(self)
        self.forwards: Table[Forward] = Table(self)
        self.uploads: Table[Upload] = Table(self)
        self.attachments: Table[Attachment] = Table(self)
        self.calendar_events: Table[CalendarEvent] = Table(self)
        self.comments: Table[Comment] = Table(self)
        self.events: Table[Event] = Table(self)
        self._index: Index | None = None
        self._index_lock = threading.Lock()

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if not name.startswith("_") and name != "revision":
            self.touch()

    def touch(self) -> None:
        """Mark the data as changed so derived views are rebuilt on the next request."""
        object.__setattr__(self, "revision", self.__dict__.get("revision", 0) + 1)

    def new_id(self) -> int:
        """A fresh id above every existing one, for rows that tests insert."""
        tables = (self.people, self.groups, self.projects, self.calendars, self.todolists,
                  self.todos, self.messages, self.documents, self.forwards, self.uploads,
                  self.attachments, self.calendar_events, self.comments, self.events)
        highest = max((key for table in tables for key in table), default=0)
        topic_ids = (r.topic_id for table in tables[4:13] for r in table.values()
                     if isinstance(r, Commentable))
        return max(highest, max(topic_ids, default=0)) + 1

    def table(self, type_name: str) -> Table[Any]:
        """Table holding records of a polymorphic type name such as ``"Todo"``."""
        return getattr(self, TYPE_TABLES[type_name])

    def lookup(self, type_name: str, record_id: int) -> Any:
        """Record of a polymorphic reference, or None."""
        return self.table(type_name).get(record_id)

    def index(self) -> Index:
        """Derived lookups for the current revision, rebuilt lazily after any change."""
        with self._index_lock:
            if self._index is None or self._index.revision != self.revision:
                self._index = Index.build(self)
            return self._index


def _group(rows: Iterable[R], key: Callable[[R], Any]) -> dict[Any, list[R]]:
    grouped: dict[Any, list[R]] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


@dataclass
class Index:
    """Parent -> children lookups computed from the tables (never mutated in place)."""

    revision: int
    todolists_by_project: dict[int, list[Todolist]] = field(default_factory=dict)
    todos_by_list: dict[int, list[Todo]] = field(default_factory=dict)
    messages_by_project: dict[int, list[Message]] = field(default_factory=dict)
    documents_by_project: dict[int, list[Document]] = field(default_factory=dict)
    forwards_by_project: dict[int, list[Forward]] = field(default_factory=dict)
    uploads_by_project: dict[int, list[Upload]] = field(default_factory=dict)
    attachments_by_project: dict[int, list[Attachment]] = field(default_factory=dict)
    attachments_by_owner: dict[tuple[str, int], list[Attachment]] = field(default_factory=dict)
    comments_by_parent: dict[tuple[str, int], list[Comment]] = field(default_factory=dict)
    calendar_events_by_bucket: dict[tuple[str, int], list[CalendarEvent]] = field(
        default_factory=dict
    )
    events_newest: list[Event] = field(default_factory=list)
    events_by_bucket: dict[tuple[str, int], list[Event]] = field(default_factory=dict)
    events_by_creator: dict[int, list[Event]] = field(default_factory=dict)
    data_timestamp: datetime | None = None

    @classmethod
    def build(cls, acct: Bc2Account) -> Index:
        """Group every table by parent in one pass each."""
        by_position = lambda r: (r.position, r.id)  # noqa: E731
        lists = _group(acct.todolists.values(), lambda r: r.project_id)
        todos = _group(acct.todos.values(), lambda r: r.todolist_id)
        live_attachments = [a for a in acct.attachments.values() if not a.trashed]
        comments = _group(
            sorted(
                (c for c in acct.comments.values() if not c.trashed),
                key=lambda c: (c.created_at, c.id),
            ),
            lambda c: (c.parent_type, c.parent_id),
        )
        events = sorted(acct.events.values(), key=lambda e: (e.created_at, e.id), reverse=True)
        stamps = [
            r.updated_at
            for table in (acct.people, acct.projects, acct.groups, acct.calendars,
                          acct.todolists, acct.todos, acct.messages, acct.documents,
                          acct.forwards, acct.uploads, acct.attachments, acct.calendar_events,
                          acct.comments, acct.events)
            for r in table.values()
        ]
        return cls(
            revision=acct.revision,
            todolists_by_project={k: sorted(v, key=by_position) for k, v in lists.items()},
            todos_by_list={k: sorted(v, key=by_position) for k, v in todos.items()},
            messages_by_project=_group(acct.messages.values(), lambda r: r.project_id),
            documents_by_project=_group(acct.documents.values(), lambda r: r.project_id),
            forwards_by_project=_group(acct.forwards.values(), lambda r: r.project_id),
            uploads_by_project=_group(acct.uploads.values(), lambda r: r.project_id),
            attachments_by_project=_group(
                (a for a in live_attachments if a.attachable_type != "Forward"),
                lambda r: r.project_id,
            ),
            attachments_by_owner=_group(
                live_attachments, lambda a: (a.attachable_type, a.attachable_id)
            ),
            comments_by_parent=comments,
            calendar_events_by_bucket=_group(
                acct.calendar_events.values(), lambda e: (e.bucket_type, e.bucket_id)
            ),
            events_newest=events,
            events_by_bucket=_group(events, lambda e: (e.bucket_type, e.bucket_id)),
            events_by_creator=_group(events, lambda e: e.creator_id),
            data_timestamp=max(stamps, default=acct.now),
        )

    def comments_of(self, record: Commentable) -> list[Comment]:
        """Live comments of a commentable, oldest first."""
        return self.comments_by_parent.get((type(record).__name__, record.id), [])

    def attachments_of(self, type_name: str, record_id: int) -> list[Attachment]:
        """Live attachments whose attachable is the given record."""
        return self.attachments_by_owner.get((type_name, record_id), [])


def todolist_completed(todos: list[Todo]) -> bool:
    """A list counts as completed once it has live to-dos and all of them are done."""
    live = [t for t in todos if not t.trashed]
    return bool(live) and all(t.completed_at is not None for t in live)
