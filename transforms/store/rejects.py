"""Rows shaping turned away (a null key) go to ``_rejects``, never to their keyed table."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from transforms.schemas import Table
from transforms.shape import Shaper, rejects_table
from transforms.store import layout
from transforms.store.target import Target


def store_rejects(target: Target, shaper: Shaper, *, full: bool) -> dict[str, int]:
    """Write the rows shaping turned away to ``_rejects``; counts per table.

    A full run of every step replaces this account's rejects; other runs add theirs to
    what is stored, once per (table, raw record).
    """
    spec = rejects_table(target.account_column)
    rows = _with_account(target, spec, shaper.rejects())
    tree = target.tree
    where = layout.account_slot(target.layout, target.api, spec, target.partition)
    old = layout.legacy(tree, target.layout, target.api, spec, target.partition)
    stored = None if full else _stored(target, spec, where, old)
    if stored is None:
        combined = rows
    else:
        combined = pa.concat_tables([stored, rows], promote_options="permissive")
        combined = combined.group_by(["table", "raw"], use_threads=False).aggregate(
            [(c, "last") for c in combined.column_names if c not in ("table", "raw")])
        combined = combined.rename_columns(
            [c.removesuffix("_last") for c in combined.column_names])
    if combined.num_rows or full:
        layout.write(tree, spec, where, combined)
        if old is not None:
            layout.remove(tree, old)
    counts = rows.group_by("table").aggregate([([], "count_all")]).to_pylist()
    return {r["table"]: r["count_all"] for r in sorted(counts, key=lambda r: r["table"])}


def _stored(target: Target, spec: Table, where: layout.Slot,
            old: layout.Slot | None) -> pa.Table | None:
    """The account's stored rejects in either layout; None when unreadable (replaced)."""
    tree = target.tree
    found = [(*s.folder, n) for s in (where, old) if s is not None for n in s.files(tree)]
    tables = []
    for parts in found:
        try:
            with tree.fs.open_input_file(tree.path(*parts)) as handle:
                table = pq.read_table(handle)
        except (pa.ArrowException, OSError):
            return None
        tables.append(_with_account(target, spec, table))
    return pa.concat_tables(tables, promote_options="permissive") if tables else None


def _with_account(target: Target, spec: Table, rows: pa.Table) -> pa.Table:
    """Rows with the account column first, typed as declared (the ``table`` layout keeps it
    in the file; the Hive layout drops it again when writing)."""
    column = target.account_column
    rows = rows.drop_columns([c for c in (column,) if c in rows.column_names])
    kind = spec.arrow_schema().field(column).type
    return rows.add_column(0, column, pa.array([target.account] * rows.num_rows, kind))
