"""Deterministic changes to a built Basecamp 4 account, for incremental-sync tests.

``mutate(account, n, seed)`` applies ``n`` changes drawn from ``random.Random`` seeded with the
seed and the number of earlier ``mutate`` calls, so equal accounts mutated the same way stay
equal, and calling twice with one seed still draws new changes. Only content that a client can
see is touched: recordings in active projects whose ancestors are all active, below an enabled
dock tool.

Every change happens at its own "now": one second after the newest ``updated_at`` in the
account (or the previous change), in whole seconds so Last-Modified moves too. The changed
recording takes that ``updated_at``; so does its parent whenever the parent's listings or
counts change (a child created, trashed, archived, restored, completed or deleted), as
Basecamp touches the parent when a child is created. A plain update touches only the recording.
Status changes of a card carry over to its steps. A hard delete removes the recording with its
descendants, events and boosts, and leaves a tombstone so account-wide listings still move
their Last-Modified.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sandbox.bc4 import words as words
from sandbox.bc4.model import (
    ACTIVE,
    ARCHIVED,
    COLUMN_TYPES,
    TRASHED,
    Bc4Account,
    Event,
    Recording,
)

# Change kinds, with how often each is drawn.
CHANGE_WEIGHTS: dict[str, int] = {
    "create": 3, "update": 3, "trash": 1, "archive": 1, "restore": 1, "complete": 2,
    "uncomplete": 1, "delete": 1,
}
# Summary keys: the past tense of each change kind, plus parents touched by them.
SUMMARY_KEYS: dict[str, str] = {
    "create": "created", "update": "updated", "trash": "trashed", "archive": "archived",
    "restore": "restored", "complete": "completed", "uncomplete": "uncompleted",
    "delete": "deleted",
}
TOUCHED = "touched"

# What ``create`` makes, and under which parent types.
CREATABLE: dict[str, tuple[str, ...]] = {
    "Todo": ("Todolist",),
    "Message": ("Message::Board",),
    "Comment": ("Todo", "Todolist", "Message", "Document", "Upload", "Schedule::Entry",
                "Question::Answer", "Kanban::Card"),
    "Document": ("Vault",),
    "Kanban::Card": COLUMN_TYPES,
    "Chat::Lines::Text": ("Chat::Transcript",),
}
UPDATABLE = ("Todo", "Todolist", "Message", "Document", "Comment", "Kanban::Card",
             "Schedule::Entry")
# Leaf-like types whose status changes (comments are trashed, never archived).
STATUS_TYPES = ("Todo", "Message", "Document", "Upload", "Kanban::Card", "Schedule::Entry")
DELETABLE = (*STATUS_TYPES, "Comment", "Chat::Lines::Text")


class _Mutator:
    """One ``mutate`` call: the random source, the running clock and the summary."""

    def __init__(self, account: Bc4Account, seed: int) -> None:
        self.acct = account
        self.rng = random.Random(f"bc4-mutate:{seed}:{account.mutations}")
        account.mutations += 1
        latest = max([account.now, *(r.updated_at for r in account.recordings.values())])
        self.now = latest.replace(microsecond=0)
        self.summary: dict[str, list[int]] = {key: [] for key in
                                              (*SUMMARY_KEYS.values(), TOUCHED)}

    # ------------------------------------------------------------------ helpers
    def tick(self) -> datetime:
        """The next "now", strictly after every timestamp so far."""
        self.now += timedelta(seconds=1)
        self.acct.now = self.now
        return self.now

    def visible(self, rec: Recording, itself: bool = True) -> bool:
        """In an active project, below an enabled tool, every ancestor (and ``rec``) active."""
        project = self.acct.projects[rec.bucket_id]
        if project.status != ACTIVE or project.template:
            return False
        enabled = {t.id for t in project.dock if t.enabled} | {project.client_board_id}
        node: Recording | None = rec if itself else self.parent(rec)
        top = rec
        while node is not None:
            if node.status != ACTIVE:
                return False
            top = node
            node = self.parent(node)
        return top.id in enabled or top.type == "Gauge"

    def parent(self, rec: Recording) -> Recording | None:
        return None if rec.parent_id is None else self.acct.recordings[rec.parent_id]

    def pick(self, keep: Callable[[Recording], bool]) -> Recording | None:
        """A random recording passing ``keep`` (None when there is none)."""
        found = [r for r in self.acct.recordings.values() if keep(r)]
        return self.rng.choice(sorted(found, key=lambda r: r.id)) if found else None

    def person(self, rec: Recording) -> int | str:
        return self.rng.choice(self.acct.projects[rec.bucket_id].people)

    def event(self, rec: Recording, action: str, when: datetime) -> None:
        self.acct.next_event += self.rng.randint(1, 4)
        self.acct.events.setdefault(rec.id, []).append(
            Event(self.acct.next_event, rec.id, action, {}, when, self.person(rec)))

    def touch(self, rec: Recording, when: datetime, action: str) -> None:
        """Give ``rec`` the new time and an event for the change."""
        rec.updated_at = when
        self.event(rec, action, when)

    def touch_parent(self, rec: Recording, when: datetime) -> None:
        up = self.parent(rec)
        if up is not None:
            up.updated_at = when
            self.summary[TOUCHED].append(up.id)

    def set_status(self, rec: Recording, status: str, action: str) -> None:
        when = self.tick()
        rec.status = status
        self.touch(rec, when, action)
        for step in self.acct.kids(rec.id, "Kanban::Step"):
            step.status, step.updated_at = status, when
        self.touch_parent(rec, when)

    # ------------------------------------------------------------------ changes
    def create(self) -> int | None:
        kinds = list(CREATABLE)
        self.rng.shuffle(kinds)
        for kind in kinds:
            parent = self.pick(lambda r, kind=kind: r.type in CREATABLE[kind] and self.visible(r))
            if parent is not None:
                return self._create(kind, parent).id
        return None

    def _create(self, kind: str, parent: Recording) -> Recording:
        when = self.tick()
        self.acct.next_id += self.rng.randint(1, 3)
        phrase = f"{self.rng.choice(words.VERBS)} {self.rng.choice(words.OBJECTS)}"
        title, content, extra = _initial(kind, parent, phrase, self.rng)
        siblings = self.acct.kids(parent.id, kind)
        rec = Recording(
            id=self.acct.next_id, type=kind, bucket_id=parent.bucket_id, parent_id=parent.id,
            status=ACTIVE, created_at=when, updated_at=when, title=title,
            creator_id=self.person(parent), content=content,
            position=len(siblings) + 1 if kind in ("Todo", "Document", "Kanban::Card") else None,
            extra=extra)
        self.acct.add(rec)
        self.event(rec, "created", when)
        self.touch_parent(rec, when)
        return rec

    def update(self) -> int | None:
        rec = self.pick(lambda r: r.type in UPDATABLE and self.visible(r))
        if rec is None:
            return None
        revision = sum(1 for e in self.acct.events.get(rec.id, ()) if e.action.endswith("changed"))
        rec.title = f"{rec.title.split(' (rev ')[0]} (rev {revision + 2})"
        rec.content = f"<div>{_escape(rec.title)}: {self.rng.choice(words.LINE_TEXTS)}</div>"
        self.touch(rec, self.tick(), "content_changed")
        return rec.id

    def trash(self) -> int | None:
        rec = self.pick(lambda r: r.type in (*STATUS_TYPES, "Comment") and self.visible(r))
        if rec is not None:
            self.set_status(rec, TRASHED, "trashed")
        return rec.id if rec else None

    def archive(self) -> int | None:
        rec = self.pick(lambda r: r.type in STATUS_TYPES and self.visible(r))
        if rec is not None:
            self.set_status(rec, ARCHIVED, "archived")
        return rec.id if rec else None

    def restore(self) -> int | None:
        rec = self.pick(lambda r: r.type in (*STATUS_TYPES, "Comment") and r.status != ACTIVE
                        and self.visible(r, itself=False))
        if rec is not None:
            self.set_status(rec, ACTIVE, "restored" if rec.status == TRASHED else "unarchived")
        return rec.id if rec else None

    def complete(self, done: bool = True) -> int | None:
        rec = self.pick(lambda r: r.type == "Todo" and r.extra["completed"] != done
                        and self.visible(r))
        if rec is None:
            return None
        when = self.tick()
        rec.extra["completed"] = done
        self.touch(rec, when, "completed" if done else "uncompleted")
        self.touch_parent(rec, when)
        return rec.id

    def uncomplete(self) -> int | None:
        return self.complete(done=False)

    def delete(self) -> int | None:
        rec = self.pick(lambda r: r.type in DELETABLE and self.visible(r))
        if rec is None:
            return None
        when = self.tick()
        self.touch_parent(rec, when)
        self.acct.delete(rec.id, when)
        return rec.id

    # ------------------------------------------------------------------ driver
    def run(self, n: int) -> dict[str, list[int]]:
        kinds, weights = list(CHANGE_WEIGHTS), list(CHANGE_WEIGHTS.values())
        for _ in range(n):
            first = self.rng.choices(kinds, weights)[0]
            rest = [k for k in kinds if k != first]
            self.rng.shuffle(rest)
            for kind in (first, *rest):
                changed = getattr(self, kind)()
                if changed is not None:
                    self.summary[SUMMARY_KEYS[kind]].append(changed)
                    break
        self.summary[TOUCHED] = sorted(set(self.summary[TOUCHED]))
        return self.summary


def _initial(kind: str, parent: Recording, phrase: str,
             rng: random.Random) -> tuple[str, str, dict[str, Any]]:
    """Title, content and type-specific fields of a new recording."""
    if kind == "Todo":
        return phrase, f"<div>{_escape(phrase)}</div>", {
            "completed": False, "due_on": None, "starts_on": None, "assignees": []}
    if kind == "Kanban::Card":
        return phrase, f"<div>{_escape(phrase)}</div>", {
            "completed": parent.type == "Kanban::DoneColumn", "due_on": None,
            "assignees": [], "on_hold": False}
    if kind == "Message":
        subject = rng.choice(words.TOPICS)
        return subject, f"<div>{_escape(phrase)}</div>", {"category": None}
    if kind == "Comment":
        return f"Re: {parent.title}", f"<div>{_escape(phrase)}</div>", {}
    if kind == "Chat::Lines::Text":
        text = rng.choice(words.LINE_TEXTS)
        return text, text, {}
    return rng.choice(words.TOPICS), f"<div>{_escape(phrase)}</div>", {}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mutate(account: Bc4Account, n: int, seed: int = 0) -> dict[str, list[int]]:
    """Apply ``n`` deterministic changes; returns changed ids by kind (plus touched parents)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return _Mutator(account, seed).run(n)
