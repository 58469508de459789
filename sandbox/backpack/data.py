"""Deterministic synthetic Backpack account, built from a size name and a seed.

Everything comes from one ``random.Random(seed)`` and the fixed reference clock, so equal
arguments build equal accounts. What every endpoint and example needs exists at every size:

- page 1 of ``me`` (the "showcase") has every widget kind (notes, a list with open and
  completed items, a gallery with images, an attachment, a separator), two tags and e-mails;
  page 2 has notes, a list and tags but no gallery, attachment or separator (the shape of the
  pages/show example); the first tag sits on both, so tags are shared;
- ``me`` has more than 100 journal entries, so journal paging takes two requests even at tiny;
- at least one user never set a status (``status.xml`` answers 404 for them);
- reminders include past ones (never listed) and upcoming ones with and without ``me``;
- pages come in three kinds: ``me``'s own (scope personal), friends' pages shared with ``me``
  (scope friends) and friends' pages not shared with ``me`` (only in that user's export);
- calendar events mix all-day, timed and multi-day (``occurs-until``) events. The documented
  shape has no recurrence fields, so there are no recurring events.
"""

from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sandbox.backpack import words as words
from sandbox.backpack.model import (
    ASSET,
    GALLERY,
    LIST,
    NOTE,
    SEPARATOR,
    Attachment,
    BackpackAccount,
    Belonging,
    Bookmark,
    Calendar,
    CalendarEvent,
    Email,
    Gallery,
    Image,
    Item,
    JournalEntry,
    Note,
    Page,
    Reminder,
    Separator,
    Status,
    Tag,
    TodoList,
    User,
)
from sandbox.backpack.time import TIME_ZONE_NAME
from sandbox.clock import REFERENCE_NOW
from sandbox.names import FIRST_NAMES, LAST_NAMES

ACCOUNT_START = datetime(2009, 4, 14, 15, 22, 9, tzinfo=UTC)
DEFAULT_ACCOUNT_ID = 88_731
DEFAULT_ACCOUNT = "sandbox"


@dataclass(frozen=True)
class SizeSpec:
    """How much to generate; ranges are inclusive (low, high) per parent."""

    users: int
    my_pages: int
    friend_pages: int
    hidden_pages: int
    notes: tuple[int, int]
    lists: tuple[int, int]
    items: tuple[int, int]
    emails: tuple[int, int]
    galleries: tuple[int, int]
    images: tuple[int, int]
    attachments: tuple[int, int]
    separators: tuple[int, int]
    tags: int
    tags_per_page: tuple[int, int]
    reminders: int
    my_journal: int
    journal_per_user: tuple[int, int]
    bookmarks: int
    calendars: int
    events: tuple[int, int]


SIZES: dict[str, SizeSpec] = {
    "tiny": SizeSpec(
        users=4, my_pages=4, friend_pages=2, hidden_pages=1,
        notes=(1, 2), lists=(1, 2), items=(2, 5), emails=(0, 2), galleries=(0, 1),
        images=(1, 2), attachments=(0, 1), separators=(0, 1), tags=4, tags_per_page=(0, 2),
        reminders=6, my_journal=105, journal_per_user=(2, 5), bookmarks=3, calendars=2,
        events=(2, 4),
    ),
    "default": SizeSpec(
        users=12, my_pages=30, friend_pages=8, hidden_pages=4,
        notes=(1, 4), lists=(1, 3), items=(2, 12), emails=(0, 3), galleries=(0, 1),
        images=(1, 4), attachments=(0, 2), separators=(0, 2), tags=12, tags_per_page=(0, 3),
        reminders=25, my_journal=240, journal_per_user=(5, 30), bookmarks=8, calendars=3,
        events=(5, 15),
    ),
    "large": SizeSpec(
        users=60, my_pages=300, friend_pages=80, hidden_pages=40,
        notes=(1, 4), lists=(1, 3), items=(2, 12), emails=(0, 3), galleries=(0, 1),
        images=(1, 4), attachments=(0, 2), separators=(0, 2), tags=60, tags_per_page=(0, 3),
        reminders=200, my_journal=2400, journal_per_user=(20, 200), bookmarks=30, calendars=6,
        events=(20, 60),
    ),
}


