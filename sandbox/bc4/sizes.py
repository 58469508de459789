"""How big a generated Basecamp 4 account is: the named sizes the sandbox offers.

Kept apart from the generator so the generator's pieces can all read the spec without a
circle through ``data.py``.
"""

from __future__ import annotations

from dataclasses import dataclass


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
