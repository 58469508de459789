"""Merging rows by key, and the partitioned, atomic Parquet layout readers rely on."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from transforms import parquet
from transforms.errors import OutputError
from transforms.merge import merge_rows
from transforms.schemas.bc2 import TABLES
from transforms.shape import Shaper
from transforms.store import layout
from transforms.tree import Tree

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def shaper_with(*pages):
    shaper = Shaper(TABLES, TABLES.closure(["documents", "todos"]), "run-1")
    for table, records, member in pages:
        ctx = {"account_id": 1, "project_id": 3_000_000_123, "bucket_type": "Project",
               "bucket_id": 3_000_000_123}
        shaper.add(table, records, ctx, {}, member=member, fetched_at=WHEN)
    return shaper


def one(shaper, table):
    parts = list(shaper.partitions(table))
    assert len(parts) == 1
    return parts[0].data


def test_merge__member_completes_list_row_without_losing_list_fields():
    """With a list row (url) and a member (content), expect one row with both."""
    shaper = shaper_with(
        ("documents", [{"id": 9, "title": "Old", "url": "u"}], False),
        ("documents", [{"id": 9, "title": "New", "content": "<b>x</b>",
                        "subscribers": [{"id": 1, "name": "A"}]}], True),
    )
    row = one(shaper, "documents").to_pylist()[0]
    assert (row["title"], row["content"], row["url"]) == ("New", "<b>x</b>", "u")
    assert one(shaper, "documents__subscribers").num_rows == 1


def test_merge__repeated_listing_rows_collapse_to_one():
    """With the same to-do on two pages, expect one row, the later page winning."""
    shaper = shaper_with(("todos", [{"id": 1, "content": "a"}], False),
                         ("todos", [{"id": 1, "content": "b"}, {"id": 2}], False))
    data = one(shaper, "todos")
    assert data["id"].to_pylist() == [1, 2]
    assert data["content"].to_pylist() == ["b", None]


def test_merge__child_rows_come_from_the_best_source_only():
    """With attachments in a list row and a member, expect the member's list, not a union."""
    shaper = shaper_with(
        ("todos", [{"id": 1, "attachments": [{"name": "old"}, {"name": "gone"}]}], False),
        ("todos", [{"id": 1, "attachments": [{"name": "new"}]}], True),
    )
    assert one(shaper, "todos__attachments")["name"].to_pylist() == ["new"]


def test_merge__rows_without_a_key_are_kept():
    """With two comments lacking ids, expect both kept, not merged into one."""
    data = pa.table({"id": pa.array([None, None, 3], pa.int64()), "x": ["a", "b", "c"],
                     "_rank": pa.array([1, 1, 1], pa.int8()), "_seq": [1, 2, 3]})
    merged = merge_rows(TABLES["comments"], data)
    assert sorted(merged["x"].to_pylist()) == ["a", "b", "c"]


def write_todos(root, shaper, how=layout.PROJECT):
    for part in shaper.partitions("todos"):
        where = layout.slot(how, "bc2", part.table, part.mapping)
        layout.write(Tree.local(root), part.table, where, part.data)


def test_layout__table_files_hold_every_column_typed_for_every_reader(tmp_path):
    """In the default layout, expect one file per (table, account) named for the account,
    with account_id and project_id inside it as int64: pandas (nullable), DuckDB and Polars
    read them without knowing about partitions."""
    rows = [{"id": 2, "position": None}, {"id": 1, "position": 3}]
    write_todos(tmp_path, shaper_with(("todos", rows, False)), layout.TABLE)
    root = tmp_path / "bc2" / "todos"
    assert sorted(p.name for p in root.iterdir()) == ["account_id-1-000.parquet"]
    frame = pd.read_parquet(root, dtype_backend="numpy_nullable")
    assert {c: str(frame[c].dtype) for c in ("account_id", "project_id", "id", "position")} \
        == {"account_id": "Int64", "project_id": "Int64", "id": "Int64", "position": "Int64"}
    assert frame["id"].tolist() == [1, 2]  # sorted by project then key
    got = duckdb.sql(f"select account_id, project_id, id from read_parquet('{root}/*.parquet')"
                     " order by id").fetchall()
    assert got == [(1, 3_000_000_123, 1), (1, 3_000_000_123, 2)]
    assert pl.read_parquet(root)["project_id"].dtype == pl.Int64


