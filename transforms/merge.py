"""Collapse the rows one run gathered for a table into one row per primary key.

A record can arrive several times in one run: as a list row and as a member (whose extra fields
complete it: trap 4, merge rather than replace), or twice when pages shift under us. Rows carry
``_rank`` (0 = member response, 1 = listing) and ``_seq`` (arrival order). For a key, each column
takes the first non-null value in (rank, newest first) order. Child rows follow their parent's
best source: the list from the highest-ranked response that had one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.schemas import ORDINAL, Table

RANK = "_rank"
SEQ = "_seq"
ORDER = [(RANK, "ascending"), (SEQ, "descending")]


def merge_rows(table: Table, data: pa.Table, order: Sequence[str] = ()) -> pa.Table:
    """One row per key, sorted by ``order`` (default: the key), without the bookkeeping
    columns.

    Sorting by key then (rank, newest first) makes each key's rows one run; each column then
    takes, per run, its first non-null row. That is plain index arithmetic over the sort's
    indices, so merging costs a few integer arrays, not the hash tables a join or a group-by
    builds for every column (which dwarfed the data for tables where every row repeats), and
    each column is gathered once, already in its final order (from one chunk: gathering
    across the chunks of many batches costs several times more).
    """
    columns = [c for c in data.column_names if c not in (RANK, SEQ)]
    order = list(dict.fromkeys(order or table.key))
    if data.num_rows == 0:
        return data.select(columns)
    keyed, keyless = _split_null_keys(data.combine_chunks(), table.key)
    if table.child_of:
        keyed = _best_source(keyed, table)
    picks = _first_valid(keyed, list(table.key), columns)
    if keyless.num_rows:
        merged = _gather(keyed, columns, picks)
        merged = pa.concat_tables([merged, keyless.select(columns).cast(merged.schema)])
        return merged.sort_by([(k, "ascending") for k in order])
    if order != list(table.key):
        probe = _gather(keyed, order, picks)
        final = pc.sort_indices(probe, [(k, "ascending") for k in order]).to_numpy()
        if np.any(final[1:] < final[:-1]):
            picks = _shared(picks, lambda rows: rows[final])
    return _gather(keyed, columns, picks)


def _gather(rows: pa.Table, columns: Sequence[str], picks: dict[str, np.ndarray]) -> pa.Table:
    """Each column's picked rows; columns that pick the same rows (most columns of a key
    whose repeats agree on which of them is null) are taken together."""
    shared: dict[int, list[str]] = {}
    for name in columns:
        shared.setdefault(id(picks[name]), []).append(name)
    together: dict[bytes, list[str]] = {}
    for names in shared.values():  # only distinct arrays are compared by content
        together.setdefault(picks[names[0]].tobytes(), []).extend(names)
    taken = {}
    for names in together.values():
        part = rows.select(names).take(pa.array(picks[names[0]]))
        taken.update(zip(names, part.columns, strict=True))
    return pa.table([taken[name] for name in columns],
                    schema=rows.select(list(columns)).schema)


def _shared(picks: dict[str, np.ndarray], change: Callable[[np.ndarray], np.ndarray]
            ) -> dict[str, np.ndarray]:
    """``change`` applied to each distinct pick array once (columns share most of them)."""
    done: dict[int, np.ndarray] = {}
    out = {}
    for name, rows in picks.items():
        if id(rows) not in done:
            done[id(rows)] = change(rows)
        out[name] = done[id(rows)]
    return out


def _first_valid(rows: pa.Table, key: list[str], columns: list[str]) -> dict[str, np.ndarray]:
    """Per key, the row each column takes its value from: the first non-null one in
    (rank, newest first) order; rows are numbered as in ``rows``, keys come out sorted."""
    n = rows.num_rows
    sort = pc.sort_indices(rows, [(k, "ascending") for k in key] + ORDER).to_numpy()
    starts = _run_starts(rows.select(key).take(sort), key)
    if len(starts) == n:
        return dict.fromkeys(columns, sort)
    position = np.arange(n)
    firsts = sort[starts]
    picked = {}
    for name in columns:
        column = rows[name]
        if name in key or column.null_count == 0:
            picked[name] = firsts
            continue
        valid = pc.is_valid(column).to_numpy(zero_copy_only=False)[sort]
        first = np.minimum.reduceat(np.where(valid, position, n), starts)
        picked[name] = sort[np.where(first == n, starts, first)]
    return picked


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
    if all(data[k].null_count == 0 for k in key):
        return data, data.slice(0, 0)
    mask = None
    for k in key:
        valid = pc.is_valid(data[k])
        mask = valid if mask is None else pc.and_(mask, valid)
    return data.filter(mask), data.filter(pc.invert(mask))
