"""Reloads update only what changed (PostgreSQL's statistics show row versions)."""

from __future__ import annotations

import pyarrow as pa

from tests.warehouse.db import change_content, query, rewrite_partition, settled_stats
from transforms.warehouse import load_export


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