def test_layout__large_tables_split_into_ordered_files_and_a_fold_rewrites_only_changes(
        tmp_path, monkeypatch):
    """With files capped at 40 rows, expect 100 rows in three files in key order; writing the
    same rows with one changed in the last file rewrites that file only; fewer rows drop the
    files no longer needed."""
    monkeypatch.setattr(layout, "MAX_ROWS", 40)
    tree, spec = Tree.local(tmp_path), TABLES["todos"]
    where = layout.slot(layout.TABLE, "bc2", spec, {"account_id": 1})
    data = one(shaper_with(("todos", [{"id": i, "title": f"t{i}"} for i in range(100)],
                            False)), "todos")
    assert layout.write(tree, spec, where, data) == 3
    files = sorted((tmp_path / "bc2" / "todos").iterdir())
    assert [pq.read_metadata(f).num_rows for f in files] == [40, 40, 20]
    assert pd.read_parquet(files[1])["id"].tolist() == list(range(40, 80))
    before = {f.name: f.stat().st_ino for f in files}
    changed = data.set_column(data.schema.get_field_index("title"), "title",
                              pa.array([f"t{i}" for i in range(99)] + ["new"], pa.string()))
    assert layout.write(tree, spec, where, changed, keep_equal=True) == 1
    after = {f.name: f.stat().st_ino for f in (tmp_path / "bc2" / "todos").iterdir()}
    assert [n for n in before if before[n] != after[n]] == ["account_id-1-002.parquet"]
    layout.write(tree, spec, where, data.slice(0, 30))
    assert [f.name for f in (tmp_path / "bc2" / "todos").iterdir()] == [
        "account_id-1-000.parquet"]


def test_parquet__layout_reads_back_with_typed_partitions(tmp_path):
    """With one Hive partition written (--partition-by project), expect pandas, pyarrow,
    DuckDB and Polars to read it."""
    write_todos(tmp_path, shaper_with(("todos", [{"id": 1}, {"id": 2}], False)))
    root = tmp_path / "bc2" / "todos"
    assert (root / "account_id=1" / "project_id=3000000123" / "part-0.parquet").is_file()
    assert len(pd.read_parquet(root)) == 2
    part = ds.partitioning(pa.schema([("account_id", pa.int64()), ("project_id", pa.int64())]),
                           flavor="hive")
    table = ds.dataset(root, partitioning=part).to_table()
    assert table["project_id"].to_pylist() == [3_000_000_123] * 2
    glob = f"{root}/**/*.parquet"
    got = duckdb.sql(f"select project_id, id from read_parquet('{glob}', hive_partitioning=true)"
                     " order by id").fetchall()
    assert got == [(3_000_000_123, 1), (3_000_000_123, 2)]
    assert pl.read_parquet(root, hive_partitioning=True)["project_id"].to_list() == [
        3_000_000_123] * 2


def test_parquet__rewrite_replaces_rather_than_appends(tmp_path):
    """With a partition written twice, expect only the second version's rows."""
    write_todos(tmp_path, shaper_with(("todos", [{"id": 1}, {"id": 2}], False)))
    write_todos(tmp_path, shaper_with(("todos", [{"id": 2}, {"id": 3}], False)))
    assert sorted(pd.read_parquet(tmp_path / "bc2" / "todos")["id"]) == [2, 3]
    leftovers = [p for p in (tmp_path / "bc2").rglob("*") if p.name.startswith(".")]
    assert leftovers == []


def test_parquet__temp_files_of_a_killed_run_are_swept(tmp_path):
    """With a temp file left by a crash, expect the sweep to remove it and spare data."""
    write_todos(tmp_path, shaper_with(("todos", [{"id": 1}], False)))
    directory = next((tmp_path / "bc2").rglob("part-0.parquet")).parent
    (directory / ".part-0.parquet.dead.tmp").write_bytes(b"half")
    assert parquet.sweep_temp_files(Tree.local(tmp_path), ("bc2",)) == 1
    assert len(pd.read_parquet(tmp_path / "bc2" / "todos")) == 1


def test_parquet__unwritable_directory_is_a_clear_error(tmp_path):
    """With an output path below a regular file, expect OutputError naming the directory."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(OutputError, match="not-a-dir/out is not writable"):
        parquet.ensure_writable(Tree.local(blocker / "out"))


def test_parquet__failed_write_leaves_previous_version(tmp_path, monkeypatch):
    """With a write that fails midway, expect the old partition intact and no temp file."""
    write_todos(tmp_path, shaper_with(("todos", [{"id": 1}], False)))

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(parquet.pq, "write_table", broken)
    with pytest.raises(OutputError, match="No space left"):
        write_todos(tmp_path, shaper_with(("todos", [{"id": 5}], False)))
    assert pd.read_parquet(tmp_path / "bc2" / "todos")["id"].tolist() == [1]
    assert not [p for p in (tmp_path / "bc2").rglob(".*")]


def test_parquet__small_partitions_snappy_large_ones_zstd(tmp_path):
    """With a 2-row and a 1,000-row partition, expect snappy for the small one (cheaper to
    write), zstd for the large one (smaller), and every reader taking both."""
    write_todos(tmp_path, shaper_with(("todos", [{"id": i} for i in range(1000)], False)))
    big = next((tmp_path / "bc2").rglob("part-0.parquet"))
    small_root = tmp_path / "small"
    write_todos(small_root, shaper_with(("todos", [{"id": 1}, {"id": 2}], False)))
    small = next((small_root / "bc2").rglob("part-0.parquet"))
    codec = {path: pq.ParquetFile(path).metadata.row_group(0).column(0).compression
             for path in (big, small)}
    assert codec == {big: "ZSTD", small: "SNAPPY"}
    both = [str(big), str(small)]
    assert duckdb.sql(f"select count(*) from read_parquet({both})").fetchall() == [(1002,)]
    assert pl.read_parquet(both).height == 1002
