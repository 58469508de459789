"""Deterministic synthetic Basecamp 2 account, built from a size name and a seed.

Everything comes from one ``random.Random(seed)`` and the fixed reference clock in
``bc2_time``, so two generators with the same arguments build identical accounts. The first
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
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sandbox import names as names
from sandbox.bc2 import words as words
from sandbox.bc2.model import (
    ACTIVE,
    ARCHIVED,
    DRAFT,
    PUBLISHED_STATES,
    TEMPLATE,
    TRASHED,
    Attachment,
    Bc2Account,
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
    Recurring,
    Todo,
    Todolist,
    Upload,
)
from sandbox.bc2.time import local_day
from sandbox.clock import REFERENCE_NOW, eastern_offset

ACCOUNT_START = datetime(2012, 3, 22, 21, 56, 48, tzinfo=UTC)
DEFAULT_ACCOUNT_ID = 999_999_999
FIRST_BIG_ID = 3_000_000_123


@dataclass(frozen=True)
class SizeSpec:
    """How much of everything to generate; ranges are inclusive (low, high) per parent."""

    people: int
    trashed_people: int
    clients: int
    groups: int
    active_projects: int
    archived_projects: int
    draft_projects: int
    trashed_projects: int
    templates: int
    calendars: int
    todolists: tuple[int, int]
    todos: tuple[int, int]
    messages: tuple[int, int]
    documents: tuple[int, int]
    forwards: tuple[int, int]
    uploads: tuple[int, int]
    files_per_upload: tuple[int, int]
    calendar_events: tuple[int, int]
    comments: tuple[int, int]
    accesses: tuple[int, int]
    showcase_todos: int
    showcase_attachments: int


SIZES: dict[str, SizeSpec] = {
    "tiny": SizeSpec(
        people=52, trashed_people=2, clients=3, groups=3,
        active_projects=3, archived_projects=1, draft_projects=1, trashed_projects=1,
        templates=2, calendars=2,
        todolists=(1, 1), todos=(2, 2), messages=(1, 1), documents=(1, 1), forwards=(1, 1),
        uploads=(1, 1), files_per_upload=(1, 2), calendar_events=(1, 1), comments=(1, 2),
        accesses=(3, 6), showcase_todos=54, showcase_attachments=52,
    ),
    "default": SizeSpec(
        people=60, trashed_people=4, clients=6, groups=4,
        active_projects=11, archived_projects=2, draft_projects=1, trashed_projects=1,
        templates=2, calendars=3,
        todolists=(2, 5), todos=(3, 12), messages=(3, 10), documents=(1, 4), forwards=(0, 3),
        uploads=(2, 6), files_per_upload=(1, 3), calendar_events=(3, 8), comments=(1, 4),
        accesses=(5, 20), showcase_todos=120, showcase_attachments=80,
    ),
    "large": SizeSpec(
        people=600, trashed_people=40, clients=60, groups=12,
        active_projects=110, archived_projects=20, draft_projects=5, trashed_projects=5,
        templates=5, calendars=10,
        todolists=(2, 5), todos=(3, 12), messages=(3, 10), documents=(1, 4), forwards=(0, 3),
        uploads=(2, 6), files_per_upload=(1, 3), calendar_events=(3, 8), comments=(1, 4),
        accesses=(5, 40), showcase_todos=1200, showcase_attachments=500,
    ),
}


def generate_account(
    size: str = "tiny", seed: int = 0, account_id: int = DEFAULT_ACCOUNT_ID
) -> Bc2Account:
    """Build the account for ``size`` (a key of ``SIZES``) and ``seed``."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {sorted(SIZES)}")
    return _Generator(SIZES[size], seed, account_id).run()


