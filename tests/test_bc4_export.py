"""A whole Basecamp 4 export of the sandbox: every table, request-minimal, OAuth that refreshes.

The tiny account is exported twice into one directory with the client limiter on and the
server's 50 requests / 10 s in force. Rows are checked against the sandbox's own truth.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extract.config import ExportConfig
from extract.export import run_export
from extract.families import family
from extract.families.bc4.grant import Grant
from extract.families.bc4.oauth import OAuthApp, Tokens
from extract.http import Credentials
from sandbox import Sandbox
from sandbox.bc4.model import ACTIVE
from tests.sandbox_walks import Client, container_walk
from transforms.errors import AuthError
from transforms.read import dataset

UA = "basecamp-extract tests (tests@example.com)"
# Tables the tiny sandbox has no rows for: Door recordings and to-do steps are BC5 additions
# it does not generate.
EMPTY_IN_SANDBOX = {"recordings"}


def grant_of(box: Sandbox, stored: list[Tokens] | None = None) -> Grant:
    c = box.credentials
    return Grant(Tokens(c.token, c.refresh_token),
                 OAuthApp(c.client_id, c.client_secret, f"{box.launchpad_url}/authorization/token"),
                 on_refresh=stored.append if stored is not None else None)


def config(box: Sandbox, output: Path, **overrides) -> ExportConfig:
    values = {"account_id": box.account_id, "base_url": box.base_url, "user_agent": UA,
              "credentials": Credentials(), "output": output, "api": "bc4", "workers": 4,
              "backoff_factor": 0.01, "grant": grant_of(box)}
    values.update(overrides)
    return ExportConfig(**values)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("bc4")
    fam = family("bc4")
    with Sandbox(api="bc4", size="tiny", seed=0) as box:
        first = run_export(config(box, out, rate_limit=fam.rate))
        minimum = box.minimum_requests()
        statuses = Counter(r["status"] for r in box.requests)
        paths = [r["path"] for r in box.requests]
        box.reset_log()
        second = run_export(config(box, out, rate_limit=fam.rate))
        yield {"out": out, "first": first, "second": second, "minimum": minimum,
               "statuses": statuses, "paths": paths, "box": box}


def rows(out: Path, table: str) -> list[dict]:
    return dataset(out, "bc4", table).to_table().to_pylist()


def live_recordings(box: Sandbox, kind: str):
    """Recordings of a type in projects that are not trashed (trashed ones answer 404)."""
    projects = box.truth.projects
    return [r for r in box.truth.recordings.values()
            if r.type == kind and projects[r.bucket_id].status != "trashed"
            and not projects[r.bucket_id].template]


def test_export__every_step_table_has_rows(exported):
    """With the tiny sandbox, expect rows in every primary table but the BC5-only ones."""
    tables = exported["first"].manifest["tables"]
    empty = [t for t in family("bc4").steps() if not tables.get(t, {}).get("rows")]
    assert set(empty) == EMPTY_IN_SANDBOX
    assert exported["first"].ok and not exported["first"].manifest["drift"]["new_columns"]


def test_export__requests_equal_the_minimum_and_no_429(exported):
    """With the real limit in force, expect no 429 and not one request more than needed."""
    assert exported["statuses"][429] == 0
    assert exported["first"].manifest["http"]["requests"] == exported["minimum"]


def test_export__far_fewer_requests_than_a_container_walk(exported):
    """With the same account, expect the strategy to cost a fraction of walking containers."""
    with Sandbox(api="bc4", size="tiny", seed=0, rate_limit=None) as box:
        container_walk(Client(box))
        walk = len(box.requests)
    ours = exported["first"].manifest["http"]["requests"]
    assert walk >= 2.5 * ours, (walk, ours)  # 3.1x on tiny; 6.2x on the default size


def test_export__no_duplicate_keys_after_two_runs(exported):
    """With two runs into one directory, expect unique primary keys in every table."""
    registry = family("bc4").registry
    for name, written in exported["second"].manifest["tables"].items():
        if not written["rows"]:
            continue
        key = list(registry[name].key)
        keys = [tuple(r.values()) for r in
                dataset(exported["out"], "bc4", name).to_table().select(key).to_pylist()]
        assert len(keys) == len(set(keys)), name


def test_export__second_run_is_all_not_modified(exported):
    """With nothing changed, expect every answer of the second run a 304.

    The second run starts at once, while the server's window still counts the first run's
    requests, so a few 429s (waited out) are expected there.
    """
    http = exported["second"].manifest["http"]
    assert http["not_modified"] == http["requests"] - http["throttled_429"] > 0, http


def test_todos__every_status_with_completion(exported):
    """With the export, expect every to-do of every status, and whole rows for active ones;
    their assignees are opt-in (--with details, tests/test_bc4_details.py), so not written."""
    box = exported["box"]
    truth = {t.id: t for t in live_recordings(box, "Todo")}
    got = {r["id"]: r for r in rows(exported["out"], "todos")}
    assert set(got) == set(truth)
    assert all(got[i]["status"] == t.status for i, t in truth.items())
    projects = box.truth.projects
    whole = [i for i, t in truth.items()
             if t.status == ACTIVE and projects[t.bucket_id].status == ACTIVE]
    assert whole and all(got[i]["completed"] == truth[i].extra["completed"] for i in whole)
    assert "todos__assignees" in exported["first"].manifest["not_written"]
    assert not (exported["out"] / "bc4" / "todos__assignees").exists()


def test_todos__title_not_description_in_content(exported):
    """With thin and whole rows merged, expect content to be the plain title."""
    box = exported["box"]
    for row in rows(exported["out"], "todos"):
        assert row["content"] == box.truth.recordings[row["id"]].title


def test_recordings__project_id_from_bucket(exported):
    """With account-wide listings, expect each row partitioned under its own project."""
    box = exported["box"]
    for table in ("comments", "messages", "cards"):
        for row in rows(exported["out"], table):
            assert row["project_id"] == row["bucket__id"] == box.truth.recordings[
                row["id"]].bucket_id


def test_comments__archived_projects_included(exported):
    """With archived projects passed in bucket=, expect their comments too (trap 2)."""
    truth = {c.id for c in live_recordings(exported["box"], "Comment")}
    assert {r["id"] for r in rows(exported["out"], "comments")} == truth


def test_dock__every_tool_table_and_lines(exported):
    """With the dock walk, expect one row per docked tool and every campfire line."""
    box = exported["box"]
    docked = Counter(r["name"] for r in rows(exported["out"], "projects__dock"))
    assert len(rows(exported["out"], "todosets")) == docked["todoset"]
    lines = {r["id"] for r in rows(exported["out"], "campfire_lines")}
    enabled = {t.id for p in box.truth.projects.values() if p.status != "trashed"
               for t in p.dock if t.name == "chat" and t.enabled}
    truth = {r.id for r in box.truth.recordings.values()
             if r.type.startswith("Chat::Lines") and r.parent_id in enabled}
    assert lines == truth


def test_chatbots__account_wide_once_without_the_posting_key(exported):
    """With chatbots listed alike under every campfire, expect one request, each bot once,
    and no keyed ``lines_url`` stored."""
    box = exported["box"]
    got = rows(exported["out"], "chatbots")
    assert sorted(r["id"] for r in got) == sorted(b.id for b in box.truth.chatbots)
    assert all("lines_url" not in r for r in got)
    assert sum(p.endswith("/integrations.json") for p in exported["paths"]) == 1


def test_chatbots__project_partitions_of_an_older_layout_are_replaced(tmp_path):
    """With chatbots stored per project by an earlier version (Hive layout), expect a full
    run in that layout to leave only the account partition, each bot once."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        run_export(config(box, tmp_path, partition_by="project"))
        account = tmp_path / "bc4" / "chatbots" / f"account_id={box.account_id}"
        for project in (111, 222):  # what the per-campfire layout left behind
            old = account / f"project_id={project}"
            old.mkdir()
            (old / "part-0.parquet").write_bytes((account / "part-0.parquet").read_bytes())
        result = run_export(config(box, tmp_path, full=True, partition_by="project"))
        assert result.ok
        assert [p.name for p in account.iterdir()] == ["part-0.parquet"]
        ids = [r["id"] for r in rows(tmp_path, "chatbots")]
        assert sorted(ids) == sorted(b.id for b in box.truth.chatbots)


