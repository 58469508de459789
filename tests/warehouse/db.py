"""Reading a warehouse back (DuckDB file or PostgreSQL URL) and editing an export's Parquet."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from filelock import FileLock

from tests.machine_locks import machine_lock
from tests.stored import data_files

POSTGRES_ENV = "BASECAMP_TEST_POSTGRES_URL"


def postgres_lock(url: str) -> FileLock:
    """Every test loads into schema ``bc2`` of the same database: one test at a time."""
    return machine_lock("postgres-" + hashlib.sha256(url.encode()).hexdigest()[:16])


_HELD: list[FileLock] = []  # taken by the running test


def release_postgres() -> None:
    """Give the database back at the end of a test (``tests/conftest.py`` calls this)."""
    while _HELD:
        _HELD.pop().release(force=True)


def fresh_postgres() -> str:
    """The test database with schema ``bc2`` dropped, held by this test until it ends."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to load into "
                    "(.ci/run starts one and sets it)")
    lock = postgres_lock(url)
    lock.acquire()
    _HELD.append(lock)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS bc2 CASCADE")
    return url


def query(target: str, sql: str) -> list[tuple[Any, ...]]:
    if target.startswith("postgresql://"):
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
    path = data_files(out, "bc2", table)[0]
    pq.write_table(change(pq.read_table(path)), path)
    return path



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



def change_content(out: Path, todo: int) -> None:
    """Set one to-do's content to "Changed once" in the Parquet file that holds it."""
    path = next(p for p in sorted((out / "bc2" / "todos").rglob("*.parquet"))
                if todo in pq.read_table(p, columns=["id"])["id"].to_pylist())
    table = pq.read_table(path)
    content = [("Changed once" if i == todo else c) for i, c in
               zip(table["id"].to_pylist(), table["content"].to_pylist(), strict=True)]
    pq.write_table(table.set_column(table.schema.get_field_index("content"), "content",
                                    pa.array(content)), path)



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

