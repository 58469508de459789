"""Basecamp 4 sandbox mutations: changed rows first, the summary and clock, deletions gone
everywhere, determinism, and validators that move with the data.
"""

from __future__ import annotations

import json
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from sandbox import Sandbox
from tests.sandbox_walks import (
    Client,
    container_walk,
    instant,
    live_recordings,
    recordings_strategy,
    walk_everything,
)


def _changed(sb: Sandbox, summary: dict[str, list[int]], kind: str) -> set[int]:
    """Ids in the summary that are still active ``kind`` rows of active projects."""
    ids = {i for values in summary.values() for i in values}
    live = live_recordings(sb, kind)
    return {i for i in ids if i in live}


def test_mutate__changed_todos_first(sb: Sandbox, client: Client) -> None:
    """With mutations, expect the changed to-dos first in the updated_at-desc listing."""
    before = max(r.updated_at for r in sb.truth.recordings.values())
    summary = sb.mutate(12, seed=1)
    changed = _changed(sb, summary, "Todo")
    assert changed
    rows = client.walk("/projects/recordings.json", type="Todo", sort="updated_at",
                       direction="desc")
    assert {r["id"] for r in rows[: len(changed)]} == changed
    assert all(instant(r["updated_at"]) > before for r in rows[: len(changed)])
    assert all(instant(r["updated_at"]) <= before for r in rows[len(changed):])


def test_mutate__summary_and_clock(sb: Sandbox) -> None:
    """With mutate, expect every change kind listed and each change at a later whole second."""
    before = max(r.updated_at for r in sb.truth.recordings.values())
    summary = sb.mutate(40, seed=0)
    assert set(summary) == {"created", "updated", "trashed", "archived", "restored",
                            "completed", "uncompleted", "deleted", "touched"}
    assert sum(len(v) for k, v in summary.items() if k != "touched") == 40
    assert all(summary[k] for k in ("created", "updated", "deleted", "completed"))
    for rec_id in summary["created"] + summary["updated"]:
        rec = sb.truth.recordings.get(rec_id)
        if rec is not None:
            assert rec.updated_at > before and rec.updated_at.microsecond == 0
    for rec_id in summary["created"]:
        rec = sb.truth.recordings.get(rec_id)
        if rec is not None and rec.parent_id in sb.truth.recordings:
            assert sb.truth.recordings[rec.parent_id].updated_at >= rec.created_at
    assert sb.mutate(5, seed=0) != sb.mutate(5, seed=0)  # later calls draw new changes


def _typed_ids(value: Any) -> set[int]:
    """Ids of every recording-like object (anything with a ``type``) in a JSON value."""
    found: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "type" in item and isinstance(item.get("id"), int):
                found.add(item["id"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_mutate__deleted_gone_everywhere() -> None:
    """With hard deletes, expect the recordings (and their subtrees) in no listing, 404 alone."""
    with Sandbox(api="bc4", rate_limit=None) as sb:
        summary = sb.mutate(30, seed=2)
        assert summary["deleted"]
        gone = set(sb.truth.tombstones)
        client = walk_everything(Client(sb))
        seen = set().union(*(_typed_ids(page) for _, page in client.collections))
        assert seen and not seen & gone
        for rec_id in gone:
            assert client.get(f"/recordings/{rec_id}.json").status_code == 404


def _pages(seed: int) -> list[tuple[str, bytes]]:
    with Sandbox(api="bc4", rate_limit=None) as sb:
        sb.mutate(15, seed=seed)
        client = Client(sb)
        container_walk(client)
        recordings_strategy(client)
        return [(url.replace(sb.origin, "ORIGIN"),
                 json.dumps(page).replace(sb.origin, "ORIGIN").encode())
                for url, page in client.collections]


def test_mutate__same_seed_same_pages() -> None:
    """With two sandboxes mutated alike, expect identical pages; another seed differs."""
    assert _pages(7) == _pages(7) != _pages(8)


def test_mutate__validators_of_affected_listings_move(sb: Sandbox, client: Client) -> None:
    """With a mutation, expect a listing whose body changed to get a new ETag and a later
    Last-Modified (so neither validator answers 304), and an unchanged one to stay 304."""
    lists = sorted(r.id for r in sb.truth.recordings.values() if r.type == "Todolist")
    urls = ["/projects/recordings.json?type=Todo", "/people.json",
            *(f"/todolists/{i}/todos.json{q}" for i in lists for q in ("", "?completed=true"))]
    before = {url: client.get(url) for url in urls}
    sb.mutate(10, seed=3)
    moved = 0
    for url in urls:
        old = before[url].headers
        by_etag = client.session.get(sb.base_url + url, headers={
            **client.headers(), "If-None-Match": old["ETag"]})
        by_date = client.session.get(sb.base_url + url, headers={
            **client.headers(), "If-Modified-Since": old["Last-Modified"]})
        if client.get(url).content == before[url].content:
            assert by_etag.status_code == 304, url
            continue
        moved += 1
        assert by_etag.status_code == by_date.status_code == 200, url
        assert by_etag.headers["ETag"] != old["ETag"]
        assert _http_date(by_etag.headers["Last-Modified"]) > _http_date(old["Last-Modified"])
    assert moved >= 2
    assert client.get("/people.json").content == before["/people.json"].content


def _http_date(text: str) -> datetime:
    return parsedate_to_datetime(text)


def test_mutate__backpack_not_implemented() -> None:
    """With a Backpack sandbox, expect mutate to raise NotImplementedError."""
    with pytest.raises(NotImplementedError):
        Sandbox(api="backpack").mutate(1)
