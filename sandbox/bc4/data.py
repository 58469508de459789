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

The extras (gauges, timesheets, webhooks, ...) come after, from their own random source:
see ``sandbox.bc4.data_extras``.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sandbox.bc4 import words as words
from sandbox.bc4.data_base import ACCOUNT_START, BIG_ID, DEFAULT_ACCOUNT_ID, SYSTEM_PERSON_ID
from sandbox.bc4.data_extras import ExtrasBuilder
from sandbox.bc4.data_tools import ToolBuilder
from sandbox.bc4.model import (
    ACTIVE,
    ARCHIVED,
    TOOL_TYPES,
    TRASHED,
    Bc4Account,
    MessageType,
    Person,
    Project,
    Recording,
    Tool,
)
from sandbox.bc4.sizes import SIZES


class _Builder(ToolBuilder, ExtrasBuilder):
    """The account as a whole: people, message categories and projects with their docks."""

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


_TOOL_TITLES = {
    "message_board": "Message Board", "todoset": "To-dos", "vault": "Docs & Files",
    "chat": "Campfire", "schedule": "Schedule", "questionnaire": "Automatic Check-ins",
    "inbox": "Email Forwards", "kanban_board": "Card Table",
}


def generate_account(size: str = "tiny", seed: int = 0,
                     account_id: int = DEFAULT_ACCOUNT_ID) -> Bc4Account:
    """Build the account for a size name (``tiny``, ``default``, ``large``) and seed."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; expected one of {tuple(SIZES)}")
    return _Builder(SIZES[size], seed, account_id).build()
