"""Basecamp 4 sandbox data: big and string ids, the dock, statuses, filters, the recordings
listing and determinism.
"""

from __future__ import annotations

import json
from datetime import datetime

import requests

from sandbox import Sandbox
from sandbox.bc4.data_base import BIG_ID
from tests.sandbox_walks import UA, Client, container_walk, recordings_strategy, showcase_list


def test_ids__big_ints_survive(sb: Sandbox, client: Client) -> None:
    """With ids above 2**53, expect them exact through an int-keeping JSON parser."""
    raw = client.get("/projects.json").text
    ids = [p["id"] for p in json.loads(raw)]
    assert any(i > 2**53 for i in ids)
    todos = client.walk("/projects/recordings.json", type="Todo")
    assert any(t["id"] > 2**53 for t in todos)
    messages = client.walk("/projects/recordings.json", type="Message")
    assert BIG_ID in {m["id"] for m in messages}
    people = client.walk("/people.json")
    assert any(p["id"] > 2**53 for p in people)


def test_ids__system_person_string(sb: Sandbox, client: Client) -> None:
    """With campfire lines, expect some creators to be a LocalPerson with a string id."""
    creators = [line["creator"] for chat in client.walk("/chats.json")
                for line in client.walk(chat["lines_url"])]
    system = [c for c in creators if c["personable_type"] == "LocalPerson"]
    assert system and all(isinstance(c["id"], str) for c in system)


def test_dock__several_and_disabled(sb: Sandbox, client: Client) -> None:
    """With the tiny account, expect a project with two to-do sets and some disabled tools."""
    projects = client.walk("/projects.json") + client.walk("/projects.json", status="archived")
    docks = [p["dock"] for p in projects]
    assert any(sum(t["name"] == "todoset" for t in dock) > 1 for dock in docks)
    disabled = [t for dock in docks for t in dock if not t["enabled"]]
    assert disabled and all(t["position"] is None for t in disabled)


def test_status__archived_and_trashed(sb: Sandbox, client: Client) -> None:
    """With status=archived|trashed, expect projects and recordings in those states."""
    for status in ("archived", "trashed"):
        assert {p["status"] for p in client.walk("/projects.json", status=status)} == {status}
        rows = client.walk("/projects/recordings.json", type="Todo", status=status)
        assert rows and {r["status"] for r in rows} == {status}


def test_todos__completed_filter(sb: Sandbox, client: Client) -> None:
    """With completed=true, expect only completed to-dos; without it, only pending ones."""
    url = showcase_list(sb, client)
    assert {t["completed"] for t in client.walk(url)} == {False}
    assert {t["completed"] for t in client.walk(url, completed="true")} == {True}


def test_recordings__type_required(sb: Sandbox, client: Client) -> None:
    """With no type on the recordings listing, expect 400 with a JSON error."""
    response = client.get("/projects/recordings.json")
    assert response.status_code == 400 and "error" in response.json()


def test_recordings__sorted_by_updated(sb: Sandbox, client: Client) -> None:
    """With sort=updated_at&direction=desc, expect non-increasing updated_at."""
    rows = client.walk("/projects/recordings.json", type="Todo", sort="updated_at",
                       direction="desc")
    stamps = [datetime.fromisoformat(r["updated_at"].replace("Z", "+00:00")) for r in rows]
    assert stamps == sorted(stamps, reverse=True)


def test_determinism__same_seed(sb: Sandbox) -> None:
    """With the same size and seed, expect identical bodies; another seed differs."""
    def body(seed: int) -> bytes:
        with Sandbox(api="bc4", seed=seed, rate_limit=None) as other:
            headers = {"User-Agent": UA, "Authorization": f"Bearer {other.credentials.token}"}
            text = requests.get(other.base_url + "/projects/recordings.json?type=Todo",
                                headers=headers).text
            return text.replace(other.origin, "ORIGIN").encode()
    assert body(0) == body(0) != body(1)


def test_strategies__recordings_cheaper() -> None:
    """With a tiny account, expect the recordings listing to cost far fewer requests."""
    with Sandbox(api="bc4", rate_limit=None) as sb:
        walk = Client(sb)
        container_walk(walk)
        slow = sb.minimum_requests()
        sb.reset_log()
        recordings_strategy(walk)
        fast = sb.minimum_requests()
    assert fast < slow


def test_recordings__todo_content_is_title(sb: Sandbox, client: Client) -> None:
    """With type=Todo, expect content to be the title, as in the full Todo, not the HTML."""
    rows = client.walk("/projects/recordings.json", type="Todo")
    assert rows
    for row in rows[:10]:
        assert row["content"] == row["title"] == client.member(row["url"])["content"]
