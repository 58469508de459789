"""A load: typed tables and keys, merges, drift, type conflicts, failures, the CLI."""

from __future__ import annotations

import json
from dataclasses import replace

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract.export import run_export
from extract.families import family
from sandbox import Sandbox
from tests.conftest import sandbox_config
from tests.stored import data_files
from tests.test_cli import assert_one_line_error, run_cli
from tests.warehouse.db import (
    column_types,
    count,
    is_postgres,
    primary_key,
    query,
    rewrite_partition,
)
from transforms.errors import ConfigError
from transforms.read import dataset
from transforms.warehouse import WarehouseError, load_export


def test_load__typed_tables_with_primary_keys_and_joins(export_dir, target):
    """With a tiny export, expect typed tables, primary keys, all rows and a working join."""
    result = load_export(export_dir, target)
    exported = [p.name for p in (export_dir / "bc2").iterdir() if not p.name.startswith("_")]
    assert len(result.tables) == len(exported)
    for load in result.tables:
        assert count(target, load.table) == dataset(export_dir, "bc2", load.table).count_rows()
    types = column_types(target, "todos")
    assert types["id"] == "BIGINT" and types["project_id"] == "BIGINT"
    assert types["created_at"] in ("TIMESTAMP WITH TIME ZONE",)
    assert types["due_on"] == "DATE" and types["completed"] == "BOOLEAN"
    assert types["content"] in ("VARCHAR", "CHARACTER VARYING")
    assert primary_key(target, "todos") == ["id"]
    assert primary_key(target, "accesses") == ["bucket_type", "bucket_id", "id"]

    todos = dataset(export_dir, "bc2", "todos").to_table().to_pandas()
    people = set(dataset(export_dir, "bc2", "people").to_table(columns=["id"])["id"].to_pylist())
    assigned = todos["assignee__id"].dropna().astype("int64").isin(people).sum()
    joined = query(target, """
        SELECT count(*), count(a.id) FROM bc2.todos t
        JOIN bc2.projects p ON p.id = t.project_id
        LEFT JOIN bc2.people a ON a.id = t.assignee__id""")
    assert joined == [(len(todos), int(assigned))]
    assert assigned > 0


def test_load__second_load_of_same_export_changes_nothing(export_dir, target):
    """With the same export loaded twice, expect no new rows, same contents, unique keys."""
    first = load_export(export_dir, target)
    snapshot = query(target, "SELECT id, content, assignee__id FROM bc2.todos ORDER BY id")
    second = load_export(export_dir, target)
    assert second.new_rows == 0 and second.rows == first.rows == first.new_rows
    assert query(target, "SELECT id, content, assignee__id FROM bc2.todos ORDER BY id") \
        == snapshot
    assert query(target, "SELECT count(*) - count(DISTINCT id) FROM bc2.todos") == [(0,)]


def test_load__changed_account_updates_and_adds_rows(tmp_path, target):
    """With a to-do edited and one added between two exports, expect one update, one insert."""
    out = tmp_path / "export"
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        assert run_export(sandbox_config(box, out)).ok
        load_export(out, target)
        before = count(target, "todos")
        exported = query(target, "SELECT id FROM bc2.todos ORDER BY id")
        truth = box.truth
        edited = truth.todos[exported[0][0]]
        other = next(p for p in truth.people.values() if p.id != edited.assignee_id)
        edited.content = "Edited between two loads"
        edited.assignee_id = other.id
        added = truth.todos.add(replace(edited, id=truth.new_id(), topic_id=truth.new_id() + 1,
                                        content="Added between two loads", completed_at=None,
                                        completer_id=None, trashed=False))
        # Edited behind the event feed's back: only a full export sees it.
        assert run_export(sandbox_config(box, out, full=True)).ok
    result = load_export(out, target)
    todos = next(t for t in result.tables if t.table == "todos")
    assert todos.new_rows == 1 and count(target, "todos") == before + 1
    assert query(target, f"SELECT content, assignee__id FROM bc2.todos WHERE id = {edited.id}") \
        == [("Edited between two loads", other.id)]
    assert query(target, f"SELECT content FROM bc2.todos WHERE id = {added.id}") \
        == [("Added between two loads",)]
    assert query(target, "SELECT count(*) - count(DISTINCT id) FROM bc2.todos") == [(0,)]


def test_load__drift_column_is_added(export_dir, target):
    """With a new column in one Parquet file (set on its first row), expect ALTER TABLE ADD
    COLUMN and its values."""
    load_export(export_dir, target)
    rewrite_partition(export_dir, "todos", lambda t: t.append_column(
        "priority", pa.array(["high"] + [None] * (t.num_rows - 1), pa.string())))
    result = load_export(export_dir, target)
    todos = next(t for t in result.tables if t.table == "todos")
    assert todos.added_columns == ("priority",) and todos.new_rows == 0
    assert column_types(target, "todos")["priority"] in ("VARCHAR", "CHARACTER VARYING")
    high = query(target, "SELECT count(*) FROM bc2.todos WHERE priority = 'high'")[0][0]
    assert 0 < high < count(target, "todos")


