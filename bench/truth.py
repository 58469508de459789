"""Rows per table that a complete export of the sandbox account should hold.

Counted from the sandbox's own generated account (``Sandbox.truth``), with the sandbox's rules
for what is reachable at all: content of trashed projects answers 404 (and BC4 templates' too),
so it is not counted. Only tables the peers cover are listed; the bench shows our rows beside
them as a check that these counts and our export agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# BC4 table -> recording types it holds.
BC4_RECORDING_TABLES: dict[str, tuple[str, ...]] = {
    "todolists": ("Todolist",),
    "todos": ("Todo",),
    "messages": ("Message",),
    "documents": ("Document",),
    "uploads": ("Upload",),
    "schedule_entries": ("Schedule::Entry",),
    "campfire_lines": ("Chat::Lines::Text",),
    "questions": ("Question",),
    "question_answers": ("Question::Answer",),
    "inbox_forwards": ("Inbox::Forward",),
    "inbox_replies": ("Inbox::Forward::Reply",),
    "card_columns": ("Kanban::Triage", "Kanban::Column", "Kanban::DoneColumn",
                     "Kanban::NotNowColumn"),
    "cards": ("Kanban::Card",),
    "card_steps": ("Kanban::Step",),
    "comments": ("Comment",),
}


def _bc4(truth: Any) -> dict[str, int]:
    live = {p.id for p in truth.projects.values() if p.status != "trashed" and not p.template}
    counts = {
        "projects": sum(1 for p in truth.projects.values() if not p.template),
        "people": sum(1 for p in truth.people.values() if not p.system),
    }
    for table, types in BC4_RECORDING_TABLES.items():
        counts[table] = sum(1 for r in truth.recordings.values()
                            if r.type in types and r.bucket_id in live)
    return counts


def _bc2(truth: Any) -> dict[str, int]:
    live = {p.id for p in truth.projects.values() if p.state in ("active", "archived", "draft")}

    def in_live(rows: Any) -> int:
        return sum(1 for r in rows.values() if r.project_id in live)

    counts = {
        "projects": len(truth.projects),
        "people": len(truth.people),
        "todolists": in_live(truth.todolists),
        "todos": in_live(truth.todos),
        "messages": in_live(truth.messages),
        "documents": in_live(truth.documents),
        "forwards": in_live(truth.forwards),
        "uploads": in_live(truth.uploads),
        # the attachments listings leave out forwards' files (forwards__attachments has them)
        "attachments": sum(1 for a in truth.attachments.values()
                           if a.project_id in live and not a.trashed
                           and a.attachable_type != "Forward"),
        "calendar_events": sum(1 for e in truth.calendar_events.values()
                               if e.bucket_type != "Project" or e.bucket_id in live),
    }
    counts["comments"] = sum(
        1 for c in truth.comments.values()
        if getattr(truth.lookup(c.parent_type, c.parent_id), "project_id", None)
        in live | {None})
    return counts


# family -> its counter; a family no peer covers has no truth counts.
COUNTERS: dict[str, Callable[[Any], dict[str, int]]] = {"bc4": _bc4, "bc2": _bc2}


def truth_counts(api: str, truth: Any) -> dict[str, int]:
    counter = COUNTERS.get(api)
    return counter(truth) if counter else {}