def generate_account(
    size: str = "tiny",
    seed: int = 0,
    account_id: int = DEFAULT_ACCOUNT_ID,
    account: str = DEFAULT_ACCOUNT,
) -> BackpackAccount:
    """Build the account for ``size`` (a key of ``SIZES``) and ``seed``."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(SIZES)}")
    return _Generator(SIZES[size], seed, account_id, account).run()


class _Ids:
    """Increasing ids with small random gaps, one series per record type (like Rails)."""

    def __init__(self, rng: random.Random, start: int) -> None:
        self._rng = rng
        self._last = start

    def next(self) -> int:
        self._last += self._rng.randint(1, 9)
        return self._last


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


class _Generator:
    def __init__(self, spec: SizeSpec, seed: int, account_id: int, account: str) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.ids = {
            kind: _Ids(self.rng, start) for kind, start in (
                ("user", 1200), ("page", 1100), ("note", 1000), ("list", 900),
                ("item", 3300), ("gallery", 2800), ("image", 88200), ("asset", 60800),
                ("separator", 500), ("belonging", 780), ("tag", 3), ("email", 4),
                ("reminder", 4), ("status", 40), ("journal", 7000), ("bookmark", 0),
                ("calendar", 4), ("event", 20),
            )
        }
        self.acct = BackpackAccount(account_id, account, TIME_ZONE_NAME, REFERENCE_NOW)
        self.tags: list[Tag] = []

    # ------------------------------------------------------------------ helpers
    def _id(self, kind: str) -> int:
        return self.ids[kind].next()

    def _between(self, start: datetime, end: datetime) -> datetime:
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))

    def _past(self) -> datetime:
        return self._between(ACCOUNT_START, REFERENCE_NOW - timedelta(hours=1))

    def _count(self, bounds: tuple[int, int]) -> int:
        return self.rng.randint(*bounds)

    def _lines(self, pool: tuple[str, ...], low: int, high: int) -> str:
        return "\n".join(self.rng.sample(pool, self.rng.randint(low, high)))

    # ------------------------------------------------------------------ run
    def run(self) -> BackpackAccount:
        self._users()
        self.tags = [
            Tag(self._id("tag"), name)
            for name in self.rng.sample(words.TAG_NAMES, min(self.spec.tags, len(words.TAG_NAMES)))
        ]
        while len(self.tags) < self.spec.tags:
            self.tags.append(Tag(self._id("tag"), f"Topic {len(self.tags) + 1}"))
        self._pages()
        self._reminders()
        self._journal()
        self._bookmarks()
        self._calendars()
        self.acct.index()
        return self.acct

    def _users(self) -> None:
        names: set[str] = set()
        for position in range(self.spec.users):
            while True:
                name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
                if name not in names:
                    names.add(name)
                    break
            first, last = name.split(" ", 1)
            created = self._between(ACCOUNT_START, ACCOUNT_START + timedelta(days=400))
            user = User(
                self._id("user"), name, f"{_ascii(first)}.{_ascii(last)}@example.com",
                created, self._between(created, REFERENCE_NOW - timedelta(days=1)),
            )
            never = position == self.spec.users - 1
            if position == 0 or (not never and self.rng.random() < 0.6):
                user.status = Status(
                    self._id("status"), user.id, self.rng.choice(words.STATUS_MESSAGES),
                    self._between(REFERENCE_NOW - timedelta(days=30), REFERENCE_NOW),
                )
            self.acct.users.append(user)
        self.acct.me_id = self.acct.users[0].id

    # ------------------------------------------------------------------ pages
    def _pages(self) -> None:
        me = self.acct.me_id
        others = [u.id for u in self.acct.users[1:]]
        titles: set[str] = set()
        for index in range(self.spec.my_pages):
            shared = self.rng.sample(others, self.rng.randint(0, min(2, len(others))))
            self._page(me, shared, titles, showcase=index == 0, plain=index == 1)
        for _ in range(self.spec.friend_pages):
            owner = self.rng.choice(others)
            rest = [o for o in others if o != owner]
            extra = self.rng.sample(rest, self.rng.randint(0, min(1, len(rest))))
            self._page(owner, [me, *extra], titles)
        for _ in range(self.spec.hidden_pages):
            owner = self.rng.choice(others)
            rest = [o for o in others if o != owner]
            self._page(owner, self.rng.sample(rest, self.rng.randint(0, min(1, len(rest)))),
                       titles)
        self.acct.start_page_id = self.acct.pages[0].id

    def _title(self, titles: set[str]) -> str:
        title = self.rng.choice(words.PAGE_TITLES)
        number = 2
        unique = title
        while unique in titles:
            unique = f"{title} {number}"
            number += 1
        titles.add(unique)
        return unique

    def _page(
        self, owner: int, shared: list[int], titles: set[str], *,
        showcase: bool = False, plain: bool = False,
    ) -> None:
        spec = self.spec
        created = self._past()
        address = "".join(self.rng.choices(string.ascii_lowercase + string.digits, k=6))
        page = Page(self._id("page"), self._title(titles), owner,
                    f"{address}@backpackit.com", created, shared)
        notes = 2 if showcase or plain else self._count(spec.notes)
        lists = 1 if showcase or plain else self._count(spec.lists)
        page.notes = [self._note(created) for _ in range(notes)]
        page.lists = [self._list(created, mixed=showcase or plain) for _ in range(lists)]
        if not plain:
            galleries = 1 if showcase else self._count(spec.galleries)
            page.galleries = [self._gallery() for _ in range(galleries)]
            assets = 1 if showcase else self._count(spec.attachments)
            page.attachments = [
                Attachment(self._id("asset"), self.rng.choice(words.ATTACHMENT_FILES))
                for _ in range(assets)
            ]
            separators = 1 if showcase else self._count(spec.separators)
            page.separators = [
                Separator(self._id("separator"), self.rng.choice(words.SEPARATOR_NAMES))
                for _ in range(separators)
            ]
        if showcase or plain:
            page.tags = [self.tags[0], *self.rng.sample(self.tags[1:], 1 if showcase else 0)]
        else:
            count = min(self._count(spec.tags_per_page), len(self.tags))
            page.tags = sorted(self.rng.sample(self.tags, count), key=lambda t: t.id)
        emails = 2 if showcase else self._count(spec.emails)
        page.emails = [self._email(created) for _ in range(emails)]
        widgets = (
            [(NOTE, n.id) for n in page.notes] + [(LIST, lst.id) for lst in page.lists]
            + [(GALLERY, g.id) for g in page.galleries]
            + [(ASSET, a.id) for a in page.attachments]
            + [(SEPARATOR, s.id) for s in page.separators]
        )
        self.rng.shuffle(widgets)
        page.belongings = [
            Belonging(self._id("belonging"), position, kind, widget_id)
            for position, (kind, widget_id) in enumerate(widgets, start=1)
        ]
        self.acct.pages.append(page)

    def _note(self, after: datetime) -> Note:
        return Note(self._id("note"), self.rng.choice(words.NOTE_TITLES),
                    self._lines(words.NOTE_LINES, 1, 3), self._between(after, REFERENCE_NOW))

    def _list(self, after: datetime, *, mixed: bool) -> TodoList:
        todo = TodoList(self._id("list"), self.rng.choice(words.LIST_NAMES))
        count = max(3, self._count(self.spec.items)) if mixed else self._count(self.spec.items)
        for position in range(1, count + 1):
            completed = position > 1 and ((position == 2 and mixed) or self.rng.random() < 0.35)
            todo.items.append(Item(
                self._id("item"), todo.id, self.rng.choice(words.ITEM_TEXTS), completed,
                position, self._between(after, REFERENCE_NOW),
            ))
        return todo

    def _gallery(self) -> Gallery:
        gallery = Gallery(self._id("gallery"), self.rng.choice(words.GALLERY_NAMES))
        gallery.images = [
            Image(self._id("image"), self.rng.choice(words.IMAGE_FILES), gallery.id,
                  self.rng.choice(words.IMAGE_DESCRIPTIONS))
            for _ in range(self._count(self.spec.images))
        ]
        return gallery

    def _email(self, after: datetime) -> Email:
        sender = self.rng.choice(FIRST_NAMES)
        body = f"Hi,\n\n{self._lines(words.NOTE_LINES, 1, 2)}\n\n-- \n{sender}"
        return Email(self._id("email"), self.rng.choice(words.EMAIL_SUBJECTS), body,
                     self._between(after, REFERENCE_NOW))

    # ------------------------------------------------------------------ the rest
    def _reminders(self) -> None:
        me = self.acct.me_id
        users = [u.id for u in self.acct.users]
        others = users[1:]
        soon = (REFERENCE_NOW + timedelta(hours=2), REFERENCE_NOW + timedelta(days=120))
        ago = (REFERENCE_NOW - timedelta(days=200), REFERENCE_NOW - timedelta(hours=1))
        for index in range(self.spec.reminders):
            window = ago if index % 3 == 2 else soon
            if index == 3 and others:
                creator, remindees = others[0], others[-1:]
            else:
                creator = self.rng.choice(users)
                remindees = sorted(self.rng.sample(users, self.rng.randint(1, min(3, len(users)))))
                if index < 3 and me not in remindees and creator != me:
                    remindees = sorted([*remindees, me])
            at = self._between(*window).replace(second=0)
            self.acct.reminders.append(Reminder(
                self._id("reminder"), at, self.rng.choice(words.REMINDER_TEXTS), creator,
                remindees,
            ))

    def _journal(self) -> None:
        for user in self.acct.users:
            count = (self.spec.my_journal if user.id == self.acct.me_id
                     else self._count(self.spec.journal_per_user))
            for _ in range(count):
                created = self._past()
                updated = created if self.rng.random() < 0.7 else self._between(
                    created, REFERENCE_NOW)
                self.acct.journal.append(JournalEntry(
                    self._id("journal"), user.id, self._lines(words.JOURNAL_LINES, 1, 2),
                    created, updated,
                ))

    def _bookmarks(self) -> None:
        me = self.acct.me_id
        pages = self.acct.pages_of(me)
        for position in range(1, self.spec.bookmarks + 1):
            if position % 2 == 0:
                kind, target = "Tag", self.rng.choice(self.tags).id
            else:
                kind, target = "Page", self.rng.choice(pages).id
            self.acct.bookmarks.append(Bookmark(
                self._id("bookmark"), me, kind, target, position, self._past(),
            ))

    def _calendars(self) -> None:
        for index in range(self.spec.calendars):
            created = self._past()
            token = str(self.rng.randint(100, 99_999))
            url = "" if index == 0 else f"webcal://{self.acct.account}.backpackit.com/{token}.ics"
            calendar = Calendar(
                self._id("calendar"), words.CALENDAR_NAMES[index % len(words.CALENDAR_NAMES)],
                words.CALENDAR_COLORS[index % len(words.CALENDAR_COLORS)], token, url, created,
                self._between(created, REFERENCE_NOW),
            )
            for number in range(self._count(self.spec.events)):
                calendar.events.append(self._event(calendar, number))
            self.acct.calendars.append(calendar)

    def _event(self, calendar: Calendar, number: int) -> CalendarEvent:
        created = self._between(calendar.created_at, REFERENCE_NOW)
        when = self._between(REFERENCE_NOW - timedelta(days=300),
                             REFERENCE_NOW + timedelta(days=200))
        all_day = number % 2 == 0
        until: datetime | None = None
        if all_day:
            when = datetime.combine(when.date(), time(0), tzinfo=UTC)
            if number % 4 == 2:
                until = when + timedelta(days=self.rng.randint(1, 4))
        else:
            when = when.replace(minute=self.rng.choice((0, 15, 30, 45)), second=0)
            if number % 3 == 1:
                until = when + timedelta(hours=self.rng.randint(1, 3))
        remind = self.rng.random() < 0.4
        reminded = when - timedelta(hours=1) if remind and when < REFERENCE_NOW else None
        title = self.rng.choice(words.EVENT_TITLES)
        if self.rng.random() < 0.5:
            message = f"{title}: {self.rng.choice(words.NOTE_LINES)}"
        else:
            message = title
        return CalendarEvent(
            self._id("event"), calendar.id, title, message, all_day, when, until, remind,
            reminded, created, self._between(created, REFERENCE_NOW),
        )
