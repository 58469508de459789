"""A whole BC2 export of the sandbox: every table, declared types, idempotent, minimal, safe."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from extract.families import family
from extract.http import RateLimit
from sandbox import Sandbox
from tests.stored import data_files, rows_of_project
from transforms.read import dataset

REQUIRED = ["projects", "project_templates", "stars", "people", "groups", "accesses", "events",
            "topics", "messages", "comments", "todolists", "todos", "documents", "forwards",
            "attachments", "uploads", "calendars", "calendar_events", "subgroups",
            "messages__subscribers", "comments__attachments", "attachments__tags",
            "groups__memberships"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """One full export of a fresh tiny sandbox, run twice (both full) into one directory."""
    from extract.export import run_export
    from tests.conftest import sandbox_config

    out = tmp_path_factory.mktemp("export")
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        first = run_export(sandbox_config(box, out))
        first_minimum = box.minimum_requests()
        box.reset_log()
        second = run_export(sandbox_config(box, out, full=True))
        yield {"out": out, "first": first, "second": second, "box": box,
               "first_minimum": first_minimum}


def keys_of(out, table):
    spec = family("bc2").registry[table]
    data = dataset(out, "bc2", table).to_table()
    return [tuple(row[k] for k in spec.key) for row in data.select(list(spec.key)).to_pylist()]


def test_export__every_listed_table_has_rows(exported):
    """With a tiny sandbox, expect rows in every table the issue lists and their children."""
    tables = exported["second"].manifest["tables"]
    empty = [t for t in REQUIRED if not tables.get(t, {}).get("rows")]
    assert not empty


def test_export__files_have_the_declared_types(exported):
    """With every written file, expect its schema to be the declared one: every column in
    the default layout, all but the partition columns in a Hive folder."""
    registry = family("bc2").registry
    for name in exported["second"].manifest["tables"]:
        for path in data_files(exported["out"], "bc2", name):
            schema = pq.read_schema(path)
            spec = registry[name]
            declared = spec.file_schema() if "=" in path.parent.name else spec.arrow_schema()
            assert schema.remove_metadata().equals(declared), (name, path)


def test_export__two_runs_leave_no_duplicate_keys(exported):
    """With two consecutive runs, expect each table's primary key to be unique."""
    for name in REQUIRED:
        keys = keys_of(exported["out"], name)
        assert len(keys) == len(set(keys)), name


def test_export__rows_match_the_sandbox_truth(exported):
    """With the sandbox's own data, expect every to-do of a live project, and every comment."""
    truth = exported["box"].truth
    live = {p.id for p in truth.projects.values() if p.state in ("active", "archived", "draft")}
    todos = {k[0] for k in keys_of(exported["out"], "todos")}
    assert todos == {t.id for t in truth.todos.values() if t.project_id in live}
    comments = {k[0] for k in keys_of(exported["out"], "comments")}
    expected = {c.id for c in truth.comments.values()
                if getattr(truth.lookup(c.parent_type, c.parent_id), "project_id", None)
                in live | {None}}
    assert comments == expected


def test_export__trashed_to_dos_of_a_trashed_list_are_exported(tmp_path):
    """With a tiny sandbox whose trashed to-do list holds a trashed to-do (seed 5), expect that
    to-do and its comments exported: a trashed list's todos.json leaves its trashed to-dos
    out, so its todos/trashed.json is asked as for every other list."""
    from extract.export import run_export
    from tests.conftest import sandbox_config

    with Sandbox(api="bc2", size="tiny", seed=5, rate_limit=None) as box:
        truth = box.truth
        hidden = {t.id for t in truth.todos.values()
                  if t.trashed and truth.todolists[t.todolist_id].trashed}
        assert hidden, "seed 5 no longer has a trashed to-do in a trashed list"
        run_export(sandbox_config(box, tmp_path))
    assert hidden <= {k[0] for k in keys_of(tmp_path, "todos")}
    said = {c.id for c in truth.comments.values()
            if c.parent_type == "Todo" and c.parent_id in hidden}
    assert said <= {k[0] for k in keys_of(tmp_path, "comments")}


def test_export__requests_are_within_five_percent_of_the_minimum(exported):
    """With the sandbox oracle, expect requests <= 1.05 x the minimum for the same resources."""
    http = exported["first"].manifest["http"]
    assert http["requests"] <= 1.05 * exported["first_minimum"]
    assert http["retries"] == 0


def test_export__second_run_revalidates_from_cache(exported):
    """With nothing changed between runs, expect the second run's answers to be 304s."""
    http = exported["second"].manifest["http"]
    assert http["not_modified"] == http["requests"]


def test_export__manifest_records_the_run(exported):
    """With a finished run, expect manifest and latest.json with counts and no failures."""
    path = exported["second"].manifest_path
    manifest = json.loads(path.read_text())
    assert manifest == json.loads((path.parent / "latest.json").read_text())
    assert manifest["failures"] == [] and manifest["units"] > 0
    assert manifest["drift"]["new_columns"] == {}
    assert manifest["tables"]["todos"]["rows"] > 50


def test_limiter__no_429_at_the_default_server_limit(tmp_path, export_to):
    """With the server at 500/10 s and the client limiter on, expect no 429 at all."""
    with Sandbox(api="bc2", size="tiny", rate_limit=(500, 10.0)) as box:
        result = export_to(box, tmp_path, rate_limit=RateLimit(475, 10.0), workers=8)
        assert [r for r in box.requests if r["status"] == 429] == []
        assert result.manifest["http"]["throttled_429"] == 0


def test_failure__a_failed_unit_keeps_previous_partition(tmp_path, export_to):
    """With one project's to-dos failing after retries, expect its stored rows kept exactly
    (the first run's lineage included) while the other projects' rows are rewritten."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        first = export_to(box, tmp_path)
        assert first.ok
        project = min(dataset(tmp_path, "bc2", "todos").to_table()["project_id"].to_pylist())
        before = rows_of_project(tmp_path, "bc2", "todos", project)
        box.inject("503", rf"/projects/{project}/todos\.json", times=100)
        second = export_to(box, tmp_path, full=True)
        assert not second.ok
        assert second.manifest["failures"][0]["endpoint"] == "todos_project"
        after = rows_of_project(tmp_path, "bc2", "todos", project)
        assert before.num_rows and after.equals(before)
        runs = set(dataset(tmp_path, "bc2", "todos").to_table()["_run_id"].to_pylist())
        assert second.manifest["run_id"] in runs
        assert second.manifest["tables"]["documents"]["rows"] > 0


def test_raw__shaping_from_saved_pages_equals_the_live_export(tmp_path, export_to):
    """With --keep-raw, expect shape_from_raw (no network) to write the same rows."""
    from extract.export import shape_from_raw

    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        live = export_to(box, tmp_path / "live", keep_raw=True)
    raw = live.manifest["raw"]
    shape_from_raw(__import__("pathlib").Path(raw), tmp_path / "replay", "bc2")
    for name in ("todos", "comments", "projects"):
        a = dataset(tmp_path / "live", "bc2", name).to_table().drop_columns(
            ["_run_id", "_extracted_at"]).sort_by([("id", "ascending")])
        b = dataset(tmp_path / "replay", "bc2", name).to_table().drop_columns(
            ["_run_id", "_extracted_at"]).sort_by([("id", "ascending")])
        assert a.equals(b), name
