"""Records of the synthetic Backpack account: the ground truth the fake serves and tests read.

Plain dataclasses with aware UTC datetimes; rendering (naive local ws times, ``Z`` REST times,
attribute vs typed-element style) belongs to ``backpack_render``. Lookups are built once by
``BackpackAccount.index`` because every route resolves ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

PERSONAL = "personal"
FRIENDS = "friends"

NOTE = "Note"
LIST = "List"
GALLERY = "Gallery"
ASSET = "Asset"
SEPARATOR = "Separator"


@dataclass
class Status:
    """A user's current status (there is no history)."""

    id: int
    user_id: int
    message: str
    updated_at: datetime


@dataclass
class User:
    id: int
    name: str
    email_address: str
    created_at: datetime
    updated_at: datetime
    status: Status | None = None


@dataclass
class Note:
    id: int
    title: str
    body: str
    created_at: datetime


@dataclass
class Item:
    id: int
    list_id: int
    content: str
    completed: bool
    position: int
    updated_at: datetime


@dataclass
class TodoList:
    """A page's list widget (``List`` in belongings)."""

    id: int
    name: str
    items: list[Item] = field(default_factory=list)

    def ordered_items(self) -> list[Item]:
        """Open items by position, then completed ones, as items/list documents."""
        return sorted(self.items, key=lambda i: (i.completed, i.position))


@dataclass
class Image:
    id: int
    file_name: str
    gallery_id: int
    description: str


@dataclass
class Gallery:
    id: int
    name: str
    images: list[Image] = field(default_factory=list)


@dataclass
class Attachment:
    """An ``Asset`` widget; served as ``attachments/attachment``."""

    id: int
    file_name: str


@dataclass
class Separator:
    """Write-only in the API: readable only as a ``Separator`` widget in belongings."""

    id: int
    name: str


@dataclass
class Belonging:
    id: int
    position: int
    widget_type: str
    widget_id: int


@dataclass
class Tag:
    id: int
    name: str


@dataclass
class Email:
    """A mail sent to the page's address; the body is kept verbatim (multi-line)."""

    id: int
    title: str
    body: str
    created_at: datetime


@dataclass
class Page:
    id: int
    title: str
    owner_id: int
    email_address: str
    created_at: datetime
    shared_with: list[int] = field(default_factory=list)
    belongings: list[Belonging] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    lists: list[TodoList] = field(default_factory=list)
    galleries: list[Gallery] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    separators: list[Separator] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)

    def visible_to(self, user_id: int) -> bool:
        return user_id == self.owner_id or user_id in self.shared_with

    def scope_for(self, user_id: int) -> str:
        """``personal`` for the owner's own pages, ``friends`` for pages a friend shared."""
        return PERSONAL if user_id == self.owner_id else FRIENDS


@dataclass
class Reminder:
    id: int
    remind_at: datetime
    content: str
    creator_id: int
    remindee_ids: list[int]


@dataclass
class JournalEntry:
    id: int
    user_id: int
    body: str
    created_at: datetime
    updated_at: datetime


@dataclass
class Bookmark:
    """A sidebar link of one user; ``bookmarkable_type`` is ``Page`` or ``Tag``."""

    id: int
    user_id: int
    bookmarkable_type: str
    bookmarkable_id: int
    position: int
    created_at: datetime


@dataclass
class CalendarEvent:
    id: int
    calendar_id: int
    title: str
    message: str
    all_day: bool
    occurs_at: datetime
    occurs_until: datetime | None
    remind: bool
    reminded_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass
class Calendar:
    id: int
    name: str
    color: str
    token: str
    ical_subscription_url: str
    created_at: datetime
    updated_at: datetime
    events: list[CalendarEvent] = field(default_factory=list)


@dataclass
class BackpackAccount:
    """One Backpack account as seen by its API token's owner (``me``)."""

    account_id: int
    account: str
    time_zone: str
    now: datetime
    me_id: int = 0
    start_page_id: int = 0
    users: list[User] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    journal: list[JournalEntry] = field(default_factory=list)
    bookmarks: list[Bookmark] = field(default_factory=list)
    calendars: list[Calendar] = field(default_factory=list)
    _users: dict[int, User] = field(default_factory=dict, repr=False)
    _pages: dict[int, Page] = field(default_factory=dict, repr=False)
    _tags: dict[int, Tag] = field(default_factory=dict, repr=False)
    _entries: dict[int, JournalEntry] = field(default_factory=dict, repr=False)
    _calendars: dict[int, Calendar] = field(default_factory=dict, repr=False)
    _events: dict[int, CalendarEvent] = field(default_factory=dict, repr=False)

    def index(self) -> None:
        """(Re)build the id lookups after generation or a test's edit."""
        self._users = {u.id: u for u in self.users}
        self._pages = {p.id: p for p in self.pages}
        self._tags = {t.id: t for p in self.pages for t in p.tags}
        self._entries = {e.id: e for e in self.journal}
        self._calendars = {c.id: c for c in self.calendars}
        self._events = {e.id: e for c in self.calendars for e in c.events}

    @property
    def me(self) -> User:
        return self._users[self.me_id]

    def user(self, user_id: int) -> User | None:
        return self._users.get(user_id)

    def page(self, page_id: int) -> Page | None:
        return self._pages.get(page_id)

    def tag(self, tag_id: int) -> Tag | None:
        return self._tags.get(tag_id)

    def journal_entry(self, entry_id: int) -> JournalEntry | None:
        return self._entries.get(entry_id)

    def calendar(self, calendar_id: int) -> Calendar | None:
        return self._calendars.get(calendar_id)

    def calendar_event(self, event_id: int) -> CalendarEvent | None:
        return self._events.get(event_id)

    def pages_of(self, user_id: int) -> list[Page]:
        """Pages a user can open: own pages, then pages friends shared, each by id."""
        return sorted(
            (p for p in self.pages if p.visible_to(user_id)),
            key=lambda p: (p.owner_id != user_id, p.id),
        )

    def tagged(self, tag_id: int, user_id: int) -> list[Page]:
        """Pages visible to ``user_id`` that carry the tag."""
        return [p for p in self.pages_of(user_id) if any(t.id == tag_id for t in p.tags)]

    def reminders_of(self, user_id: int) -> list[Reminder]:
        """Reminders a user created or is reminded by, earliest first (past ones included)."""
        mine = [r for r in self.reminders if user_id == r.creator_id or user_id in r.remindee_ids]
        return sorted(mine, key=lambda r: (r.remind_at, r.id))

    def upcoming_reminders(self, user_id: int) -> list[Reminder]:
        """What ``/reminders.xml`` lists: only reminders still ahead of ``now``."""
        return [r for r in self.reminders_of(user_id) if r.remind_at > self.now]

    def journal_of(self, user_id: int | None) -> list[JournalEntry]:
        """Journal entries newest first, of one user or (None) of everyone."""
        rows = [e for e in self.journal if user_id is None or e.user_id == user_id]
        return sorted(rows, key=lambda e: (e.created_at, e.id), reverse=True)
