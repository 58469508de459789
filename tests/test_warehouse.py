"""Loading an export into DuckDB and PostgreSQL: types, keys, idempotent merge, drift, failures.

Every warehouse test runs against DuckDB and, when ``BASECAMP_TEST_POSTGRES_URL`` is set (CI
sets it), against that PostgreSQL database too; each PostgreSQL test drops schema ``bc2`` there
first, so point the variable at a database meant for tests.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extract.export import run_export
from extract.families import family
from sandbox import Sandbox
from tests.conftest import sandbox_config
from tests.test_cli import assert_one_line_error, run_cli
from transforms.dictionary import LINEAGE_NOTES
from transforms.errors import ConfigError
from transforms.read import dataset
from transforms.warehouse import WarehouseError, load_export

POSTGRES_ENV = "BASECAMP_TEST_POSTGRES_URL"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, tiny_sandbox) -> Path:
    """One tiny export, copied by ``export_dir`` for every test that changes files."""
    out = tmp_path_factory.mktemp("pristine")
    assert run_export(sandbox_config(tiny_sandbox, out)).ok
    return out


@pytest.fixture
def export_dir(pristine, tmp_path) -> Path:
    out = tmp_path / "export"
    shutil.copytree(pristine, out)
    return out


@pytest.fixture(params=["duckdb", "postgresql"])
def target(request, tmp_path) -> str:
    """A fresh, empty warehouse: a DuckDB file, or PostgreSQL with schema bc2 dropped."""
    if request.param == "duckdb":
        return str(tmp_path / "warehouse.duckdb")
    return fresh_postgres()


@pytest.fixture
def postgres_target() -> str:
    """PostgreSQL only, for what only PostgreSQL has (its statistics views)."""
    return fresh_postgres()


def fresh_postgres() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to load into "
                    "(.ci/run starts one and sets it)")
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS bc2 CASCADE")
    return url


def query(target: str, sql: str) -> list[tuple[Any, ...]]:
    if target.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(target) as conn:
            return conn.execute(sql.encode()).fetchall()
    with duckdb.connect(target, read_only=True) as con:
        return con.execute(sql).fetchall()


def column_types(target: str, table: str) -> dict[str, str]:
    rows = query(target, "SELECT column_name, data_type FROM information_schema.columns "
                         f"WHERE table_schema = 'bc2' AND table_name = '{table}'")
    return {name: kind.upper() for name, kind in rows}


def primary_key(target: str, table: str) -> list[str]:
    if target.startswith("postgresql://"):
        rows = query(target, f"""
            SELECT k.column_name FROM information_schema.table_constraints c
            JOIN information_schema.key_column_usage k
              ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema
            WHERE c.table_schema = 'bc2' AND c.table_name = '{table}'
              AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position""")
        return [r[0] for r in rows]
    rows = query(target, "SELECT constraint_column_names FROM duckdb_constraints() WHERE "
                         f"schema_name = 'bc2' AND table_name = '{table}' "
                         "AND constraint_type = 'PRIMARY KEY'")
    return list(rows[0][0]) if rows else []


def count(target: str, table: str) -> int:
    return query(target, f"SELECT count(*) FROM bc2.{table}")[0][0]


def rewrite_partition(out: Path, table: str, change) -> Path:
    """Apply ``change`` (pa.Table -> pa.Table) to the first Parquet file of ``table``."""
    path = sorted((out / "bc2" / table).rglob("part-0.parquet"))[0]
    pq.write_table(change(pq.read_table(path)), path)
    return path


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
    """With a new column in one Parquet file, expect ALTER TABLE ADD COLUMN and its values."""
    load_export(export_dir, target)
    rewrite_partition(export_dir, "todos", lambda t: t.append_column(
        "priority", pa.array(["high"] * t.num_rows, pa.string())))
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
    path = sorted((export_dir / "bc2" / "todos").rglob("part-0.parquet"))[0]
    good = pq.read_table(path).slice(0, 1)
    ids = pa.array([victim, None], pa.int64())
    broken = pa.concat_tables([good, good]).set_column(0, "id", ids)
    broken = broken.set_column(broken.schema.get_field_index("content"), "content",
                               pa.array(["changed", "changed"]))
    broken = broken.append_column("oops", pa.array(["x", "y"]))
    assert broken.schema.field("id").type == spec.file_schema().field("id").type
    pq.write_table(broken, path.with_name("part-1.parquet"))
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


def is_postgres(target: str) -> bool:
    return target.startswith("postgresql://")


def update_stats(target: str) -> dict[str, tuple[int, int, int]]:
    """Table -> (inserted, updated, dead) row versions, from PostgreSQL's statistics."""
    rows = query(target, "SELECT relname, n_tup_ins, n_tup_upd, n_dead_tup "
                         "FROM pg_stat_user_tables WHERE schemaname = 'bc2'")
    return {name: (ins, upd, dead) for name, ins, upd, dead in rows}


def settled_stats(target: str, done: Any) -> dict[str, tuple[int, int, int]]:
    """Statistics once ``done(stats)`` holds: a closed loader's counts reach the collector a
    moment after it disconnects (the positive signal avoids asserting on stale zeros)."""
    for _ in range(100):
        stats = update_stats(target)
        if done(stats):
            return stats
        time.sleep(0.1)
    raise AssertionError(f"statistics never settled: {stats}")