def test_oauth__expired_token_is_refreshed_and_the_run_continues(tmp_path):
    """With every access token expired, expect one refresh, new tokens handed back, all rows."""
    stored: list[Tokens] = []
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        grant = grant_of(box, stored)
        box.expire_token()
        result = run_export(config(box, tmp_path, grant=grant, steps=["people"]))
        assert result.ok and result.manifest["tables"]["people"]["rows"] > 0
        assert len(stored) == 1 and stored[0].access_token == box.credentials.token


def test_oauth__revoked_token_is_an_auth_error(tmp_path):
    """With the grant revoked, expect an AuthError and no output written."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        grant = grant_of(box)
        box.revoke()
        with pytest.raises(AuthError):
            run_export(config(box, tmp_path, grant=grant))
    assert not (tmp_path / "bc4" / "projects").exists()


def test_events__opt_in_adds_one_request_per_recording(tmp_path):
    """With --with-events, expect the events table filled and the cost stated."""
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        plain = run_export(config(box, tmp_path / "a", steps=["todos"], cache=False))
        box.reset_log()
        result = run_export(config(box, tmp_path / "b", steps=["todos", "events"],
                                   options=("events",), cache=False))
        assert result.manifest["tables"]["events"]["rows"] > 0
        todos = result.manifest["tables"]["todos"]["rows"]
        extra = result.manifest["http"]["requests"] - plain.manifest["http"]["requests"]
        assert extra >= todos
