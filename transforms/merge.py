"""Collapse the rows one run gathered for a table into one row per primary key.

A record can arrive several times in one run: as a list row and as a member (whose extra fields
complete it: trap 4, merge rather than replace), or twice when pages shift under us. Rows carry
``_rank`` (0 = member response, 1 = listing) and ``_seq`` (arrival order). For a key, each column
takes the first non-null value in (rank, newest first) order. Child rows follow their parent's
best source: the list from the highest-ranked response that had one.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.schemas import ORDINAL, Table

RANK = "_rank"
SEQ = "_seq"
ORDER = [(RANK, "ascending"), (SEQ, "descending")]


def merge_rows(table: Table, data: pa.Table) -> pa.Table:
    """One row per key, sorted by key, without the bookkeeping columns.

    Sorting by key then (rank, newest first) makes each key's rows one run; each column then
    takes, per run, its first non-null row. That is plain index arithmetic over the sorted
    table, so merging costs a few integer arrays, not the hash tables a join or a group-by
    builds for every column (which dwarfed the data for tables where every row repeats).
    """
    columns = [c for c in data.column_names if c not in (RANK, SEQ)]
    if data.num_rows == 0:
        return data.select(columns)
    keyed, keyless = _split_null_keys(data, table.key)
    if table.child_of:
        keyed = _best_source(keyed, table)
    key = list(table.key)
    merged = _first_valid(keyed.sort_by([(k, "ascending") for k in key] + ORDER), key, columns)
    if keyless.num_rows:
        merged = pa.concat_tables([merged, keyless.select(columns).cast(merged.schema)])
        merged = merged.sort_by([(k, "ascending") for k in table.key])
    return merged


def _first_valid(rows: pa.Table, key: list[str], columns: list[str]) -> pa.Table:
    """Per run of equal keys in the (sorted) rows, each column's first non-null value."""
    starts = _run_starts(rows, key)
    if len(starts) == rows.num_rows:
        return rows.select(columns)
    n = rows.num_rows
    position = np.arange(n)
    picked = {}
    for name in columns:
        column = rows[name]
        if name in key or column.null_count == 0:
            picked[name] = column.take(starts)
            continue
        valid = pc.is_valid(column).to_numpy(zero_copy_only=False)
        first = np.minimum.reduceat(np.where(valid, position, n), starts)
        picked[name] = column.take(np.where(first == n, starts, first))
    return pa.table(picked, schema=rows.select(columns).schema)


def _run_starts(rows: pa.Table, columns: list[str]) -> np.ndarray:
    """Row numbers where the values of ``columns`` change (rows sorted by them; no nulls)."""
    n = rows.num_rows
    change = np.zeros(n, dtype=bool)
    change[:1] = True
    for name in columns if n > 1 else ():
        values = rows[name].combine_chunks()
        differs = pc.not_equal(values.slice(1), values.slice(0, n - 1))
        change[1:] |= differs.to_numpy(zero_copy_only=False)
    return np.flatnonzero(change)


def _best_source(data: pa.Table, table: Table) -> pa.Table:
    """Keep, per parent, only the child rows of its best-ranked source response."""
    parent = [k for k in table.key if k != ORDINAL]
    rows = data.sort_by([(k, "ascending") for k in parent] + ORDER)
    starts = _run_starts(rows, parent)
    rank = rows[RANK].to_numpy()
    best = np.repeat(rank[starts], np.diff(np.append(starts, rows.num_rows)))
    return rows.filter(pa.array(rank == best))


def _split_null_keys(data: pa.Table, key: tuple[str, ...]) -> tuple[pa.Table, pa.Table]:
    """Rows without a full key cannot be matched; they are kept as they came."""
    mask = None
    for k in key:
        valid = pc.is_valid(data[k])
        mask = valid if mask is None else pc.and_(mask, valid)
    return data.filter(mask), data.filter(pc.invert(mask))