def test_load__type_conflict_is_one_clear_error(export_dir, target):
    """With a drift column first text then numbers, expect one error naming both types."""
    rewrite_partition(export_dir, "todos", lambda t: t.append_column(
        "priority", pa.array(["high"] * t.num_rows, pa.string())))
    load_export(export_dir, target)
    rewrite_partition(export_dir, "todos", lambda t: t.set_column(
        t.schema.get_field_index("priority"), "priority", pa.array([1] * t.num_rows, pa.int64())))
    with pytest.raises(WarehouseError) as caught:
        load_export(export_dir, target)
    message = caught.value.one_line()
    assert "bc2.todos.priority" in message and "VARCHAR" in message and "BIGINT" in message
    assert "\n" not in str(caught.value)


def test_load__failure_mid_table_keeps_previous_state(export_dir, target):
    """With a broken row after a drift column in todos, expect todos untouched, others loaded."""
    load_export(export_dir, target)
    snapshot = query(target, "SELECT id, content FROM bc2.todos ORDER BY id")
    victim = snapshot[0][0]
    spec = family("bc2").registry["todos"]
    path = data_files(export_dir, "bc2", "todos")[0]
    good = pq.read_table(path).slice(0, 1)
    ids = pa.array([victim, None], pa.int64())
    both = pa.concat_tables([good, good])
    broken = both.set_column(both.schema.get_field_index("id"), "id", ids)
    broken = broken.set_column(broken.schema.get_field_index("content"), "content",
                               pa.array(["changed", "changed"]))
    broken = broken.append_column("oops", pa.array(["x", "y"]))
    assert broken.schema.field("id").type == spec.file_schema().field("id").type
    pq.write_table(broken, path.with_name(path.name.replace("-000.", "-001.")))
    rewrite_partition(export_dir, "projects", lambda t: t.set_column(
        t.schema.get_field_index("name"), "name", pa.array(["Renamed"] * t.num_rows)))
    with pytest.raises(WarehouseError, match=r"bc2\.todos: .*(?i:null)"):
        load_export(export_dir, target)
    assert query(target, "SELECT id, content FROM bc2.todos ORDER BY id") == snapshot
    assert "oops" not in column_types(target, "todos")
    assert query(target, "SELECT DISTINCT name FROM bc2.projects") == [("Renamed",)]


def test_load__missing_export_is_a_config_error(tmp_path):
    """With an empty directory, expect a ConfigError telling to export first."""
    with pytest.raises(ConfigError, match="export"):
        load_export(tmp_path, tmp_path / "w.duckdb")


def test_load__cli_summary_and_one_line_error(export_dir):
    """With `load`, expect a one-line summary; with a type conflict, exit 8 and one line."""
    proc = run_cli("load", "-o", str(export_dir))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("loaded ") and "warehouse.duckdb" in proc.stdout
    with duckdb.connect(str(export_dir / "warehouse.duckdb")) as con:
        con.execute("ALTER TABLE bc2.todos ALTER COLUMN position TYPE VARCHAR")
    proc = run_cli("load", "-o", str(export_dir))
    assert_one_line_error(proc, 8, "bc2.todos.position", "VARCHAR", "BIGINT")



def test_load__unparsed_is_json(export_dir, target):
    """With a JSON `_unparsed` value holding a NUL, expect a JSON column (jsonb in PostgreSQL)
    that SQL can query into, also after upgrading a warehouse where it was text."""
    load_export(export_dir, target)
    if is_postgres(target):
        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute("ALTER TABLE bc2.todos ALTER COLUMN _unparsed TYPE text")
    else:
        with duckdb.connect(target) as con:
            con.execute("ALTER TABLE bc2.todos ALTER _unparsed TYPE VARCHAR")
    assert column_types(target, "todos")["_unparsed"] in ("TEXT", "VARCHAR")
    document = json.dumps({"due_at": "next\x00week", "position": "top"}, sort_keys=True)
    rewrite_partition(export_dir, "todos", lambda t: t.set_column(
        t.schema.get_field_index("_unparsed"), "_unparsed",
        pa.array([document] + [None] * (t.num_rows - 1), pa.string())))
    load_export(export_dir, target)
    assert column_types(target, "todos")["_unparsed"] == ("JSONB" if is_postgres(target)
                                                          else "JSON")
    found = query(target, "SELECT _unparsed->>'position', _unparsed->>'due_at' FROM bc2.todos "
                          "WHERE _unparsed IS NOT NULL")
    assert found[0][0] == "top" and len(found) == 1
    assert found[0][1] in ("next\ufffdweek", "next\x00week")
    assert load_export(export_dir, target).updated_rows == 0
