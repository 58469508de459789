"""A project's tools and what they contain: to-do sets and lists, message boards, vaults,
schedules, chats, questionnaires, inboxes and card tables."""

from __future__ import annotations

from typing import Any

from sandbox.bc4.handlers.common import (
    Listing,
    Query,
    View,
    container,
    kids,
    live_project,
    recording,
    sort_listing,
    status_of,
)
from sandbox.bc4.model import (
    ACTIVE,
    COLUMN_TYPES,
    TOOL_TYPES,
)

_TOOL_ROOTS = {v: k for k, v in TOOL_TYPES.items()}


def tool(v: View, query: Query, bucket: int | None, id: int) -> dict[str, Any]:
    rec = recording(v, id, tuple(_TOOL_ROOTS), bucket)
    if rec.type == "Vault" and rec.parent_id is not None:
        return v.render.recording(rec)
    return v.render.tool(rec)


def todolists(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    todoset = container(v, id, "Todoset")
    return kids(v, todoset, ("Todolist",), status_of(v, query))


def groups(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    todolist = container(v, id, "Todolist")
    return kids(v, todolist, ("Todolist",), status_of(v, query))


def todos(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    todolist = container(v, id, "Todolist")
    status = status_of(v, query)
    if status != ACTIVE:
        return kids(v, todolist, ("Todo",), status)
    done = query.get("completed") == "true"
    return kids(v, todolist, ("Todo",), keep=lambda t: t.extra["completed"] == done)


def messages(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    listing = kids(v, container(v, id, "Message::Board"), ("Message",))
    return sort_listing(listing, query)


def categories(v: View, query: Query, bucket: int) -> Listing:
    project = live_project(v, bucket)
    rows = [v.account.categories[c] for c in project.category_ids]
    return Listing(rows, v.render.category)


def documents(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    return kids(v, container(v, id, "Vault"), ("Document",))


def uploads(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    return kids(v, container(v, id, "Vault"), ("Upload",))


def vaults(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    return kids(v, container(v, id, "Vault"), ("Vault",))


def entries(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    schedule = container(v, id, "Schedule")
    return kids(v, schedule, ("Schedule::Entry",), status_of(v, query))


def lines(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    listing = kids(v, container(v, id, "Chat::Transcript"), ("Chat::Lines::Text",))
    return sort_listing(listing, query)


def chat_uploads(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    """Served (``files_url`` points here) but always empty: no upload lines are generated."""
    listing = kids(v, container(v, id, "Chat::Transcript"), ("Chat::Lines::Upload",))
    return sort_listing(listing, query)


def questions(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    return kids(v, container(v, id, "Questionnaire"), ("Question",))


def answers(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    return kids(v, container(v, id, "Question"), ("Question::Answer",))


def forwards(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    listing = kids(v, container(v, id, "Inbox"), ("Inbox::Forward",))
    return sort_listing(listing, query)


def forward_replies(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    return kids(v, container(v, id, "Inbox::Forward"), ("Inbox::Forward::Reply",))


def cards(v: View, query: Query, bucket: int | None, id: int) -> Listing:
    holder = next((r for r in v.account.recordings.values()
                   if r.extra.get("on_hold_id") == id), None)
    if holder is not None:
        return kids(v, container(v, holder.id, *COLUMN_TYPES), ("Kanban::Card",),
                    keep=lambda c: c.extra["on_hold"])
    column = container(v, id, *COLUMN_TYPES)
    return kids(v, column, ("Kanban::Card",), keep=lambda c: not c.extra["on_hold"])
