"""Records of a synthetic Basecamp 3/4 account: people, projects and recordings.

BC4 stores nearly everything as a *recording* (a typed node with a parent and a bucket), so one
``Recording`` class with a ``type`` and a small ``extra`` dict holds every content item; the
renderer turns it into the type's JSON shape. Indexes by parent keep route handlers cheap.
Gauges, needles and timesheet entries are recordings too; boosts, webhooks, chatbots and Lineup
markers are their own small records. Hard deletes leave a ``Tombstone``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ACTIVE = "active"
ARCHIVED = "archived"
TRASHED = "trashed"
STATUSES = (ACTIVE, ARCHIVED, TRASHED)

# Dock ``name`` of each tool kind and the recording type of its root container.
TOOL_TYPES: dict[str, str] = {
    "message_board": "Message::Board",
    "todoset": "Todoset",
    "vault": "Vault",
    "chat": "Chat::Transcript",
    "schedule": "Schedule",
    "questionnaire": "Questionnaire",
    "inbox": "Inbox",
    "kanban_board": "Kanban::Board",
}

# Types ``/projects/recordings.json?type=`` accepts (Door is in openapi.json only; none exist).
LISTABLE_TYPES = (
    "Comment", "Document", "Door", "Kanban::Card", "Kanban::Step", "Message",
    "Question::Answer", "Schedule::Entry", "Todo", "Todolist", "Upload", "Vault",
)

COLUMN_TYPES = ("Kanban::Triage", "Kanban::Column", "Kanban::DoneColumn", "Kanban::NotNowColumn")

# Types whose openapi shape carries ``boosts_count``/``boosts_url`` (Todo, Message, Comment, ...).
BOOSTABLE_TYPES = (
    "Todo", "Todolist", "Message", "Document", "Upload", "Schedule::Entry", "Chat::Lines::Text",
    "Question::Answer", "Inbox::Forward::Reply", "Kanban::Card", "Comment", "Gauge::Needle",
)
# Types that render a ``subscription_url`` (so ``/recordings/{id}/subscription.json`` answers).
SUBSCRIBABLE_TYPES = (
    "Todo", "Todolist", "Message", "Document", "Upload", "Schedule::Entry", "Question",
    "Question::Answer", "Inbox::Forward", "Kanban::Board", "Kanban::Card", "Client::Approval",
    "Client::Correspondence", "Gauge::Needle",
)


@dataclass
class Person:
    """A user of the account; ``system`` people have string ids (``LocalPerson``)."""

    id: int | str
    name: str
    email_address: str
    title: str
    bio: str | None
    location: str | None
    created_at: datetime
    updated_at: datetime
    admin: bool = False
    owner: bool = False
    client: bool = False
    employee: bool = True
    time_zone: str = "America/Chicago"
    company: tuple[int, str] | None = None
    personable_type: str = "User"

    @property
    def system(self) -> bool:
        return self.personable_type == "LocalPerson"


@dataclass
class Tool:
    """One dock entry; its id is also the id of the tool's root recording."""

    id: int
    name: str
    title: str
    enabled: bool
    position: int | None


@dataclass
class Project:
    """A project (bucket); templates are projects served only by ``/templates.json``."""

    id: int
    name: str
    description: str
    purpose: str
    status: str
    created_at: datetime
    updated_at: datetime
    start_date: str | None = None
    end_date: str | None = None
    clients_enabled: bool = False
    template: bool = False
    dock: list[Tool] = field(default_factory=list)
    people: list[int | str] = field(default_factory=list)
    category_ids: list[int] = field(default_factory=list)
    client_board_id: int | None = None
    timesheet_enabled: bool = False
    gauge_id: int | None = None


@dataclass
class Recording:
    """Any content item; ``extra`` holds type-specific fields (completed, due_on, ...)."""

    id: int
    type: str
    bucket_id: int
    parent_id: int | None
    status: str
    created_at: datetime
    updated_at: datetime
    title: str
    creator_id: int | str
    content: str = ""
    position: int | None = None
    visible_to_clients: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Event:
    """One entry of a recording's change history."""

    id: int
    recording_id: int
    action: str
    details: dict[str, Any]
    created_at: datetime
    creator_id: int | str
    file: tuple[str, int] | None = None  # (filename, byte_size) an upload version recorded


