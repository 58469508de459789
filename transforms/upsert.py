"""Fold an incremental run's rows into what earlier runs stored.

An incremental run fetches only what changed, so a table's new rows do not replace the table.
A stored row is *superseded* when the run brought a row with the same key, when its parent row
was re-fetched (a to-do's old assignees go with the old to-do, even if the new list is
shorter), or when it belongs to a bucket (project, calendar) the run re-crawled in full: then
its absence from the new rows means it is gone. Everything else is kept as stored. Whole rows
replace whole rows; columns are never mixed across runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms.schemas import Child, Registry, Table


def parent_link(registry: Registry, child: Table) -> tuple[str, dict[str, str]] | None:
    """(parent table, child column -> parent column) for a child table, else None."""
    if not child.child_of:
        return None
    parent = registry.get(child.child_of)
    if parent is None:
        return None
    for spec in parent.children.values():
        for route in spec if isinstance(spec, tuple) else (spec,):
            if isinstance(route, Child) and route.table == child.name:
                return parent.name, dict(route.parent_key)
    return None


def superseded(stored: pa.Table, spec: Table, new: pa.Table,
               new_parents: tuple[pa.Table, Mapping[str, str]] | None,
               filters: list[Mapping[str, Any]]) -> pa.Array:
    """Boolean mask over ``stored``: rows with a new version, rows of a re-fetched parent,
    and rows matching a filter of a listing the run re-read whole."""
    mask = pa.array([False] * stored.num_rows, pa.bool_())
    if new.num_rows and not spec.child_of:  # child rows go by their parent, below
        mask = pc.or_(mask, matches(stored, new, {k: k for k in spec.key}))
    if new_parents is not None and new_parents[0].num_rows:
        parents, link = new_parents
        mask = pc.or_(mask, matches(stored, parents, link))
    for wanted in filters:
        hit = pa.array([True] * stored.num_rows, pa.bool_())
        for column, value in wanted.items():
            if column not in stored.column_names:
                hit = pa.array([False] * stored.num_rows, pa.bool_())
                break
            hit = pc.and_(hit, pc.fill_null(pc.equal(stored[column], value), False))
        mask = pc.or_(mask, hit)
    return mask


def in_buckets(data: pa.Table, buckets: Mapping[str, set[Any]]) -> pa.Array:
    """Rows that any of their bucket columns places in a changed bucket."""
    mask = pa.array([False] * data.num_rows, pa.bool_())
    for column, values in buckets.items():
        if column in data.column_names and values:
            found = pc.is_in(data[column], value_set=pa.array(
                sorted(values), data.schema.field(column).type))
            mask = pc.or_(mask, pc.fill_null(found, False))
    return mask


def only_buckets(data: pa.Table, buckets: Mapping[str, set[Any]]) -> pa.Table:
    """This run's rows of the changed buckets only (others came along as parents' details)."""
    if data.num_rows == 0:
        return data
    return data.filter(in_buckets(data, buckets))


def matches(stored: pa.Table, other: pa.Table, link: Mapping[str, str]) -> pa.Array:
    """Rows of ``stored`` whose ``link`` columns match some row of ``other``."""
    left = list(link)
    right = [link[c] for c in left]
    if any(c not in stored.column_names for c in left) or \
            any(c not in other.column_names for c in right):
        return pa.array([False] * stored.num_rows, pa.bool_())
    if stored.num_rows == 0:
        return pa.array([], pa.bool_())
    marker = "__present__"
    found = other.select(right).rename_columns(left).group_by(left).aggregate([])
    found = found.append_column(marker, pa.array([True] * found.num_rows, pa.bool_()))
    indexed = stored.select(left).append_column(
        "__row__", pa.array(range(stored.num_rows), pa.int64()))
    joined = indexed.join(found, keys=left, join_type="left outer").sort_by("__row__")
    return pc.fill_null(joined[marker], False)


def fold(stored: pa.Table | None, new: pa.Table, mask: pa.Array | None) -> pa.Table:
    """Stored rows not superseded, plus the new rows (schemas unified, new columns kept)."""
    if stored is None or stored.num_rows == 0:
        return new
    kept = stored.filter(pc.invert(mask)) if mask is not None else stored
    if new.num_rows == 0:
        return kept
    return pa.concat_tables([kept, new], promote_options="permissive")


def partitions_of(spec: Table, data: pa.Table) -> Iterator[tuple[dict[str, Any], pa.Table]]:
    """Contiguous per-partition slices of ``data``, sorted by partition then key."""
    if data.num_rows == 0:
        return
    columns = list(spec.partition)
    ordered = data.sort_by([(c, "ascending") for c in (*columns, *spec.key)
                            if c in data.column_names])
    runs = ordered.select(columns).group_by(columns, use_threads=False).aggregate(
        [([], "count_all")])
    offset = 0
    for run in runs.sort_by([(c, "ascending") for c in columns]).to_pylist():
        count = run.pop("count_all")
        yield run, ordered.slice(offset, count)
        offset += count


def retitle_parents(data: pa.Table, titles: Mapping[Any, str]) -> tuple[pa.Table, int]:
    """Refresh ``parent__title``, a copy of the parent's title that the child's own
    ``updated_at`` does not track; returns the table and how many rows changed."""
    if not titles or data.num_rows == 0 or "parent__title" not in data.column_names \
            or "parent__id" not in data.column_names:
        return data, 0
    ids = data["parent__id"].to_pylist()
    old = data["parent__title"].to_pylist()
    new = [titles.get(i, t) if i is not None else t for i, t in zip(ids, old, strict=True)]
    changed = sum(1 for a, b in zip(old, new, strict=True) if a != b)
    if not changed:
        return data, 0
    index = data.column_names.index("parent__title")
    column = pa.array(new, data.schema.field("parent__title").type)
    return data.set_column(index, "parent__title", column), changed
