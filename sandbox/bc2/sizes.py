"""How big a generated Basecamp 2 account is: the named sizes the sandbox offers.

Kept apart from the generator so the generator's pieces can all read the spec without a
circle through ``data.py``.
"""

from __future__ import annotations

from dataclasses import dataclass


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
