"""Basecamp 4 sandbox account-wide listings ("everything" to-dos and cards, grouped in pages of
five) against the ground truth.
"""

from __future__ import annotations

from typing import Any

from sandbox import Sandbox
from sandbox.bc4.paging import GROUPED_GEAR, pages_needed
from tests.sandbox_walks import (
    EVERYTHING_CARDS,
    EVERYTHING_TODOS,
    Client,
    live_recordings,
    page_sizes,
)


def _grouped(client: Client, path: str, key: str) -> list[dict[str, Any]]:
    """Items of a grouped list, checking each sits in the group of its own project."""
    rows = []
    for group in client.walk(path):
        assert group[key] and {r["bucket"]["id"] for r in group[key]} == {group["bucket"]["id"]}
        rows += group[key]
    return rows


def test_everything__todos_match_truth(default_sb: Sandbox) -> None:
    """With open and completed to-dos, expect exactly the live to-dos, ``completed`` right."""
    client = Client(default_sb)
    truth = live_recordings(default_sb, "Todo")
    served = {path: _grouped(client, path, "todos") for path in EVERYTHING_TODOS}
    ids = [t["id"] for rows in served.values() for t in rows]
    assert len(ids) == len(set(ids)) and set(ids) == set(truth)
    for path, rows in served.items():
        assert {t["completed"] for t in rows} == {path == "/todos/completed.json"}
        assert all(t["completed"] == truth[t["id"]].extra["completed"] for t in rows)


def test_everything__cards_partition(default_sb: Sandbox) -> None:
    """With open, completed and not-now cards, expect a partition of the live cards."""
    client = Client(default_sb)
    truth = live_recordings(default_sb, "Kanban::Card")
    served = {path: {c["id"] for c in _grouped(client, path, "cards")}
              for path in EVERYTHING_CARDS}
    assert sum(len(ids) for ids in served.values()) == len(truth)
    assert set().union(*served.values()) == set(truth)
    columns = default_sb.truth.recordings
    not_now = {i for i, c in truth.items()
               if columns[c.parent_id].type == "Kanban::NotNowColumn"}
    assert served["/cards/not_now.json"] == not_now
    assert served["/cards/completed.json"] == {i for i, c in truth.items() if c.extra["completed"]}


def test_everything__same_items_as_lists(default_sb: Sandbox) -> None:
    """With a to-do list and a column, expect their rows verbatim inside the grouped lists."""
    client = Client(default_sb)
    todos = {t["id"]: t for t in _grouped(client, "/todos/open.json", "todos")}
    cards = {c["id"]: c for path in EVERYTHING_CARDS for c in _grouped(client, path, "cards")}
    project = client.walk("/projects.json")[0]
    todoset = client.member(next(t["url"] for t in project["dock"] if t["name"] == "todoset"))
    rows = client.walk(client.walk(todoset["todolists_url"])[0]["todos_url"])
    board = client.member(next(t["url"] for t in project["dock"] if t["name"] == "kanban_board"))
    rows += [c for column in board["lists"] for c in client.walk(column["cards_url"])]
    assert rows and all(row == (todos | cards)[row["id"]] for row in rows)


def test_everything__pages_of_five_groups(default_sb: Sandbox) -> None:
    """With each grouped list, expect pages of at most 5 groups, Link and X-Total-Count."""
    client = Client(default_sb)
    for path in EVERYTHING_TODOS + EVERYTHING_CARDS:
        sizes, total = page_sizes(client, path)
        assert sizes[:-1] == [5] * (len(sizes) - 1) and 0 < sizes[-1] <= 5, (path, sizes)
        assert sum(sizes) == total and len(sizes) == pages_needed(GROUPED_GEAR, total) > 1


def test_everything__grouped_gear_is_fixed() -> None:
    """With a custom page_gear, expect grouped lists still to page by 5 groups."""
    with Sandbox(api="bc4", size="default", rate_limit=None, page_gear=(2, 3)) as sb:
        assert len(Client(sb).get("/todos/open.json").json()) == 5


def test_oracle__counts_grouped_pages() -> None:
    """With every grouped list walked, expect the oracle to count exactly the pages fetched."""
    with Sandbox(api="bc4", size="default", seed=0, rate_limit=None) as sb:
        client = Client(sb)
        for path in EVERYTHING_TODOS + EVERYTHING_CARDS:
            client.walk(path)
        assert len(client.collections) > len(EVERYTHING_TODOS + EVERYTHING_CARDS)
        assert sb.minimum_requests() == len(client.collections)
