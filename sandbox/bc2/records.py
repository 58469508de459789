"""Rows of a Basecamp 2 account: one keyword-only dataclass per kind of record.

A stored record reports every field assignment to its account (``Record.__setattr__``), which
is how tests simulate activity between two syncs; ``sandbox.bc2.model`` holds the tables and
the derived index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

ACTIVE = "active"
ARCHIVED = "archived"
DRAFT = "draft"
TEMPLATE = "template"
TRASHED = "trashed"
PROJECT_STATES = (ACTIVE, ARCHIVED, DRAFT, TEMPLATE, TRASHED)
PUBLISHED_STATES = (ACTIVE, ARCHIVED)


@dataclass(kw_only=True, eq=False)
class Record:
    """Base row: reports every field assignment to the owning account once stored."""

    id: int

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        owner = self.__dict__.get("_owner")
        if owner is not None:
            owner.touch()


@dataclass(kw_only=True, eq=False)
class Person(Record):
    identity_id: int
    name: str
    email_address: str
    admin: bool = False
    client: bool = False
    trashed: bool = False
    avatar_key: str
    created_at: datetime
    updated_at: datetime


@dataclass(kw_only=True, eq=False)
class Project(Record):
    name: str
    description: str | None
    color: str
    state: str = ACTIVE
    is_client_project: bool = False
    creator_id: int
    created_at: datetime
    updated_at: datetime
    access_ids: tuple[int, ...] = ()
    starred_at: datetime | None = None


@dataclass(kw_only=True, eq=False)
class Group(Record):
    """A group (company) when ``parent_id`` is None, else a subgroup (department)."""

    name: str
    parent_id: int | None = None
    member_ids: tuple[int, ...] = ()
    created_at: datetime
    updated_at: datetime


@dataclass(kw_only=True, eq=False)
class Calendar(Record):
    name: str
    color: str
    creator_id: int
    created_at: datetime
    updated_at: datetime
    access_ids: tuple[int, ...] = ()


@dataclass(kw_only=True, eq=False)
class Commentable(Record):
    """Anything that can carry comments, subscribers and therefore a topic."""

    creator_id: int
    created_at: datetime
    updated_at: datetime
    private: bool = False
    trashed: bool = False
    topic_id: int
    topic_archived: bool = False
    subscriber_ids: tuple[int, ...] = ()


@dataclass(kw_only=True, eq=False)
class Message(Commentable):
    project_id: int
    subject: str
    content: str


@dataclass(kw_only=True, eq=False)
class Document(Commentable):
    project_id: int
    title: str
    content: str
    last_updater_id: int


@dataclass(kw_only=True, eq=False)
class Forward(Commentable):
    project_id: int
    subject: str
    sender: str | None
    content: str
    content_html: str


@dataclass(kw_only=True, eq=False)
class Upload(Commentable):
    project_id: int
    content: str


@dataclass(kw_only=True, eq=False)
class Todolist(Commentable):
    project_id: int
    name: str
    description: str
    position: int


@dataclass(kw_only=True, eq=False)
class Todo(Commentable):
    project_id: int
    todolist_id: int
    content: str
    position: int
    due_at: date | None = None
    assignee_id: int | None = None
    completed_at: datetime | None = None
    completer_id: int | None = None


@dataclass(frozen=True)
class Recurring:
    """Recurrence rule of a calendar event; ``count`` and ``until`` None means forever."""

    frequency: str
    count: int | None = None
    until: date | None = None
    excluding: tuple[int, ...] = ()


@dataclass(kw_only=True, eq=False)
class CalendarEvent(Commentable):
    """Lives in a project or a standalone calendar (``bucket_type`` Project or Calendar).

    ``starts_at``/``ends_at`` are dates for all-day events and aware datetimes otherwise.
    """

    bucket_type: str
    bucket_id: int
    summary: str
    description: str
    all_day: bool
    starts_at: date | datetime
    ends_at: date | datetime
    recurring: Recurring | None = None


@dataclass(kw_only=True, eq=False)
class Comment(Record):
    parent_type: str
    parent_id: int
    content: str
    creator_id: int
    created_at: datetime
    updated_at: datetime
    private: bool = False
    trashed: bool = False


@dataclass(kw_only=True, eq=False)
class Attachment(Record):
    """A file, or a linked cloud document when ``linked_source`` is set (no key, no url)."""

    project_id: int
    key: str | None
    name: str
    byte_size: int
    content_type: str
    creator_id: int
    created_at: datetime
    updated_at: datetime
    attachable_type: str
    attachable_id: int
    tags: tuple[str, ...] = ()
    private: bool = False
    trashed: bool = False
    linked_source: str | None = None
    linked_type: str | None = None
    link_url: str | None = None


@dataclass(kw_only=True, eq=False)
class Event(Record):
    """One line of the activity feed; ``comment_id`` is set for "commented on" events."""

    bucket_type: str
    bucket_id: int
    creator_id: int
    created_at: datetime
    updated_at: datetime
    action: str
    target: str
    eventable_type: str
    eventable_id: int
    comment_id: int | None = None
    private: bool = False
