"""Collapse the rows one run gathered for a table into one row per primary key.

A record can arrive several times in one run: as a list row and as a member (whose extra fields
complete it: trap 4, merge rather than replace), or twice when pages shift under us. Rows carry
``_rank`` (0 = member response, 1 = listing) and ``_seq`` (arrival order). For a key, each column
takes the first non-null value in (rank, newest first) order. Child rows follow their parent's
best source: the list from the highest-ranked response that had one.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from transforms.schemas import ORDINAL, Table

RANK = "_rank"
SEQ = "_seq"
ORDER = [(RANK, "ascending"), (SEQ, "descending")]


def merge_rows(table: Table, data: pa.Table) -> pa.Table:
    """One row per key, sorted by key, without the bookkeeping columns."""
    columns = [c for c in data.column_names if c not in (RANK, SEQ)]
    if data.num_rows == 0:
        return data.select(columns)
    keyed, keyless = _split_null_keys(data, table.key)
    if table.child_of:
        keyed = _best_source(keyed, table)
    key = list(table.key)
    counts = keyed.group_by(key, use_threads=False).aggregate([([], "count_all")])
    if counts.num_rows == keyed.num_rows:
        merged = keyed.select(columns)
    else:
        repeated = counts.filter(pc.greater(counts["count_all"], 1)).select(key)
        once = keyed.join(repeated, keys=key, join_type="left anti").select(columns)
        twice = keyed.join(repeated, keys=key, join_type="left semi").sort_by(ORDER)
        merged = pa.concat_tables([once, _coalesce(twice, key, columns).cast(once.schema)])
    if keyless.num_rows:
        merged = pa.concat_tables([merged, keyless.select(columns).cast(merged.schema)])
    return merged.sort_by([(k, "ascending") for k in table.key])


def _coalesce(rows: pa.Table, key: list[str], columns: list[str]) -> pa.Table:
    """Per key, each column's first non-null value in the rows' (already sorted) order.

    Only rows whose key repeats come here: aggregating every column of every row costs far
    more memory than the data when most keys are unique.
    """
    values = [c for c in columns if c not in key]
    skip_nulls = pc.ScalarAggregateOptions(skip_nulls=True)
    grouped = rows.group_by(key, use_threads=False).aggregate(
        [(c, "first", skip_nulls) for c in values]
    )
    grouped = grouped.rename_columns([_strip(c) for c in grouped.column_names])
    return grouped.select(columns)


def _best_source(data: pa.Table, table: Table) -> pa.Table:
    """Keep, per parent, only the child rows of its best-ranked source response."""
    parent = [k for k in table.key if k != ORDINAL]
    best = data.group_by(parent, use_threads=False).aggregate([(RANK, "min")])
    joined = data.join(best, keys=parent, join_type="inner")
    keep = pc.equal(joined[RANK], joined[f"{RANK}_min"])
    return joined.filter(keep).drop_columns([f"{RANK}_min"]).select(data.column_names) \
        .sort_by(ORDER)


def _split_null_keys(data: pa.Table, key: tuple[str, ...]) -> tuple[pa.Table, pa.Table]:
    """Rows without a full key cannot be matched; they are kept as they came."""
    mask = None
    for k in key:
        valid = pc.is_valid(data[k])
        mask = valid if mask is None else pc.and_(mask, valid)
    return data.filter(mask), data.filter(pc.invert(mask))


def _strip(name: str) -> str:
    return name[: -len("_first")] if name.endswith("_first") else name
