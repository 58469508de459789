"""Deterministic synthetic Basecamp 4 account, built from a size name and a seed.

Everything comes from one ``random.Random(seed)`` and a fixed reference clock, so equal
arguments build equal accounts. The first active project is the showcase: it always has every
tool (two to-do sets and two card tables, so clients must iterate the whole dock), a list long
enough to page through several gears, a group, a nested vault, an on-hold column, client items
and the big ids above 2**53. Other projects are random within the ``SizeSpec`` ranges, and some
of their tools are disabled.

Choices the reference leaves open:

- Archiving or trashing a to-do list also archives/trashes its to-dos (``inherits_status``).
- Trashed projects keep only their dock roots; everything below answers 404.
- One system person (``LocalPerson``, id ``"campfire"``) writes some campfire lines: the
  Python SDK documents such string ids even though openapi.json types person ids as integers
  (with a Go ``FlexibleInt64`` hint that accepts strings).

After the base account, a second random source (derived from the seed) adds the "extras":
gauges, timesheets, webhooks, chatbots, Lineup markers, upload versions and boosts. Drawing
them from their own source keeps every base record (ids, times, titles) exactly as before.
Rules, for every project that is neither a template nor trashed (the showcase always gets one
of each):

- about half have a gauge (type ``Gauge``) with 2-4 needles (``Gauge::Needle``);
- about 40% have ``timesheet_enabled``, with 3-8 entries (the showcase 20, to page) on
  to-dos, cards, messages, documents, uploads, schedule entries or the project itself;
- each has 0-2 webhooks (the showcase 2, one with an id above 2**53);
- chatbots are account-wide (every campfire lists all of them); 1-2 are created from
  an enabled campfire 30% of the time;
- a third of the uploads were replaced once or twice (``blob_changed`` events), which bumps
  the upload's ``updated_at`` when needed;
- a fifth of the boostable recordings have 1-3 boosts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.bc4 import words as words
from sandbox.bc4.model import (
    ACTIVE,
    ARCHIVED,
    BOOSTABLE_TYPES,
    TOOL_TYPES,
    TRASHED,
    Bc4Account,
    Boost,
    Chatbot,
    Event,
    LineupMarker,
    MessageType,
    Person,
    Project,
    Recording,
    Tool,
    Webhook,
)

REFERENCE_NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
ACCOUNT_START = datetime(2024, 1, 8, 9, 0, 0, tzinfo=UTC)
DEFAULT_ACCOUNT_ID = 999_999_999
BIG_ID = 9_007_199_254_740_993  # 2**53 + 1: the first id a float64 cannot hold
SYSTEM_PERSON_ID = "campfire"
COMMENTABLE = ("Todo", "Todolist", "Message", "Document", "Upload", "Schedule::Entry",
               "Question::Answer", "Kanban::Card")
TIMESHEET_PARENTS = ("Todo", "Kanban::Card", "Message", "Document", "Upload", "Schedule::Entry")
_KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class SizeSpec:
    """How much to generate; ranges are inclusive (low, high) per parent."""

    people: int
    active_projects: int
    archived_projects: int
    trashed_projects: int
    templates: int
    todolists: tuple[int, int]
    todos: tuple[int, int]
    messages: tuple[int, int]
    documents: tuple[int, int]
    uploads: tuple[int, int]
    entries: tuple[int, int]
    lines: tuple[int, int]
    answers: tuple[int, int]
    forwards: tuple[int, int]
    cards: tuple[int, int]
    comments: tuple[int, int]


SIZES: dict[str, SizeSpec] = {
    "tiny": SizeSpec(people=6, active_projects=2, archived_projects=1, trashed_projects=1,
                     templates=1, todolists=(1, 2), todos=(2, 4), messages=(1, 3),
                     documents=(1, 2), uploads=(1, 2), entries=(1, 2), lines=(2, 4),
                     answers=(1, 2), forwards=(1, 2), cards=(1, 2), comments=(0, 2)),
    "default": SizeSpec(people=40, active_projects=18, archived_projects=4, trashed_projects=2,
                        templates=3, todolists=(2, 6), todos=(3, 14), messages=(3, 12),
                        documents=(2, 8), uploads=(2, 8), entries=(2, 8), lines=(5, 30),
                        answers=(2, 6), forwards=(1, 4), cards=(1, 5), comments=(0, 3)),
    "large": SizeSpec(people=120, active_projects=70, archived_projects=15, trashed_projects=5,
                      templates=6, todolists=(3, 8), todos=(4, 20), messages=(4, 15),
                      documents=(3, 10), uploads=(3, 10), entries=(3, 10), lines=(10, 50),
                      answers=(3, 8), forwards=(2, 5), cards=(2, 6), comments=(0, 4)),
}


class _Builder:
    """Holds the generator state (random source, id counters, clock) while building."""

    def __init__(self, spec: SizeSpec, seed: int) -> None:
        self.spec = spec
        self.seed = seed
        self.rng = random.Random(seed)
        self.acct = Bc4Account(account_id=DEFAULT_ACCOUNT_ID, name="Honcho Design",
                               now=REFERENCE_NOW)
        self._next_id = 1_069_479_300
        self._next_event = 2_000_000_000
        self._big = BIG_ID
        self._people: list[int | str] = []

    # ------------------------------------------------------------------ primitives
    def new_id(self, big: bool = False) -> int:
        if big:
            self._big += 2
            return self._big - 2
        self._next_id += self.rng.randint(1, 3)
        return self._next_id

    def moment(self, after: datetime = ACCOUNT_START) -> datetime:
        span = int((REFERENCE_NOW - after).total_seconds())
        offset = self.rng.randint(0, max(1, span))
        return after + timedelta(seconds=offset, milliseconds=self.rng.randint(0, 999))

    def touched(self, created: datetime) -> datetime:
        if self.rng.random() < 0.5:
            return created
        return self.moment(created)

    def person(self) -> int | str:
        return self.rng.choice(self._people)

    def status(self) -> str:
        roll = self.rng.random()
        return ACTIVE if roll < 0.86 else ARCHIVED if roll < 0.94 else TRASHED

    def n(self, bounds: tuple[int, int]) -> int:
        return self.rng.randint(*bounds)

    def phrase(self) -> str:
        return f"{self.rng.choice(words.VERBS)} {self.rng.choice(words.OBJECTS)}"

    def html(self, text: str, rich: bool = False) -> str:
        body = f"<div>{_escape(text)}</div>"
        if rich:
            body += ("<div><strong>Note:</strong> see <a href=\"https://example.com/spec\">the "
                     "spec</a> &amp; <em>the</em> list:</div><ul><li>one</li><li>two</li></ul>"
                     "<blockquote>Quoted &lt;text&gt;</blockquote>")
        return body

    def record(self, type_: str, project: Project, parent: Recording | None, title: str,
               created: datetime | None = None, status: str = ACTIVE, big: bool = False,
               **extra: Any) -> Recording:
        created = created or self.moment(project.created_at)
        recording = Recording(
            id=self.new_id(big), type=type_, bucket_id=project.id,
            parent_id=parent.id if parent else None, status=status, created_at=created,
            updated_at=self.touched(created), title=title, creator_id=self.person(),
            content=extra.pop("content", ""), position=extra.pop("position", None),
            visible_to_clients=project.clients_enabled and self.rng.random() < 0.3,
            extra=extra,
        )
        self.acct.add(recording)
        self._event(recording, "created", {}, created)
        return recording

    def _event(self, recording: Recording, action: str, details: dict[str, Any],
               when: datetime) -> None:
        self._next_event += self.rng.randint(1, 4)
        creator = recording.creator_id
        event = Event(self._next_event, recording.id, action, details, when, creator)
        self.acct.events.setdefault(recording.id, []).append(event)

    # ------------------------------------------------------------------ account
    def build(self) -> Bc4Account:
        self._make_people()
        self._make_categories()
        total = self.spec.active_projects + self.spec.archived_projects
        for index in range(total + self.spec.trashed_projects + self.spec.templates):
            if index < self.spec.active_projects:
                status, template = ACTIVE, False
            elif index < total:
                status, template = ARCHIVED, False
            elif index < total + self.spec.trashed_projects:
                status, template = TRASHED, False
            else:
                status, template = ACTIVE, True
            self._make_project(index, status, template)
        self.rng = random.Random(f"bc4-extras:{self.seed}")
        self._make_extras()
        self.acct.next_id, self.acct.next_event = self._next_id, self._next_event
        return self.acct

    def _make_people(self) -> None:
        company = (1_033_447_817, "Honcho Design")
        for index in range(self.spec.people):
            first = words.FIRST_NAMES[index % len(words.FIRST_NAMES)]
            last = words.LAST_NAMES[(index * 7) % len(words.LAST_NAMES)]
            created = self.moment()
            client = index == self.spec.people - 1
            person = Person(
                id=BIG_ID + 2_000 if index == 2 else 1_049_715_914 + index * 3,
                name=f"{first} {last}",
                email_address=f"{first.lower()}.{index}@honchodesign.example",
                title=words.JOB_TITLES[index % len(words.JOB_TITLES)],
                bio=None if index % 3 == 2 else "Don't let your dreams be dreams",
                location=words.CITIES[index % len(words.CITIES)],
                created_at=created, updated_at=self.touched(created),
                admin=index < 2, owner=index == 0, client=client, employee=not client,
                time_zone="Europe/Lisbon" if index % 2 else "America/Chicago",
                company=None if client else company,
                personable_type="Client" if client else "User",
            )
            self.acct.people[person.id] = person
            self._people.append(person.id)
        self.acct.people[SYSTEM_PERSON_ID] = Person(
            id=SYSTEM_PERSON_ID, name="Campfire", email_address="", title="", bio=None,
            location=None, created_at=ACCOUNT_START, updated_at=ACCOUNT_START, employee=False,
            personable_type="LocalPerson",
        )

    def _make_categories(self) -> None:
        for name, icon in words.CATEGORIES:
            created = self.moment()
            category = MessageType(self.new_id(), name, icon, created, created)
            self.acct.categories[category.id] = category

    def _make_project(self, index: int, status: str, template: bool) -> None:
        created = self.moment()
        name = words.PROJECT_WORDS[index % len(words.PROJECT_WORDS)]
        if index >= len(words.PROJECT_WORDS):
            name += f" {index // len(words.PROJECT_WORDS) + 1}"
        project = Project(
            id=BIG_ID + 1_000 if index == 1 else 2_085_958_499 + index * 11,
            name=("Template: " if template else "") + name,
            description=f"{name} — plans & notes.", purpose="topic", status=status,
            created_at=created, updated_at=self.touched(created),
            start_date=created.date().isoformat(),
            end_date=(created + timedelta(days=90 + index)).date().isoformat(),
            clients_enabled=index == 0, template=template,
            people=sorted(self.rng.sample(self._people, k=min(len(self._people), 5)), key=str),
            category_ids=list(self.acct.categories),
        )
        self.acct.projects[project.id] = project
        showcase = index == 0
        kinds = list(TOOL_TYPES)
        if showcase:
            kinds = [*kinds[:2], "todoset", *kinds[2:], "kanban_board"]
        for position, kind in enumerate(kinds, start=1):
            enabled = showcase or self.rng.random() < 0.8 or kind in ("todoset", "vault")
            tool_id = self.new_id()
            title = _TOOL_TITLES[kind]
            if kind in ("todoset", "kanban_board") and any(t.name == kind for t in project.dock):
                title = "Bugs" if kind == "kanban_board" else "Launch to-dos"
            project.dock.append(Tool(tool_id, kind, title, enabled, None))
            root = Recording(
                id=tool_id, type=TOOL_TYPES[kind], bucket_id=project.id, parent_id=None,
                status=ACTIVE, created_at=created, updated_at=created, title=title,
                creator_id=self.person(), position=position,
            )
            self.acct.add(root)
            if enabled and status != TRASHED and not template:
                getattr(self, "_fill_" + kind)(project, root, showcase)
        visible = [t for t in project.dock if t.enabled]
        for position, tool in enumerate(visible, start=1):
            tool.position = position
        if project.clients_enabled and status != TRASHED:
            self._fill_client(project)

    # ------------------------------------------------------------------ tools
    def _fill_todoset(self, project: Project, root: Recording, showcase: bool) -> None:
        lists = self.n(self.spec.todolists) + (1 if showcase else 0)
        for li in range(lists):
            status = ACTIVE if showcase and li < 2 else self.status()
            todolist = self.record("Todolist", project, root, self.phrase(), status=status,
                                   position=li + 1, content=self.html(self.phrase()),
                                   color=self.rng.choice(words.COLORS))
            todos = self.n(self.spec.todos)
            if showcase and li == 0 and root.title == "To-dos":
                todos = 120
            self._todos(project, todolist, todos, status, big=showcase and li == 0)
            if (showcase and li == 1) or self.rng.random() < 0.25:
                group = self.record("Todolist", project, todolist, f"Phase {li + 1}",
                                    status=status, position=1, content="", color=None,
                                    group=True)
                self._todos(project, group, self.n(self.spec.todos), status)

    def _todos(self, project: Project, parent: Recording, count: int, list_status: str,
               big: bool = False) -> None:
        for ti in range(count):
            status = list_status if list_status != ACTIVE else self.status()
            completed = self.rng.random() < 0.35
            created = self.moment(project.created_at)
            due = (created + timedelta(days=self.rng.randint(1, 60))).date().isoformat()
            todo = self.record(
                "Todo", project, parent, self.phrase(), created=created, status=status,
                big=big and ti in (1, 4), position=ti + 1,
                content=self.html(self.phrase(), rich=ti % 5 == 0),
                completed=completed, due_on=due if self.rng.random() < 0.6 else None,
                starts_on=None, assignees=self.rng.sample(self._people, k=self.rng.randint(0, 2)),
            )
            if completed:
                self._event(todo, "completed", {"notified_recipient_ids": []}, todo.updated_at)
            if todo.extra["assignees"] and self.rng.random() < 0.3:
                details = {"added_person_ids": todo.extra["assignees"], "removed_person_ids": []}
                self._event(todo, "assignment_changed", details, todo.updated_at)
            self._comments(project, todo)
        return None

    def _comments(self, project: Project, parent: Recording, force: int = 0) -> None:
        low, high = self.spec.comments
        count = force or (self.rng.randint(max(low, 1), high) if self.rng.random() < 0.4 else 0)
        for ci in range(count):
            created = self.moment(parent.created_at)
            self.record("Comment", project, parent, f"Re: {parent.title}", created=created,
                        status=self.status() if ci else ACTIVE,
                        content=self.html(f"Comment {ci + 1} on {parent.title}"))

    def _fill_message_board(self, project: Project, root: Recording, showcase: bool) -> None:
        for mi in range(self.n(self.spec.messages)):
            subject = self.rng.choice(words.TOPICS)
            message = self.record(
                "Message", project, root, subject, status=self.status() if mi else ACTIVE,
                big=showcase and mi == 0, content=self.html(subject, rich=True),
                category=self.rng.choice([None, *project.category_ids]),
            )
            self._comments(project, message, force=2 if showcase and mi == 0 else 0)

    def _fill_vault(self, project: Project, root: Recording, showcase: bool,
                    depth: int = 0) -> None:
        for di in range(self.n(self.spec.documents)):
            doc = self.record("Document", project, root, self.rng.choice(words.TOPICS),
                              status=self.status() if di else ACTIVE, position=di + 1,
                              content=self.html(self.phrase(), rich=True))
            self._comments(project, doc)
        for ui in range(self.n(self.spec.uploads)):
            filename = f"{self.phrase().lower().replace(' ', '-').replace('#', '')}.png"
            upload = self.record("Upload", project, root, filename, status=self.status(),
                                 position=ui + 1, content=self.html("Uploaded file"),
                                 filename=filename, byte_size=self.rng.randint(1_000, 9_000_000),
                                 width=1024.0, height=768.0)
            self._comments(project, upload)
        if depth == 0 and (showcase or self.rng.random() < 0.4):
            nested = self.record("Vault", project, root, "Design Assets", position=1)
            self._fill_vault(project, nested, showcase, depth + 1)

    def _fill_schedule(self, project: Project, root: Recording, showcase: bool) -> None:
        for ei in range(self.n(self.spec.entries)):
            starts = self.moment(project.created_at)
            all_day = ei % 4 == 3
            entry = self.record("Schedule::Entry", project, root, self.rng.choice(words.TOPICS),
                                status=self.status() if ei else ACTIVE,
                                content=self.html(self.phrase()), starts_at=starts,
                                ends_at=starts + timedelta(hours=1), all_day=all_day,
                                participants=self.rng.sample(self._people, k=2))
            self._comments(project, entry)

    def _fill_chat(self, project: Project, root: Recording, showcase: bool) -> None:
        for li in range(self.n(self.spec.lines)):
            text = self.rng.choice(words.LINE_TEXTS)
            line = self.record("Chat::Lines::Text", project, root, text, content=text)
            if li % 5 == 1:
                line.creator_id = SYSTEM_PERSON_ID

    def _fill_questionnaire(self, project: Project, root: Recording, showcase: bool) -> None:
        for qi, text in enumerate(words.QUESTIONS[: 2 if showcase else 1]):
            question = self.record("Question", project, root, text, paused=qi == 1,
                                   frequency="every_day" if qi == 0 else "every_week")
            for _ in range(self.n(self.spec.answers)):
                answer = self.record("Question::Answer", project, question, text,
                                     status=self.status(), content=self.html(self.phrase()))
                self._comments(project, answer)

    def _fill_inbox(self, project: Project, root: Recording, showcase: bool) -> None:
        for _ in range(self.n(self.spec.forwards)):
            subject = f"Fwd: {self.rng.choice(words.TOPICS)}"
            forward = self.record("Inbox::Forward", project, root, subject,
                                  content=self.html("Forwarded message"),
                                  sender=f"client{self.rng.randint(1, 9)}@example.com")
            for _ in range(self.rng.randint(0, 2)):
                self.record("Inbox::Forward::Reply", project, forward, f"Re: {subject}",
                            content=self.html("Thanks, on it."))

    def _fill_kanban_board(self, project: Project, root: Recording, showcase: bool) -> None:
        for ci, title in enumerate(words.COLUMN_TITLES):
            kind = ("Kanban::Triage" if ci == 0 else "Kanban::DoneColumn" if ci == 3
                    else "Kanban::NotNowColumn" if ci == 4 else "Kanban::Column")
            column = self.record(kind, project, root, title, position=ci + 1,
                                 color=self.rng.choice(words.COLORS))
            if showcase and ci == 1:
                column.extra["on_hold_id"] = self.new_id()
            for ki in range(self.n(self.spec.cards)):
                card = self.record("Kanban::Card", project, column, self.phrase(),
                                   status=self.status(), position=ki + 1,
                                   content=self.html(self.phrase()), completed=ci == 3,
                                   due_on=self._due(column.created_at),
                                   assignees=self.rng.sample(self._people, k=1),
                                   on_hold="on_hold_id" in column.extra and ki == 0)
                for si in range(self.rng.randint(0, 3)):
                    self.record("Kanban::Step", project, card, self.phrase(), position=si + 1,
                                status=card.status, completed=si == 0,
                                due_on=self._due(card.created_at),
                                assignees=[])
                self._comments(project, card)

    def _due(self, after: datetime) -> str:
        return (after + timedelta(days=self.rng.randint(1, 60))).date().isoformat()

    def _fill_client(self, project: Project) -> None:
        board = Recording(self.new_id(), "Client::Board", project.id, None, ACTIVE,
                          project.created_at, project.created_at, "The Clientside",
                          self.person())
        self.acct.add(board)
        project.client_board_id = board.id
        for kind in ("Client::Approval", "Client::Correspondence"):
            for _ in range(2):
                subject = self.rng.choice(words.TOPICS)
                item = self.record(kind, project, board, subject, subject=subject,
                                   content=self.html(subject), approver=self.person(),
                                   approval_status=self.rng.choice(["pending", "approved"]))
                for _ in range(self.rng.randint(0, 2)):
                    self.record("Client::Reply", project, item, f"Re: {subject}",
                                content=self.html("Looks good to me."))


    # ------------------------------------------------------------------ extras
    def _make_extras(self) -> None:
        self._make_markers()
        showcase = next(iter(self.acct.projects))
        for project in list(self.acct.projects.values()):
            if project.template or project.status == TRASHED:
                continue
            first = project.id == showcase
            if first or self.rng.random() < 0.5:
                self._make_gauge(project)
            if first or self.rng.random() < 0.4:
                self._make_timesheet(project, 20 if first else self.rng.randint(3, 8))
            self._make_webhooks(project, 2 if first else self.rng.randint(0, 2))
            for tool in project.dock:
                if tool.name == "chat" and tool.enabled:
                    some = self.rng.randint(1, 2) if self.rng.random() < 0.3 else 0
                    self._make_chatbots(project, tool.id, 2 if first else some)
        self._make_versions(showcase)
        self._make_boosts()

    def _make_markers(self) -> None:
        names = self.rng.sample(words.MARKERS, k=self.rng.randint(3, len(words.MARKERS)))
        for name in names:
            created = self.moment()
            day = (created + timedelta(days=self.rng.randint(7, 120))).date().isoformat()
            self.acct.markers.append(
                LineupMarker(self.new_id(), name, day, created, self.touched(created)))
        self.acct.markers.sort(key=lambda m: (m.date, m.id))

    def _make_gauge(self, project: Project) -> None:
        gauge = self.record("Gauge", project, None, self.rng.choice(words.GAUGE_TITLES),
                            content=self.html(self.rng.choice(words.NEEDLE_NOTES)), enabled=True)
        project.gauge_id = gauge.id
        for _ in range(self.rng.randint(2, 4)):
            created = self.moment(gauge.created_at)
            note = self.html(self.rng.choice(words.NEEDLE_NOTES), rich=self.rng.random() < 0.3)
            needle = self.record("Gauge::Needle", project, gauge, "Moved the needle",
                                 created=created, content=note,
                                 position=self.rng.randint(0, 100),
                                 color=self.rng.choice(words.NEEDLE_COLORS))
            needle.updated_at = created
            gauge.updated_at = max(gauge.updated_at, created)
            self._comments(project, needle)

    def _make_timesheet(self, project: Project, count: int) -> None:
        project.timesheet_enabled = True
        parents = [r for r in self.acct.recordings.values() if r.bucket_id == project.id
                   and r.type in TIMESHEET_PARENTS and r.status == ACTIVE]
        for _ in range(count):
            parent = self.rng.choice(parents) if parents and self.rng.random() < 0.85 else None
            created = self.moment(parent.created_at if parent else project.created_at)
            hours = f"{self.rng.randint(1, 16) / 2:.1f}"
            self.record("Timesheet::Entry", project, parent, hours, created=created,
                        content=self.rng.choice(words.TIMESHEET_NOTES),
                        date=created.date().isoformat(), hours=hours,
                        person=self.rng.choice(project.people),
                        billable_status=self.rng.choice(["billable", "non_billable"]))

    def _make_webhooks(self, project: Project, count: int) -> None:
        hooks = []
        for index in range(count):
            created = self.moment(project.created_at)
            types = self.rng.sample(words.WEBHOOK_TYPES, k=self.rng.randint(1, 3))
            hooks.append(Webhook(
                self.new_id(big=project.clients_enabled and index == 0),
                project.id, f"https://hooks.example.com/basecamp/{project.id}/{index + 1}",
                types, self.rng.random() < 0.8, created, self.touched(created)))
        self.acct.webhooks[project.id] = hooks

    def _make_chatbots(self, project: Project, chat_id: int, count: int) -> None:
        for name in self.rng.sample(words.BOT_NAMES, k=count):
            created = self.moment(project.created_at)
            command = f"https://bots.example.com/{name.split()[0].lower()}"
            key = "".join(self.rng.choice(_KEY_CHARS) for _ in range(24))
            self.acct.chatbots.append(Chatbot(
                self.new_id(), project.id, chat_id, name,
                command if self.rng.random() < 0.5 else None, key, created,
                self.touched(created)))

    def _make_versions(self, showcase: int) -> None:
        """Replace some uploads' files: each version is an event carrying the file it stored."""
        forced = next((r.id for r in self.acct.recordings.values()
                       if r.type == "Upload" and r.bucket_id == showcase), None)
        for upload in [r for r in self.acct.recordings.values() if r.type == "Upload"]:
            history = self.acct.events[upload.id]
            changes = 2 if upload.id == forced else (
                self.rng.randint(1, 2) if self.rng.random() < 0.33 else 0)
            moments = sorted(self.moment(upload.created_at) for _ in range(changes))
            for when in moments:
                self._event(upload, "blob_changed", {}, when)
            versions = [e for e in history if e.action in ("created", "blob_changed")]
            for event in versions[:-1]:
                event.file = (upload.extra["filename"], self.rng.randint(1_000, 9_000_000))
            versions[-1].file = (upload.extra["filename"], upload.extra["byte_size"])
            if moments:
                upload.updated_at = max(upload.updated_at, moments[-1])

    def _make_boosts(self) -> None:
        for rec in list(self.acct.recordings.values()):
            if rec.type not in BOOSTABLE_TYPES:
                continue
            count = 3 if rec.id == BIG_ID else (
                self.rng.randint(1, 3) if self.rng.random() < 0.2 else 0)
            if not count:
                continue
            stamps = sorted(self.moment(rec.created_at) for _ in range(count))
            self.acct.boosts[rec.id] = [
                Boost(self.new_id(), rec.id, self.rng.choice(words.BOOSTS), when, self.person())
                for when in stamps]


_TOOL_TITLES = {
    "message_board": "Message Board", "todoset": "To-dos", "vault": "Docs & Files",
    "chat": "Campfire", "schedule": "Schedule", "questionnaire": "Automatic Check-ins",
    "inbox": "Email Forwards", "kanban_board": "Card Table",
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def generate_account(size: str = "tiny", seed: int = 0) -> Bc4Account:
    """Build the account for a size name (``tiny``, ``default``, ``large``) and seed."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {tuple(SIZES)}")
    return _Builder(SIZES[size], seed).build()
