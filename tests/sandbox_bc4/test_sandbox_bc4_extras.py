"""Basecamp 4 sandbox extras: gauges, timesheets, webhooks, chatbots, boosts, upload versions,
subscriptions and Lineup markers, and the oracle for their routes.
"""

from __future__ import annotations

from typing import Any

from sandbox import Sandbox
from sandbox.bc4.data_base import BIG_ID
from tests.sandbox_walks import BOOSTED_TYPES, Client, extras_walk, instant


def _projects(client: Client) -> list[dict[str, Any]]:
    return client.walk("/projects.json") + client.walk("/projects.json", status="archived")


def test_gauges__needles_belong_to_their_project(sb: Sandbox, client: Client) -> None:
    """With each project's needles, expect them under that project's gauge, newest first."""
    with_gauge = 0
    for project in _projects(client):
        needles = client.walk(f"/projects/{project['id']}/gauge/needles.json")
        truth = sb.truth.projects[project["id"]]
        assert bool(needles) == (truth.gauge_id is not None)
        if not needles:
            continue
        with_gauge += 1
        assert {n["bucket"]["id"] for n in needles} == {project["id"]}
        assert {(n["parent"]["id"], n["parent"]["type"]) for n in needles} == {
            (truth.gauge_id, "Gauge")}
        stamps = [n["created_at"] for n in needles]
        assert stamps == sorted(stamps, key=instant, reverse=True) and 2 <= len(needles) <= 4
        gauge = client.member(needles[0]["parent"]["url"])
        assert gauge["last_needle_color"] == needles[0]["color"]
        assert gauge["last_needle_position"] == needles[0]["position"]
        assert gauge["previous_needle_position"] == needles[1]["position"]
    assert with_gauge >= 1


def test_gauges__report_active_projects_by_risk(default_sb: Sandbox) -> None:
    """With /reports/gauges.json, expect active projects' gauges, red first; bucket_ids reorders."""
    client = Client(default_sb)
    active = {p["id"] for p in client.walk("/projects.json")}
    gauges = client.walk("/reports/gauges.json")
    truth = {p.id for p in default_sb.truth.projects.values() if p.gauge_id is not None
             and p.status == "active" and not p.template}
    assert {g["bucket"]["id"] for g in gauges} == truth and truth <= active
    assert 0.25 <= len(truth) / len(active) <= 0.75
    risk = {"red": 0, "yellow": 1, "green": 2}
    order = [(risk[g["last_needle_color"]], g["bucket"]["name"]) for g in gauges]
    assert order == sorted(order)
    wanted = [g["bucket"]["id"] for g in gauges][::-1][:3]
    picked = client.walk("/reports/gauges.json", bucket_ids=",".join(map(str, wanted)))
    assert [g["bucket"]["id"] for g in picked] == wanted


def test_timesheet__only_enabled_projects(sb: Sandbox, client: Client) -> None:
    """With every project's timesheet, expect entries exactly where it is enabled, paged."""
    enabled = 0
    for project in _projects(client):
        truth = sb.truth.projects[project["id"]]
        entries = client.walk(f"/projects/{project['id']}/timesheet.json")
        assert bool(entries) == truth.timesheet_enabled
        assert "timesheet_enabled" not in project  # not in openapi.json's Project
        if not entries:
            continue
        enabled += 1
        assert {e["bucket"]["id"] for e in entries} == {project["id"]}
        assert [e["date"] for e in entries] == sorted(e["date"] for e in entries)
        for parent in {e["parent"]["id"] for e in entries if e["parent"]["type"] != "Project"}:
            own = client.walk(f"/recordings/{parent}/timesheet.json")
            assert own and {e["parent"]["id"] for e in own} == {parent}
            assert {e["id"] for e in own} <= {e["id"] for e in entries}
    assert enabled >= 1
    showcase = next(p for p in sb.truth.projects.values())
    response = client.get(f"/projects/{showcase.id}/timesheet.json")
    assert int(response.headers["X-Total-Count"]) == 20 and 'rel="next"' in response.headers["Link"]