class _Ids:
    """Unique 9-10 digit ids, plus a few above 2**31 so clients must store int64."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[int] = set()
        self._big = FIRST_BIG_ID

    def next(self) -> int:
        while True:
            value = self._rng.randrange(100_000_000, 2_100_000_000)
            if value not in self._used:
                self._used.add(value)
                return value

    def big(self) -> int:
        value = self._big
        self._big += 1
        return value


@dataclass
class _Scope:
    """Where content is being generated: a project or a standalone calendar."""

    bucket_type: str
    bucket_id: int
    project_id: int
    start: datetime
    end: datetime
    members: list[int]
    staff: list[int]
    with_events: bool
    showcase: bool = False
    latest: datetime = field(default=ACCOUNT_START)


class _Generator:
    def __init__(self, spec: SizeSpec, seed: int, account_id: int) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.ids = _Ids(self.rng)
        self.now = REFERENCE_NOW
        self.acct = Bc2Account(account_id, "Sandbox Co.", REFERENCE_NOW)
        self._project_names: set[str] = set()

    # ------------------------------------------------------------------ helpers
    def _between(self, start: datetime, end: datetime) -> datetime:
        span = max(0, int((end - start).total_seconds()))
        return start + timedelta(seconds=self.rng.randint(0, span))

    def _when(self, scope: _Scope, after: datetime | None = None) -> datetime:
        start = max(scope.start, after) if after else scope.start
        moment = self._between(start, max(start, scope.end))
        scope.latest = max(scope.latest, moment)
        return moment

    def _edited(self, scope: _Scope, created: datetime) -> datetime:
        """An ``updated_at``: often equal to creation, sometimes a later edit."""
        if self.rng.random() < 0.5:
            return created
        return self._when(scope, created)

    def _count(self, bounds: tuple[int, int]) -> int:
        return self.rng.randint(*bounds)

    def _phrase(self) -> str:
        return f"{self.rng.choice(words.VERBS)} the {self.rng.choice(words.NOUNS)}"

    def _sentence(self) -> str:
        return self.rng.choice(words.SENTENCES)

    def _private(self) -> bool:
        return self.rng.random() < 0.1

    def _subscribers(
        self, scope: _Scope, creator: int, comments: list[Comment]
    ) -> tuple[int, ...]:
        chosen = [creator, *(c.creator_id for c in comments)]
        chosen += self.rng.sample(scope.staff, min(2, len(scope.staff)))
        return tuple(dict.fromkeys(chosen))

    def _event(
        self,
        scope: _Scope,
        creator: int,
        at: datetime,
        action: str,
        target: str,
        eventable: Commentable,
        comment: Comment | None = None,
        big_id: bool = False,
    ) -> None:
        if not scope.with_events:
            return
        updated = at + timedelta(minutes=5) if self.rng.random() < 0.05 else at
        self.acct.events.add(
            Event(
                id=self.ids.big() if big_id else self.ids.next(),
                bucket_type=scope.bucket_type,
                bucket_id=scope.bucket_id,
                creator_id=creator,
                created_at=at,
                updated_at=min(updated, self.now),
                action=action,
                target=target,
                eventable_type=type(eventable).__name__,
                eventable_id=eventable.id,
                comment_id=comment.id if comment else None,
                private=eventable.private,
            )
        )

    def _comments(
        self, scope: _Scope, parent: Commentable, title: str, count: int, big_first: bool = False
    ) -> list[Comment]:
        made: list[Comment] = []
        after = parent.created_at
        for n in range(count):
            created = self._when(scope, after)
            after = created
            comment = self.acct.comments.add(
                Comment(
                    id=self.ids.big() if big_first and n == 0 else self.ids.next(),
                    parent_type=type(parent).__name__,
                    parent_id=parent.id,
                    content=self.rng.choice(words.COMMENTS),
                    creator_id=self.rng.choice(scope.members),
                    created_at=created,
                    updated_at=self._edited(scope, created),
                    private=parent.private,
                )
            )
            if scope.bucket_type == "Project" and self.rng.random() < 0.15:
                self._attachment(scope, "Comment", comment.id, comment.creator_id, created)
            self._event(scope, comment.creator_id, created, "commented on", title, parent, comment)
            made.append(comment)
        return made

    def _maybe_comments(
        self, scope: _Scope, parent: Commentable, title: str, chance: float
    ) -> list[Comment]:
        if self.rng.random() >= chance:
            return []
        return self._comments(scope, parent, title, self._count(self.spec.comments))

    def _attachment(
        self,
        scope: _Scope,
        owner_type: str,
        owner_id: int,
        creator: int,
        at: datetime,
        linked: bool = False,
        tags: tuple[str, ...] | None = None,
    ) -> Attachment:
        attachment_id = self.ids.next()
        if tags is None:
            tags = tuple(self.rng.sample(words.TAGS, self.rng.randint(1, 2))) if (
                self.rng.random() < 0.3
            ) else ()
        if linked:
            return self.acct.attachments.add(
                Attachment(
                    id=attachment_id, project_id=scope.project_id, key=None,
                    name="Business ponderings", byte_size=0,
                    content_type="application/vnd.google-apps.document",
                    creator_id=creator, created_at=at, updated_at=at,
                    attachable_type=owner_type, attachable_id=owner_id, tags=tags,
                    linked_source="google", linked_type="document",
                    link_url=f"https://docs.google.com/document/d/{attachment_id:x}sandbox",
                )
            )
        name, content_type = self.rng.choice(words.FILES)
        return self.acct.attachments.add(
            Attachment(
                id=attachment_id, project_id=scope.project_id,
                key=hashlib.sha1(f"attachment-{attachment_id}".encode()).hexdigest(),
                name=name, byte_size=self.rng.randint(2_000, 600_000), content_type=content_type,
                creator_id=creator, created_at=at, updated_at=at,
                attachable_type=owner_type, attachable_id=owner_id, tags=tags,
            )
        )

    # ------------------------------------------------------------------ people and groups
    def run(self) -> Bc2Account:
        self._people()
        self._groups()
        self._projects()
        self._calendars()
        return self.acct

    def _people(self) -> None:
        spec = self.spec
        pairs = [(f, last) for f in names.FIRST_NAMES for last in names.LAST_NAMES]
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

    # ------------------------------------------------------------------ projects
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
            scope = _Scope(
                bucket_type="Project", bucket_id=project.id, project_id=project.id,
                start=created + timedelta(minutes=10), end=end,
                members=list(access) + (self.trashed_people if state == ARCHIVED else []),
                staff=[p for p in access if p in staff_set],
                with_events=state in PUBLISHED_STATES, showcase=showcase, latest=created,
            )
            if state != TRASHED:
                self._project_content(scope, light=state in (DRAFT, TEMPLATE))
            project.updated_at = max(scope.latest, created)

    def _project_content(self, scope: _Scope, light: bool) -> None:
        self._todolists(scope, light)
        self._documents(scope, 1 if light else self._count(self.spec.documents))
        if light:
            return
        self._messages(scope)
        self._forwards(scope)
        self._uploads(scope)
        self._calendar_events(scope, archived=scope.end < self.now - timedelta(days=60))

    # ------------------------------------------------------------------ to-dos
    def _todolists(self, scope: _Scope, light: bool) -> None:
        if scope.showcase:
            kinds = ["long", "completed", "trashed", "normal"]
        elif light:
            kinds = ["normal"]
        else:
            kinds = [
                self.rng.choices(("normal", "completed", "trashed"), (88, 8, 4))[0]
                for _ in range(self._count(self.spec.todolists))
            ]
        for position, kind in enumerate(kinds, start=1):
            created = self._when(scope)
            todolist = self.acct.todolists.add(
                Todolist(
                    id=self.ids.next(), topic_id=self.ids.next(), project_id=scope.project_id,
                    name=self.rng.choice(words.LIST_NAMES),
                    description=self._sentence() if self.rng.random() < 0.7 else "",
                    position=position, creator_id=self.rng.choice(scope.staff),
                    created_at=created, updated_at=created, private=self._private(),
                    trashed=kind == "trashed",
                )
            )
            self._event(scope, todolist.creator_id, created, "created a to-do list<span>:</span>",
                        todolist.name, todolist)
            if kind == "long":
                count = self.spec.showcase_todos
            elif light or kind != "normal":
                count = 2
            else:
                count = self._count(self.spec.todos)
            latest = created
            for n in range(count):
                todo = self._todo(scope, todolist, n, count, kind)
                latest = max(latest, todo.updated_at)
            comments = self._maybe_comments(scope, todolist, todolist.name, 0.25)
            todolist.subscriber_ids = self._subscribers(scope, todolist.creator_id, comments)
            todolist.updated_at = latest

    def _todo(self, scope: _Scope, todolist: Todolist, n: int, count: int, kind: str) -> Todo:
        rng = self.rng
        created = self._when(scope, todolist.created_at)
        big = kind == "long" and n == 0
        done = kind == "completed" or rng.random() < 0.35
        trashed = kind != "long" and rng.random() < 0.04
        if kind == "long" and n >= count - 2:
            done, trashed = n == count - 1, True
        due = None
        if rng.random() < 0.4:
            due = local_day(created) + timedelta(days=rng.randint(1, 60))
        todo = self.acct.todos.add(
            Todo(
                id=self.ids.big() if big else self.ids.next(), topic_id=self.ids.next(),
                project_id=scope.project_id, todolist_id=todolist.id, content=self._phrase(),
                position=n + 1, due_at=due,
                assignee_id=rng.choice(scope.staff) if rng.random() < 0.6 else None,
                creator_id=rng.choice(scope.staff), created_at=created, updated_at=created,
                private=todolist.private, trashed=trashed,
            )
        )
        self._event(scope, todo.creator_id, created, "created a to-do<span>:</span>",
                    todo.content, todo, big_id=big)
        if todo.assignee_id is not None and rng.random() < 0.3:
            name = self.acct.people[todo.assignee_id].name
            self._event(scope, todo.creator_id, self._when(scope, created),
                        f"re-assigned a to-do to {name}<span>:</span>", todo.content, todo)
        if done:
            todo.completed_at = self._when(scope, created)
            todo.completer_id = rng.choice(scope.staff)
            todo.updated_at = todo.completed_at
            self._event(scope, todo.completer_id, todo.completed_at,
                        "completed a to-do<span>:</span>", todo.content, todo)
        comments: list[Comment] = []
        if big:
            comments = self._comments(scope, todo, todo.content, 2, big_first=True)
        elif rng.random() < 0.2:
            comments = self._comments(scope, todo, todo.content, self._count(self.spec.comments))
        if rng.random() < 0.08 or big:
            self._attachment(scope, "Todo", todo.id, todo.creator_id, created)
        todo.subscriber_ids = self._subscribers(scope, todo.creator_id, comments)
        return todo

    # ------------------------------------------------------------------ other project content
    def _messages(self, scope: _Scope) -> None:
        count = max(3, self._count(self.spec.messages)) if scope.showcase else self._count(
            self.spec.messages
        )
        for n in range(count):
            created = self._when(scope)
            message = self.acct.messages.add(
                Message(
                    id=self.ids.next(), topic_id=self.ids.next(), project_id=scope.project_id,
                    subject=self.rng.choice(words.MESSAGE_SUBJECTS),
                    content=f"<div>{self._sentence()}</div><div>{self._sentence()}</div>",
                    creator_id=self.rng.choice(scope.members), created_at=created,
                    updated_at=self._edited(scope, created), private=self._private(),
                    topic_archived=(scope.showcase and n == count - 1) or self.rng.random() < 0.1,
                )
            )
            self._event(scope, message.creator_id, created, "posted a message<span>:</span>",
                        message.subject, message)
            comments = self._maybe_comments(scope, message, message.subject, 0.7)
            message.subscriber_ids = self._subscribers(scope, message.creator_id, comments)
            if scope.showcase and n == 0:
                self._attachment(scope, "Message", message.id, message.creator_id, created,
                                 linked=True, tags=("writing",))
            elif self.rng.random() < 0.2:
                self._attachment(scope, "Message", message.id, message.creator_id, created)

    def _documents(self, scope: _Scope, count: int) -> None:
        for _ in range(count):
            created = self._when(scope)
            document = self.acct.documents.add(
                Document(
                    id=self.ids.next(), topic_id=self.ids.next(), project_id=scope.project_id,
                    title=self.rng.choice(words.DOCUMENT_TITLES),
                    content="<br>".join(self._sentence() for _ in range(3)),
                    creator_id=self.rng.choice(scope.staff),
                    last_updater_id=self.rng.choice(scope.staff), created_at=created,
                    updated_at=self._edited(scope, created), private=self._private(),
                )
            )
            self._event(scope, document.creator_id, created,
                        "created a document<span>:</span>", document.title, document)
            comments = self._maybe_comments(scope, document, document.title, 0.4)
            document.subscriber_ids = self._subscribers(scope, document.creator_id, comments)

    def _forwards(self, scope: _Scope) -> None:
        count = max(2, self._count(self.spec.forwards)) if scope.showcase else self._count(
            self.spec.forwards
        )
        for n in range(count):
            created = self._when(scope)
            body = self._sentence()
            sender = None if n == 0 or self.rng.random() < 0.3 else self.rng.choice(
                words.FORWARD_SENDERS
            )
            forward = self.acct.forwards.add(
                Forward(
                    id=self.ids.next(), topic_id=self.ids.next(), project_id=scope.project_id,
                    subject=self.rng.choice(words.FORWARD_SUBJECTS), sender=sender,
                    content=body,
                    content_html=(
                        f"<html><body><h1>{_escape(body)}</h1><p><a href=\"https://basecamp.com\">"
                        "Check out Basecamp!</a></p></body></html>"
                    ),
                    creator_id=self.rng.choice(scope.staff), created_at=created,
                    updated_at=self._edited(scope, created), private=self._private(),
                )
            )
            self._event(scope, forward.creator_id, created, "forwarded an email<span>:</span>",
                        forward.subject, forward)
            for _ in range(1 if scope.showcase and n == 1 else self.rng.randint(0, 2)):
                self._attachment(scope, "Forward", forward.id, forward.creator_id, created,
                                 tags=())
            comments = self._maybe_comments(scope, forward, forward.subject, 0.3)
            forward.subscriber_ids = self._subscribers(scope, forward.creator_id, comments)

    def _uploads(self, scope: _Scope) -> None:
        def listed() -> int:
            return sum(
                1 for a in self.acct.attachments.values()
                if a.project_id == scope.project_id and a.attachable_type != "Forward"
            )

        count = self._count(self.spec.uploads)
        made = 0
        while made < count or (scope.showcase and listed() < self.spec.showcase_attachments):
            created = self._when(scope)
            upload = self.acct.uploads.add(
                Upload(
                    id=self.ids.next(), topic_id=self.ids.next(), project_id=scope.project_id,
                    content=self._sentence(), creator_id=self.rng.choice(scope.members),
                    created_at=created, updated_at=self._edited(scope, created),
                    private=self._private(),
                )
            )
            files = 4 if scope.showcase else self._count(self.spec.files_per_upload)
            names = [
                self._attachment(scope, "Upload", upload.id, upload.creator_id, created).name
                for _ in range(files)
            ]
            self._event(scope, upload.creator_id, created, "uploaded a file<span>:</span>",
                        names[0], upload)
            comments = self._maybe_comments(scope, upload, names[0], 0.3)
            upload.subscriber_ids = self._subscribers(scope, upload.creator_id, comments)
            made += 1

    # ------------------------------------------------------------------ calendars
    def _calendar_events(self, scope: _Scope, archived: bool) -> None:
        plans: list[tuple[str, Recurring | None]] = []
        if scope.showcase:
            plans = [("past-timed", None), ("past-day", None), ("soon-timed", None),
                     ("soon-day", None),
                     ("recurring", Recurring("weekly", count=8, excluding=(2, 3))),
                     ("recurring", Recurring("monthly", until=date(2027, 6, 1)))]
        for _ in range(self._count(self.spec.calendar_events)):
            upcoming = not archived and self.rng.random() < 0.5
            kind = ("soon" if upcoming else "past") + self.rng.choice(("-timed", "-day"))
            plans.append((kind, None))
        for kind, rule in plans:
            self._calendar_event(scope, kind, rule)

    def _calendar_event(self, scope: _Scope, kind: str, rule: Recurring | None) -> None:
        rng = self.rng
        if rule is not None:
            first = local_day(self.now) - timedelta(days=14 if rule.frequency == "weekly" else 45)
            all_day = rule.frequency != "monthly"
            created = self._when(scope)
        elif kind.startswith("past"):
            created = self._when(scope)
            first = local_day(self._between(created, min(scope.end, self.now)))
            all_day = kind.endswith("day")
        else:
            created = self._when(scope)
            first = local_day(self.now) + timedelta(days=rng.randint(1, 30))
            all_day = kind.endswith("day")
        if all_day:
            starts: date | datetime = first
            ends: date | datetime = first + timedelta(days=rng.choice((0, 0, 1, 2)))
        else:
            local_start = datetime.combine(first, time(rng.randint(8, 17)))
            offset = eastern_offset(datetime.combine(first, time(12), tzinfo=UTC))
            starts = (local_start - offset).replace(tzinfo=UTC)
            ends = starts + timedelta(minutes=rng.choice((30, 60, 90, 120)))
        event = self.acct.calendar_events.add(
            CalendarEvent(
                id=self.ids.next(), topic_id=self.ids.next(), bucket_type=scope.bucket_type,
                bucket_id=scope.bucket_id, summary=rng.choice(words.EVENT_SUMMARIES),
                description=self._sentence() if rng.random() < 0.6 else "", all_day=all_day,
                starts_at=starts, ends_at=ends, recurring=rule,
                creator_id=rng.choice(scope.staff), created_at=created,
                updated_at=self._edited(scope, created), private=self._private(),
            )
        )
        self._event(scope, event.creator_id, created, "added an event<span>:</span>",
                    event.summary, event)
        chance = 1.0 if scope.showcase and kind == "past-timed" else 0.3
        comments = self._maybe_comments(scope, event, event.summary, chance)
        event.subscriber_ids = self._subscribers(scope, event.creator_id, comments)

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
            scope = _Scope(
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


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
