"""Geared pagination of Basecamp 4 collections: page sizes grow (15, 30, 50, then 100).

The prose docs describe these gears; the last gear repeats for every later page. Both the app
(which slices pages) and the oracle (which counts the pages a perfect client needs) use the
same arithmetic, so the two can never disagree.
"""

from __future__ import annotations

DEFAULT_GEAR: tuple[int, ...] = (15, 30, 50, 100)
# BC5's project-grouped "everything" lists page by group, 5 a page (openapi maxPageSize), and
# ignore the sandbox's configurable gear.
GROUPED_GEAR: tuple[int, ...] = (5,)


def check_gear(gear: tuple[int, ...]) -> tuple[int, ...]:
    """Validate a gear: at least one size, all positive."""
    gear = tuple(gear)
    if not gear or any(size < 1 for size in gear):
        raise ValueError("page gear needs at least one positive page size")
    return gear


def page_size(gear: tuple[int, ...], page: int) -> int:
    """Size of 1-based ``page``."""
    return gear[min(page, len(gear)) - 1]


def page_start(gear: tuple[int, ...], page: int) -> int:
    """Offset of the first item of 1-based ``page``."""
    head = sum(gear[: min(page - 1, len(gear))])
    extra = max(0, page - 1 - len(gear))
    return head + extra * gear[-1]


def pages_needed(gear: tuple[int, ...], total: int) -> int:
    """Pages a client must fetch to read ``total`` items (an empty collection costs 1)."""
    page, seen = 1, page_size(gear, 1)
    while seen < total:
        page += 1
        seen += page_size(gear, page)
    return page
