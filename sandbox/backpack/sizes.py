"""How big a generated Backpack account is: the named sizes the sandbox offers.

Kept apart from the generator so the generator's pieces can all read the spec without a
circle through ``data.py``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SizeSpec:
    """How much to generate; ranges are inclusive (low, high) per parent."""

    users: int
    my_pages: int
    friend_pages: int
    hidden_pages: int
    notes: tuple[int, int]
    lists: tuple[int, int]
    items: tuple[int, int]
    emails: tuple[int, int]
    galleries: tuple[int, int]
    images: tuple[int, int]
    attachments: tuple[int, int]
    separators: tuple[int, int]
    tags: int
    tags_per_page: tuple[int, int]
    reminders: int
    my_journal: int
    journal_per_user: tuple[int, int]
    bookmarks: int
    calendars: int
    events: tuple[int, int]


SIZES: dict[str, SizeSpec] = {
    "tiny": SizeSpec(
        users=4, my_pages=4, friend_pages=2, hidden_pages=1,
        notes=(1, 2), lists=(1, 2), items=(2, 5), emails=(0, 2), galleries=(0, 1),
        images=(1, 2), attachments=(0, 1), separators=(0, 1), tags=4, tags_per_page=(0, 2),
        reminders=6, my_journal=105, journal_per_user=(2, 5), bookmarks=3, calendars=2,
        events=(2, 4),
    ),
    "default": SizeSpec(
        users=12, my_pages=30, friend_pages=8, hidden_pages=4,
        notes=(1, 4), lists=(1, 3), items=(2, 12), emails=(0, 3), galleries=(0, 1),
        images=(1, 4), attachments=(0, 2), separators=(0, 2), tags=12, tags_per_page=(0, 3),
        reminders=25, my_journal=240, journal_per_user=(5, 30), bookmarks=8, calendars=3,
        events=(5, 15),
    ),
    "large": SizeSpec(
        users=60, my_pages=300, friend_pages=80, hidden_pages=40,
        notes=(1, 4), lists=(1, 3), items=(2, 12), emails=(0, 3), galleries=(0, 1),
        images=(1, 4), attachments=(0, 2), separators=(0, 2), tags=60, tags_per_page=(0, 3),
        reminders=200, my_journal=2400, journal_per_user=(20, 200), bookmarks=30, calendars=6,
        events=(20, 60),
    ),
}