def test_load__unchanged_reload_updates_no_row(export_dir, target):
    """With an export reloaded unchanged, then with other run stamps, expect 0 rows updated."""
    first = load_export(export_dir, target)
    again = load_export(export_dir, target)
    assert again.updated_rows == 0 and again.new_rows == 0 and again.rows == first.rows
    rewrite_partition(export_dir, "todos", lambda t: t.set_column(
        t.schema.get_field_index("_run_id"), "_run_id", pa.array(["later"] * t.num_rows)))
    stamped = load_export(export_dir, target)
    assert stamped.updated_rows == 0
    assert "loaded " in stamped.summary() and "0 updated" in stamped.summary()


def change_content(out: Path, todo: int) -> None:
    """Set one to-do's content to "Changed once" in the Parquet file that holds it."""
    path = next(p for p in sorted((out / "bc2" / "todos").rglob("*.parquet"))
                if todo in pq.read_table(p, columns=["id"])["id"].to_pylist())
    table = pq.read_table(path)
    content = [("Changed once" if i == todo else c) for i, c in
               zip(table["id"].to_pylist(), table["content"].to_pylist(), strict=True)]
    pq.write_table(table.set_column(table.schema.get_field_index("content"), "content",
                                    pa.array(content)), path)


def test_load__one_changed_row_updates_exactly_that_row(export_dir, target):
    """With one to-do's content changed in the Parquet, expect one update, others untouched."""
    load_export(export_dir, target)
    victim = query(target, "SELECT min(id) FROM bc2.todos")[0][0]
    untouched = query(target, f"SELECT id, content FROM bc2.todos WHERE id <> {victim} "
                              "ORDER BY id")
    change_content(export_dir, victim)
    result = load_export(export_dir, target)
    assert result.updated_rows == 1 and result.new_rows == 0
    assert [t.table for t in result.tables if t.updated_rows] == ["todos"]
    assert query(target, f"SELECT content FROM bc2.todos WHERE id = {victim}") \
        == [("Changed once",)]
    assert query(target, f"SELECT id, content FROM bc2.todos WHERE id <> {victim} "
                         "ORDER BY id") == untouched


def test_load__postgres_reload_leaves_no_updated_or_dead_rows(export_dir, postgres_target):
    """With PostgreSQL, an unchanged reload then a one-row change: n_tup_upd ends at exactly 1
    (todos), so the unchanged reload wrote no row version and left no dead tuple."""
    target = postgres_target
    first = load_export(export_dir, target)
    stats = settled_stats(target, lambda s: sum(v[0] for v in s.values()) == first.new_rows)
    assert sum(v[1] for v in stats.values()) == 0
    load_export(export_dir, target)
    victim = query(target, "SELECT min(id) FROM bc2.todos")[0][0]
    change_content(export_dir, victim)
    load_export(export_dir, target)
    stats = settled_stats(target, lambda s: s["todos"][1] > 0)
    updated = {name: upd for name, (_, upd, _) in stats.items() if upd}
    assert updated == {"todos": 1}
    assert sum(dead for _, _, dead in stats.values()) <= 1
    assert sum(ins for ins, _, _ in stats.values()) == first.new_rows


def comments(target: str, table: str) -> tuple[str | None, dict[str, str | None]]:
    """The table's comment and its columns' comments, read back from the catalog."""
    if is_postgres(target):
        doc = query(target, f"SELECT obj_description('bc2.{table}'::regclass, 'pg_class')")
        rows = query(target, f"""
            SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a
            WHERE a.attrelid = 'bc2.{table}'::regclass AND a.attnum > 0
              AND NOT a.attisdropped""")
    else:
        doc = query(target, "SELECT comment FROM duckdb_tables() "
                            f"WHERE schema_name = 'bc2' AND table_name = '{table}'")
        rows = query(target, "SELECT column_name, comment FROM duckdb_columns() "
                             f"WHERE schema_name = 'bc2' AND table_name = '{table}'")
    return doc[0][0], dict(rows)


def test_load__tables_and_columns_carry_the_dictionary(export_dir, target):
    """With a load, expect table docs and column notes from the declarations as comments."""
    load_export(export_dir, target)
    registry = family("bc2").registry
    doc, columns = comments(target, "todos")
    assert doc == registry["todos"].doc and doc
    assert columns["_unparsed"] == LINEAGE_NOTES["_unparsed"]
    assert columns["id"] == "Primary key."
    assert columns["creator__id"] == "Source field `creator.id`, flattened."
    assert "Partition column" in columns["project_id"]
    assert not columns["content"]
    doc, columns = comments(target, "accesses")
    assert doc == registry["accesses"].doc
    assert columns["bucket_id"].startswith("Part of the primary key.")


def test_load__unparsed_is_json(export_dir, target):
    """With a JSON `_unparsed` value holding a NUL, expect a JSON column (jsonb in PostgreSQL)
    that SQL can query into, also after upgrading a warehouse where it was text."""
    load_export(export_dir, target)
    if is_postgres(target):
        import psycopg

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


def test_load__comments_are_written_only_when_they_differ(export_dir, target, monkeypatch):
    """With a reload, expect no COMMENT statement; with one comment edited by hand, expect
    exactly that one rewritten from the declarations."""
    from transforms import warehouse_sql

    load_export(export_dir, target)
    written: list[str] = []
    original = warehouse_sql.comment

    def spy(kind: str, on: str, text: str) -> str:
        written.append(on)
        return original(kind, on, text)

    monkeypatch.setattr(warehouse_sql, "comment", spy)
    load_export(export_dir, target)
    assert written == []
    stale = "COMMENT ON COLUMN bc2.todos._unparsed IS 'stale'"
    if is_postgres(target):
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute(stale)
    else:
        with duckdb.connect(target) as con:
            con.execute(stale)
    load_export(export_dir, target)
    assert written == ['"bc2"."todos"."_unparsed"']
    assert comments(target, "todos")[1]["_unparsed"] == LINEAGE_NOTES["_unparsed"]
