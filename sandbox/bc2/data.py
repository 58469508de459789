"""Deterministic synthetic Basecamp 2 account, built from a size name and a seed.

Everything comes from one ``random.Random(seed)`` and the fixed reference clock in
``sandbox.clock``, so two generators with the same arguments build identical accounts. The first
active project is the "showcase": whatever must exist at every size for every endpoint to have
rows (a list long enough to page, 51+ attachments, completed and trashed lists and to-dos, an
archived topic, a linked Google doc, recurring events, past and upcoming events) is placed
there; the rest of the account is random within the ``SizeSpec`` ranges.

Choices the reference leaves open:

- All comments get ids. The documents example shows a comment without one; that is treated as
  a documentation slip rather than behaviour to copy.
- Attachments embedded in forwards are not listed by the attachments endpoints (their
  attachable type would be "Forward", which the docs never list).
- Trashed people keep authoring old content in archived projects, so creators can reference
  people missing from ``/people.json`` (they are in ``/people/trashed.json``).
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, date, datetime, timedelta

from sandbox.bc2 import words as words
from sandbox.bc2.data_base import ACCOUNT_START, Scope
from sandbox.bc2.data_content import ContentGenerator
from sandbox.bc2.model import Bc2Account
from sandbox.bc2.records import (
    ACTIVE,
    ARCHIVED,
    DRAFT,
    PUBLISHED_STATES,
    TEMPLATE,
    TRASHED,
    Calendar,
    Group,
    Person,
    Project,
    Recurring,
)
from sandbox.bc2.sizes import SIZES
from sandbox.words import FIRST_NAMES, LAST_NAMES

DEFAULT_ACCOUNT_ID = 999_999_999


def generate_account(
    size: str = "tiny", seed: int = 0, account_id: int = DEFAULT_ACCOUNT_ID
) -> Bc2Account:
    """Build the account for ``size`` (a key of ``SIZES``) and ``seed``."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(SIZES)}")
    return _Generator(SIZES[size], seed, account_id).run()


