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

import unicodedata
from datetime import UTC, datetime, time, timedelta

from sandbox.backpack import words as words
from sandbox.backpack.data_base import ACCOUNT_START
from sandbox.backpack.data_pages import PageGenerator
from sandbox.backpack.model import (
    BackpackAccount,
    Bookmark,
    Calendar,
    CalendarEvent,
    JournalEntry,
    Reminder,
    Status,
    Tag,
    User,
)
from sandbox.backpack.sizes import SIZES
from sandbox.clock import REFERENCE_NOW
from sandbox.words import FIRST_NAMES, LAST_NAMES

DEFAULT_ACCOUNT_ID = 88_731
DEFAULT_ACCOUNT = "sandbox"


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


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


class _Generator(PageGenerator):
    """The account as a whole: users, tags, pages, reminders, journal, bookmarks, calendars."""

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