@dataclass
class Boost:
    """An emoji reaction on a recording (``/recordings/{id}/boosts.json``)."""

    id: int
    recording_id: int
    content: str
    created_at: datetime
    booster_id: int | str


@dataclass
class Webhook:
    """A project's webhook; served whole by ``/buckets/{p}/webhooks.json``."""

    id: int
    bucket_id: int
    payload_url: str
    types: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


@dataclass
class Chatbot:
    """An account-wide campfire integration, created from one campfire (``chat_id``).

    Every campfire lists every chatbot; ``key`` seeds the secret part of the campfire-specific
    ``lines_url`` each campfire gets.
    """

    id: int
    bucket_id: int
    chat_id: int
    service_name: str
    command_url: str | None
    key: str
    created_at: datetime
    updated_at: datetime


@dataclass
class LineupMarker:
    """A named date on the account's Lineup."""

    id: int
    name: str
    date: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Tombstone:
    """What a hard-deleted recording was, so listings it left can still move Last-Modified."""

    id: int
    type: str
    bucket_id: int
    parent_id: int | None
    deleted_at: datetime


@dataclass
class MessageType:
    """A message category (``/buckets/{p}/categories.json``)."""

    id: int
    name: str
    icon: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Bc4Account:
    """The whole synthetic account plus the indexes the routes need."""

    account_id: int
    name: str
    now: datetime
    people: dict[int | str, Person] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    recordings: dict[int, Recording] = field(default_factory=dict)
    events: dict[int, list[Event]] = field(default_factory=dict)
    categories: dict[int, MessageType] = field(default_factory=dict)
    children: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    boosts: dict[int, list[Boost]] = field(default_factory=dict)
    webhooks: dict[int, list[Webhook]] = field(default_factory=dict)
    chatbots: list[Chatbot] = field(default_factory=list)
    markers: list[LineupMarker] = field(default_factory=list)
    tombstones: dict[int, Tombstone] = field(default_factory=dict)
    next_id: int = 0  # last recording id handed out (mutations continue from it)
    next_event: int = 0  # last event id handed out
    mutations: int = 0  # mutate() calls so far: repeated seeds still draw fresh changes

    def add(self, recording: Recording) -> Recording:
        """Store a recording and index it under its parent."""
        self.recordings[recording.id] = recording
        if recording.parent_id is not None:
            self.children[recording.parent_id].append(recording.id)
        return recording

    def kids(self, parent_id: int, *types: str) -> list[Recording]:
        """Children of a recording, optionally only of the given types, in insertion order."""
        found = (self.recordings[i] for i in self.children.get(parent_id, ()))
        return [r for r in found if not types or r.type in types]

    def subtree(self, recording_id: int) -> list[int]:
        """A recording and all its descendants, parents before children."""
        found, stack = [], [recording_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        return found

    def delete(self, recording_id: int, when: datetime) -> list[int]:
        """Hard-delete a recording with its descendants, boosts and events; returns the ids."""
        doomed = self.subtree(recording_id)
        parent_id = self.recordings[recording_id].parent_id
        if parent_id is not None:
            self.children[parent_id].remove(recording_id)
        for rec_id in doomed:
            rec = self.recordings.pop(rec_id)
            self.tombstones[rec_id] = Tombstone(rec_id, rec.type, rec.bucket_id, rec.parent_id,
                                                when)
            self.children.pop(rec_id, None)
            self.events.pop(rec_id, None)
            self.boosts.pop(rec_id, None)
        return doomed

    def counts(self) -> dict[str, int]:
        """Recordings per type, for reports and tests."""
        tally: dict[str, int] = defaultdict(int)
        for recording in self.recordings.values():
            tally[recording.type] += 1
        return dict(tally)