class _Generator(ContentGenerator):
    """The account as a whole: people, groups, projects and standalone calendars."""

    def run(self) -> Bc2Account:
        self._people()
        self._groups()
        self._projects()
        self._calendars()
        return self.acct

    def _people(self) -> None:
        spec = self.spec
        pairs = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
        self.rng.shuffle(pairs)
        total = spec.people + spec.trashed_people
        for i, (first, last) in enumerate(pairs[:total]):
            created = ACCOUNT_START if i == 0 else self._between(
                ACCOUNT_START, self.now - timedelta(days=400)
            )
            client = spec.people - spec.clients <= i < spec.people
            handle = f"{_ascii(first)}.{_ascii(last)}".lower().replace("'", "")
            domain = words.CLIENT_DOMAINS[i % len(words.CLIENT_DOMAINS)] if client else (
                "sandbox.example"
            )
            person = self.acct.people.add(
                Person(
                    id=self.ids.next(),
                    identity_id=self.ids.next(),
                    name=f"{first} {last}",
                    email_address=f"{handle}@{domain}",
                    admin=i < 3,
                    client=client,
                    trashed=i >= spec.people,
                    avatar_key=hashlib.sha1(f"avatar-{first}-{last}".encode()).hexdigest(),
                    created_at=created,
                    updated_at=self._between(created, created + timedelta(days=300)),
                )
            )
            if i == 0:
                self.acct.me_id = person.id
        people = list(self.acct.people.values())
        self.staff = [p.id for p in people if not p.client and not p.trashed]
        self.clients = [p.id for p in people if p.client and not p.trashed]
        self.trashed_people = [p.id for p in people if p.trashed]

    def _groups(self) -> None:
        start = datetime(2014, 9, 24, 14, 12, tzinfo=UTC)
        for i in range(self.spec.groups):
            created = self._between(start, start + timedelta(days=30 * (i + 1)))
            pool = self.clients if i == 1 else self.staff
            members = self.rng.sample(pool, min(len(pool), self.rng.randint(2, 8)))
            group = self.acct.groups.add(
                Group(
                    id=self.ids.next(), name=words.GROUP_NAMES[i % len(words.GROUP_NAMES)],
                    member_ids=tuple(members), created_at=created,
                    updated_at=self._between(created, self.now - timedelta(days=30)),
                )
            )
            subgroups = 3 if i == 0 else (0 if i == 1 else self.rng.randint(0, 2))
            for s in range(subgroups):
                sub_created = self._between(created, group.updated_at)
                self.acct.groups.add(
                    Group(
                        id=self.ids.next(),
                        name=words.SUBGROUP_NAMES[s % len(words.SUBGROUP_NAMES)],
                        parent_id=group.id,
                        member_ids=tuple(self.rng.sample(self.staff, 2)),
                        created_at=sub_created,
                        updated_at=sub_created,
                    )
                )

    def _project_name(self) -> str:
        base = f"{self.rng.choice(words.PROJECT_ADJECTIVES)} {self.rng.choice(words.PROJECT_NOUNS)}"
        name, n = base, 2
        while name in self._project_names:
            name, n = f"{base} {n}", n + 1
        self._project_names.add(name)
        return name

    def _project_window(self, state: str, showcase: bool) -> tuple[datetime, datetime]:
        now = self.now
        if showcase:
            created = datetime(2012, 4, 2, 15, 0, 12, tzinfo=UTC)
            return created, now - timedelta(hours=3)
        if state == ACTIVE:
            created = self._between(ACCOUNT_START, now - timedelta(days=120))
            return created, now - timedelta(minutes=self.rng.randint(60, 30 * 24 * 60))
        if state == ARCHIVED:
            created = self._between(ACCOUNT_START, datetime(2019, 1, 1, tzinfo=UTC))
            return created, created + timedelta(days=self.rng.randint(200, 700))
        if state == DRAFT:
            created = now - timedelta(days=self.rng.randint(10, 60))
            return created, created + timedelta(days=2)
        if state == TEMPLATE:
            created = self._between(datetime(2013, 1, 1, tzinfo=UTC), now - timedelta(days=700))
            return created, created + timedelta(days=1)
        created = self._between(datetime(2015, 1, 1, tzinfo=UTC), now - timedelta(days=400))
        return created, created + timedelta(days=self.rng.randint(30, 300))

    def _projects(self) -> None:
        spec = self.spec
        states = (
            [ACTIVE] * spec.active_projects + [ARCHIVED] * spec.archived_projects
            + [DRAFT] * spec.draft_projects + [TEMPLATE] * spec.templates
            + [TRASHED] * spec.trashed_projects
        )
        me = self.acct.me_id
        staff_set = set(self.staff)
        for i, state in enumerate(states):
            showcase = i == 0
            created, end = self._project_window(state, showcase)
            client_project = state == ACTIVE and (i == 1 or self.rng.random() < 0.2)
            creator = me if state in (DRAFT, TRASHED) or showcase else self.rng.choice(
                self.staff[:10]
            )
            size = self._count(spec.accesses)
            staff = [me, creator, *self.rng.sample(self.staff, min(size, len(self.staff)))]
            if showcase:
                staff += self.staff[:6]
            clients = self.clients[: self.rng.randint(1, len(self.clients))] if (
                client_project and self.clients
            ) else []
            access = tuple(dict.fromkeys(staff + clients))
            project = self.acct.projects.add(
                Project(
                    id=self.ids.next(), name=self._project_name(),
                    description=None if self.rng.random() < 0.25 else self._sentence(),
                    color=self.rng.choice(words.COLORS), state=state,
                    is_client_project=client_project or (state == TEMPLATE and i % 2 == 0),
                    creator_id=creator, created_at=created, updated_at=created,
                    access_ids=access,
                )
            )
            if state == ACTIVE and (showcase or self.rng.random() < 0.4):
                project.starred_at = self._between(created, end)
            scope = Scope(
                bucket_type="Project", bucket_id=project.id, project_id=project.id,
                start=created + timedelta(minutes=10), end=end,
                members=list(access) + (self.trashed_people if state == ARCHIVED else []),
                staff=[p for p in access if p in staff_set],
                with_events=state in PUBLISHED_STATES, showcase=showcase, latest=created,
            )
            if state != TRASHED:
                self._project_content(scope, light=state in (DRAFT, TEMPLATE))
            project.updated_at = max(scope.latest, created)

    def _calendars(self) -> None:
        me = self.acct.me_id
        for i in range(self.spec.calendars):
            created = self._between(ACCOUNT_START, self.now - timedelta(days=200))
            sample = self.rng.sample(self.staff, min(len(self.staff), self.rng.randint(2, 8)))
            calendar = self.acct.calendars.add(
                Calendar(
                    id=self.ids.next(), name=words.CALENDAR_NAMES[i % len(words.CALENDAR_NAMES)],
                    color=self.rng.choice(words.COLORS), creator_id=me, created_at=created,
                    updated_at=created, access_ids=tuple(dict.fromkeys([me, *sample])),
                )
            )
            scope = Scope(
                bucket_type="Calendar", bucket_id=calendar.id, project_id=0,
                start=created + timedelta(minutes=5), end=self.now - timedelta(hours=6),
                members=list(calendar.access_ids), staff=list(calendar.access_ids),
                with_events=True, latest=created,
            )
            plans: list[tuple[str, Recurring | None]] = [("past-day", None), ("soon-timed", None)]
            if i == 0:
                plans += [("recurring", Recurring("yearly")),
                          ("recurring", Recurring("daily", until=date(2026, 6, 20),
                                                  excluding=(4,)))]
            for kind, rule in plans:
                self._calendar_event(scope, kind, rule)
            calendar.updated_at = scope.latest


def _ascii(text: str) -> str:
    """Drop accents so generated e-mail addresses stay ASCII."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if not unicodedata.combining(ch))