def test_timesheet__filters(sb: Sandbox, client: Client) -> None:
    """With from/to/person_id, expect only the entries inside the window of that person."""
    showcase = next(iter(sb.truth.projects))
    url = f"/projects/{showcase}/timesheet.json"
    entries = client.walk(url)
    middle = entries[len(entries) // 2]["date"]
    assert {e["id"] for e in client.walk(url, **{"from": middle})} == {
        e["id"] for e in entries if e["date"] >= middle}
    assert {e["id"] for e in client.walk(url, to=middle)} == {
        e["id"] for e in entries if e["date"] <= middle}
    person = entries[0]["person"]["id"]
    assert {e["id"] for e in client.walk(url, person_id=str(person))} == {
        e["id"] for e in entries if e["person"]["id"] == person}


def test_webhooks__per_project_whole_set(sb: Sandbox, client: Client) -> None:
    """With each project's webhooks, expect the truth's 0-2 hooks in one page, URLs followable."""
    counts = []
    for project in _projects(client):
        response = client.get(f"/buckets/{project['id']}/webhooks.json")
        hooks = response.json()
        assert "Link" not in response.headers
        assert int(response.headers["X-Total-Count"]) == len(hooks) <= 2
        assert [h["id"] for h in hooks] == [h.id for h in sb.truth.webhooks[project["id"]]]
        for hook in hooks:
            assert client.member(hook["url"])["recent_deliveries"] == []
        counts.append(len(hooks))
    assert max(counts) == 2 and any(h["id"] > 2**53 for p in _projects(client)
                                    for h in client.walk(f"/buckets/{p['id']}/webhooks.json"))


def test_chatbots__account_wide_seen_from_each_campfire(sb: Sandbox, client: Client) -> None:
    """With any campfire's integrations, expect every chatbot of the account, addressed there."""
    truth = sorted(bot.id for bot in sb.truth.chatbots)
    keys = set()
    chats = client.walk("/chats.json")
    for chat in chats:
        bucket = chat["bucket"]["id"]
        bots = client.walk(f"/buckets/{bucket}/chats/{chat['id']}/integrations.json")
        assert sorted(bot["id"] for bot in bots) == truth
        for bot in bots:
            assert f"/buckets/{bucket}/chats/{chat['id']}/integrations/{bot['id']}" in bot["url"]
            assert bot["lines_url"].endswith(f"/buckets/{bucket}/chats/{chat['id']}/lines")
            assert client.member(bot["url"])["id"] == bot["id"]
            keys.add(bot["lines_url"].split("/integrations/")[1].split("/")[0])
    assert len(truth) >= 2 and len(keys) == len(truth) * len(chats)
    assert client.get(f"/chats/{chats[0]['id']}/integrations.json").status_code == 404


def test_boosts__count_matches_served(sb: Sandbox, client: Client) -> None:
    """With boostable rows, expect boosts_count to equal the boosts served for the recording."""
    boosted = 0
    for kind in BOOSTED_TYPES:
        for index, row in enumerate(client.walk("/projects/recordings.json", type=kind)):
            boosts = client.walk(row["boosts_url"])
            assert len(boosts) == row["boosts_count"]
            assert all(b["recording"]["id"] == row["id"] for b in boosts)
            if boosts or index == 0:
                assert client.member(row["url"])["boosts_count"] == len(boosts)
            boosted += bool(boosts)
    assert boosted >= 3
    assert BIG_ID in {r["id"] for r in client.walk("/projects/recordings.json", type="Message")
                      if r["boosts_count"] == 3}


def test_versions__newest_is_current(sb: Sandbox, client: Client) -> None:
    """With each upload's versions, expect newest first, one current, matching the upload."""
    longest = 0
    for upload in client.walk("/projects/recordings.json", type="Upload"):
        response = client.get(f"/uploads/{upload['id']}/versions.json")
        versions = response.json()
        assert "Link" not in response.headers
        assert int(response.headers["X-Total-Count"]) == len(versions) >= 1
        assert [v["upload"]["current"] for v in versions] == [True] + [False] * (len(versions) - 1)
        assert versions[-1]["action"] == "created"
        assert {v["action"] for v in versions[:-1]} <= {"blob_changed"}
        assert all(v["recording_id"] == upload["id"] for v in versions)
        whole = client.member(upload["url"])
        assert versions[0]["upload"]["byte_size"] == whole["byte_size"]
        assert instant(versions[0]["created_at"]) <= instant(whole["updated_at"])
        longest = max(longest, len(versions))
    assert longest == 3


def test_subscription__subscribers(sb: Sandbox, client: Client) -> None:
    """With a to-do's subscription, expect count = subscribers, creator and assignees in it."""
    todo = next(t for t in client.walk("/todos/open.json")[0]["todos"] if t["assignees"])
    body = client.member(todo["subscription_url"])
    ids = [p["id"] for p in body["subscribers"]]
    assert body["count"] == len(ids) == len(set(ids))
    assert {todo["creator"]["id"], *(a["id"] for a in todo["assignees"])} <= set(ids)
    assert body["url"] == todo["subscription_url"]
    line = client.walk(client.walk("/chats.json")[0]["lines_url"])[0]
    assert client.get(f"/recordings/{line['id']}/subscription.json").status_code == 404


def test_markers__whole_and_dated(sb: Sandbox, client: Client) -> None:
    """With /lineup/markers.json, expect a handful of markers by date, in one page."""
    response = client.get("/lineup/markers.json")
    markers = response.json()
    assert 3 <= len(markers) == int(response.headers["X-Total-Count"]) <= 6
    assert [m["date"] for m in markers] == sorted(m["date"] for m in markers)
    assert "Link" not in response.headers


def test_extras__whole_sets_ignore_the_gear() -> None:
    """With page_gear=(1,), expect whole-set routes unpaged and every extra route deterministic."""
    with Sandbox(api="bc4", rate_limit=None, page_gear=(1,)) as sb:
        client = Client(sb)
        showcase = next(iter(sb.truth.projects))
        chat = next(t.id for t in sb.truth.projects[showcase].dock if t.name == "chat")
        upload = next(r.id for r in sb.truth.recordings.values()
                      if r.type == "Upload" and len(sb.truth.events[r.id]) == 3)
        for path in ("/lineup/markers.json", f"/buckets/{showcase}/webhooks.json",
                     f"/buckets/{showcase}/chats/{chat}/integrations.json",
                     f"/uploads/{upload}/versions.json"):
            response = client.get(path)
            assert len(response.json()) >= 2 and "Link" not in response.headers, path
        assert 'rel="next"' in client.get(f"/projects/{showcase}/timesheet.json").headers["Link"]


def test_oracle__counts_extra_routes() -> None:
    """With a geared (2, 3) walk of every extra route, expect the oracle to match the walk."""
    with Sandbox(api="bc4", rate_limit=None, page_gear=(2, 3)) as sb:
        client = Client(sb)
        extras_walk(client)
        assert any(len(page) == 3 for _, page in client.collections)
        assert sb.minimum_requests() == len(sb.requests)
