"""Deterministic activity on a Basecamp 2 account, for incremental-sync tests.

``mutate(account, n, seed)`` applies ``n`` changes the way people make them in Basecamp: a new
to-do, a comment, a to-do completed, a message retitled, a document trashed. Each bumps the
changed record's ``updated_at`` and adds the event Basecamp would put in the feed, stamped after
every event already there, so ``/events.json?since=`` reports exactly these changes.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sandbox.bc2.model import Bc2Account
from sandbox.bc2.records import ACTIVE, Comment, Commentable, Event, Todo

KINDS = ("todo_created", "commented", "todo_completed", "message_edited", "document_trashed")


def mutate(account: Bc2Account, n: int, seed: int = 0) -> dict[str, list[int]]:
    """Apply ``n`` changes; return the ids changed, by kind of change."""
    rng = random.Random(seed)
    clock = _Clock(account)
    done: dict[str, list[int]] = defaultdict(list)
    actions: dict[str, Callable[[random.Random, datetime], int | None]] = {
        "todo_created": lambda r, t: _new_todo(account, r, t),
        "commented": lambda r, t: _comment(account, r, t),
        "todo_completed": lambda r, t: _complete(account, r, t),
        "message_edited": lambda r, t: _edit_message(account, r, t),
        "document_trashed": lambda r, t: _trash_document(account, r, t),
    }
    for step in range(n):
        kind = KINDS[step % len(KINDS)] if step < len(KINDS) else rng.choice(KINDS)
        changed = actions[kind](rng, clock.tick())
        if changed is not None:
            done[kind].append(changed)
    return dict(done)


class _Clock:
    """Minutes after the newest event, so every change sorts after what the feed holds."""

    def __init__(self, account: Bc2Account) -> None:
        newest = max((e.created_at for e in account.events.values()), default=account.now)
        self.at = max(newest, account.now)

    def tick(self) -> datetime:
        self.at += timedelta(minutes=1)
        return self.at


def _live(account: Bc2Account, rows: dict[int, Any]) -> list[Any]:
    """Untrashed rows of active projects, in id order (deterministic choice)."""
    projects = account.projects
    return [r for _, r in sorted(rows.items())
            if not getattr(r, "trashed", False)
            and projects.get(r.project_id) is not None
            and projects[r.project_id].state == ACTIVE]


def _event(account: Bc2Account, at: datetime, record: Commentable, action: str, target: str,
           creator: int, comment: Comment | None = None) -> None:
    account.events.add(Event(
        id=account.new_id(), bucket_type="Project", bucket_id=record.project_id,
        creator_id=creator, created_at=at, updated_at=at, action=action, target=target,
        eventable_type=type(record).__name__, eventable_id=record.id,
        comment_id=comment.id if comment else None, private=record.private))


def _new_todo(account: Bc2Account, rng: random.Random, at: datetime) -> int | None:
    lists = _live(account, account.todolists)
    if not lists:
        return None
    todolist = rng.choice(lists)
    siblings = [t for t in account.todos.values() if t.todolist_id == todolist.id]
    todo = account.todos.add(Todo(
        id=account.new_id(), topic_id=account.new_id() + 1, project_id=todolist.project_id,
        todolist_id=todolist.id, content=f"Follow up {at:%H:%M}", position=len(siblings) + 1,
        creator_id=todolist.creator_id, created_at=at, updated_at=at,
        private=todolist.private))
    todolist.updated_at = at
    _event(account, at, todo, "created a to-do<span>:</span>", todo.content, todo.creator_id)
    return todo.id


def _comment(account: Bc2Account, rng: random.Random, at: datetime) -> int | None:
    todos = [t for t in _live(account, account.todos) if not t.private]
    if not todos:
        return None
    todo = rng.choice(todos)
    comment = account.comments.add(Comment(
        id=account.new_id(), parent_type="Todo", parent_id=todo.id,
        content="Looked at this again today.", creator_id=todo.creator_id, created_at=at,
        updated_at=at))
    todo.updated_at = at
    _event(account, at, todo, "commented on", todo.content, comment.creator_id, comment)
    return comment.id


def _complete(account: Bc2Account, rng: random.Random, at: datetime) -> int | None:
    todos = [t for t in _live(account, account.todos) if t.completed_at is None]
    if not todos:
        return None
    todo = rng.choice(todos)
    todo.completed_at, todo.completer_id, todo.updated_at = at, todo.creator_id, at
    _event(account, at, todo, "completed a to-do<span>:</span>", todo.content, todo.creator_id)
    return todo.id


def _edit_message(account: Bc2Account, rng: random.Random, at: datetime) -> int | None:
    messages = _live(account, account.messages)
    if not messages:
        return None
    message = rng.choice(messages)
    message.subject, message.updated_at = f"{message.subject} (revised)", at
    _event(account, at, message, "edited a message<span>:</span>", message.subject,
           message.creator_id)
    return message.id


def _trash_document(account: Bc2Account, rng: random.Random, at: datetime) -> int | None:
    documents = _live(account, account.documents)
    if not documents:
        return None
    document = rng.choice(documents)
    document.trashed, document.updated_at = True, at
    _event(account, at, document, "deleted a document<span>:</span>", document.title,
           document.creator_id)
    return document.id
