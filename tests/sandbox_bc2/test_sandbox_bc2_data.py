"""Basecamp 2 sandbox data: determinism, what the generated account serves, and the oracle."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import quote

from sandbox import Sandbox
from sandbox.bc2.records import TRASHED
from tests.sandbox_bc2_support import CREDS, SINCE_EVER, Api, long_list_id, showcase


def _normalised(sandbox: Sandbox, paths: list[str]) -> list[str]:
    api = Api(sandbox)
    origin_pattern = re.compile(r"http://(127\.0\.0\.1|localhost):\d+")
    return [origin_pattern.sub("http://HOST", api.get(p).text) for p in paths]


def test_determinism__same_seed_same_bodies() -> None:
    """With two sandboxes of the same seed, expect byte-identical bodies (ports aside)."""
    paths = ["/projects.json", "/people.json", "/topics.json", "/attachments.json",
             f"/events.json?since={quote(SINCE_EVER)}", "/people/me.json"]
    with Sandbox(seed=3, credentials=CREDS) as one, Sandbox(seed=3, credentials=CREDS) as two:
        assert _normalised(one, paths) == _normalised(two, paths)
        with Sandbox(seed=4, credentials=CREDS) as other:
            assert _normalised(one, paths) != _normalised(other, paths)


def test_data__ids_above_2_31_are_served(sb: Sandbox, api: Api) -> None:
    """With the tiny account, expect some served ids above 2**31."""
    rows = api.all(f"/projects/{showcase(sb.truth).id}/todos.json")
    assert any(row["id"] > 2**31 for row in rows)


def test_data__trashed_project_only_in_person_projects(sb: Sandbox, api: Api) -> None:
    """With a trashed project, expect it only in /people/{id}/projects.json and 404 elsewhere."""
    trashed = next(p for p in sb.truth.projects.values() if p.state == TRASHED)
    listed = [p["id"] for p in api.json(f"/people/{sb.truth.me_id}/projects.json")]
    assert trashed.id in listed
    for path in ("/projects.json", "/projects/archived.json", "/projects/drafts.json",
                 "/project_templates.json"):
        assert trashed.id not in [p["id"] for p in api.json(path)]
    assert api.get(f"/projects/{trashed.id}.json").status_code == 404
    assert api.get(f"/projects/{trashed.id}/todolists.json").status_code == 404


def test_data__timestamps_use_local_offsets(api: Api) -> None:
    """With people and events, expect -05:00 and -04:00 offsets and both second forms."""
    text = api.get("/people.json").text + api.get("/events.json", since=SINCE_EVER).text
    stamps = re.findall(r'"updated_at":"([^"]+)"', text)
    assert {s[-6:] for s in stamps} == {"-05:00", "-04:00"}
    assert any(".000" in s for s in stamps) and any(".000" not in s for s in stamps)


def test_events__since_filters_and_needs_encoded_plus(api: Api) -> None:
    """With since, expect only newer events; an unencoded '+' offset gives 400."""
    everything = api.all("/events.json", since=SINCE_EVER)
    middle = everything[len(everything) // 2]["created_at"]
    newer = api.all("/events.json", since=middle)
    assert 0 < len(newer) < len(everything)
    cutoff = datetime.fromisoformat(middle)
    assert all(datetime.fromisoformat(row["created_at"]) > cutoff for row in newer)
    raw = api.session.get(api.sb.base_url + "/events.json?since=2026-05-01T00:00:00+02:00",
                          timeout=10)
    assert raw.status_code == 400
    assert api.get("/events.json", since="2026-05-01T00:00:00+02:00").status_code == 200


def test_calendar__window_expands_recurrences(sb: Sandbox, api: Api) -> None:
    """With a window over a recurring event, expect the master plus id-less occurrences."""
    start = (sb.truth.now - timedelta(days=14)).date().isoformat()
    rows = api.json(f"/projects/{showcase(sb.truth).id}/calendar_events.json", start_date=start)
    occurrences = [r for r in rows if "recurrence" in r]
    assert occurrences and all("id" not in r and "url" not in r for r in occurrences)
    masters = {r["recurrence"]["master"]["id"] for r in occurrences}
    assert masters & {r["id"] for r in rows if "recurring" in r}


def test_todolist__exclude_todos_drops_embedded_todos(sb: Sandbox, api: Api) -> None:
    """With exclude_todos=true, expect the to-do list member without its todos key."""
    path = f"/projects/{showcase(sb.truth).id}/todolists/{long_list_id(sb.truth)}.json"
    assert "todos" in api.json(path)
    assert "todos" not in api.json(path, exclude_todos="true")


def test_todos__rows_repeat_todolist_created_at(sb: Sandbox, api: Api) -> None:
    """With a to-do row, expect the embedded todolist to repeat created_at, as documented."""
    text = api.get(f"/projects/{showcase(sb.truth).id}/todos.json").text
    first_list = text[text.index('"todolist":{'):]
    first_list = first_list[: first_list.index('"app_url"')]
    assert first_list.count('"created_at"') == 2


def test_download__attachment_url_serves_bytes(sb: Sandbox, api: Api) -> None:
    """With an attachment row's url, expect its bytes (byte_size long) from the asset host."""
    row = next(a for a in api.json("/attachments.json") if "key" in a)
    response = api.get(row["url"])
    assert response.status_code == 200
    assert len(response.content) == row["byte_size"]


def test_oracle__minimum_requests_per_resource(fresh: Sandbox) -> None:
    """With repeated and paged requests, expect the oracle to count distinct resources."""
    api = Api(fresh)
    todos = f"/projects/{showcase(fresh.truth).id}/todos.json"
    total = len(api.all(todos))
    api.json(todos, page=3)
    api.json("/projects.json")
    api.json("/projects.json", page=2)
    api.json("/people.json")
    api.json("/people/me.json")
    api.json("/people/me.json")
    api.get("/nope.json")
    expected = (total // 50 + 1) + 1 + 2 + 1
    assert fresh.minimum_requests() == expected
