"""What every part of the Basecamp 4 generator shares: the random source, id counters and
clock, and ``record``, which creates any recording with its "created" event.

Draw order is the data: a helper that draws from ``rng`` must keep its draws exactly as they
are, or every account after it changes.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.bc4 import words as words
from sandbox.bc4.model import ACTIVE, ARCHIVED, TRASHED, Bc4Account, Event, Project, Recording
from sandbox.bc4.sizes import SizeSpec

REFERENCE_NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
ACCOUNT_START = datetime(2024, 1, 8, 9, 0, 0, tzinfo=UTC)
DEFAULT_ACCOUNT_ID = 999_999_999
BIG_ID = 9_007_199_254_740_993  # 2**53 + 1: the first id a float64 cannot hold
SYSTEM_PERSON_ID = "campfire"
COMMENTABLE = ("Todo", "Todolist", "Message", "Document", "Upload", "Schedule::Entry",
               "Question::Answer", "Kanban::Card")


class BuilderBase:
    """Holds the generator state (random source, id counters, clock) while building."""

    def __init__(self, spec: SizeSpec, seed: int, account_id: int = DEFAULT_ACCOUNT_ID) -> None:
        self.spec = spec
        self.seed = seed
        self.rng = random.Random(seed)
        self.acct = Bc4Account(account_id=account_id, name="Honcho Design",
                               now=REFERENCE_NOW)
        self._next_id = 1_069_479_300
        self._next_event = 2_000_000_000
        self._big = BIG_ID
        self._people: list[int | str] = []

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

    def _comments(self, project: Project, parent: Recording, force: int = 0) -> None:
        low, high = self.spec.comments
        count = force or (self.rng.randint(max(low, 1), high) if self.rng.random() < 0.4 else 0)
        for ci in range(count):
            created = self.moment(parent.created_at)
            self.record("Comment", project, parent, f"Re: {parent.title}", created=created,
                        status=self.status() if ci else ACTIVE,
                        content=self.html(f"Comment {ci + 1} on {parent.title}"))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
