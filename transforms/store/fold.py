"""Folding an incremental run into the stored output.

Tables listed whole are replaced as in a full run (``transforms.store.partitions``); every
other table's new rows are folded into the stored ones by key (``transforms.upsert``): a child
list goes with its parent row, re-crawled buckets replace theirs, reconciled listings replace
the rows they name, and the shrink guard refuses a fold that would empty a table or a bucket.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from transforms import upsert
from transforms.schemas import Table
from transforms.shape import Shaper
from transforms.store import layout
from transforms.store.guard import RULE, Refusal, StoreNotes, emptied, lost
from transforms.store.layout import PROJECT, Slot
from transforms.store.partitions import WRITERS, store_table
from transforms.store.stored import read_stored
from transforms.store.target import WHOLE_TABLE, Storage, Tainted

log = logging.getLogger(__name__)


class FoldScope(Protocol):
    """What an incremental run re-fetched in full, so what it may replace (a feed's ``Scope``):
    tables listed whole, re-crawled buckets and the tables bucketed by them, the stored rows
    reconciled listings replace, and the titles of parents this run saw."""

    tables: set[str]
    buckets: dict[str, set[Any]]
    bucket_tables: set[str]
    filters: dict[str, list[dict[str, Any]]]
    titles: dict[Any, str]


def store_incremental(storage: Storage, shaper: Shaper, tainted: Tainted, scope: FoldScope,
                      notes: StoreNotes | None = None) -> dict[str, dict[str, Any]]:
    """Write an incremental run: whole tables where listed whole, folded rows elsewhere.

    A table a failed unit feeds is not folded (its stored rows stay); a fold the shrink guard
    refuses leaves the table, and its child lists, as stored.
    """
    notes = notes if notes is not None else StoreNotes()
    registry = storage.registry
    names = sorted(shaper.tables | set(shaper.table_names()))
    whole = [n for n in names if n in scope.tables]
    summary = {}
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="write") as writers:
        for name in whole:
            summary[name] = store_table(storage, shaper, name, tainted, writers, notes)
    new = {n: _merged(shaper, n) for n in names if n not in scope.tables}
    scope.titles = {i: t for rows in new.values()
                    if {"id", "title", "updated_at"} <= set(rows.column_names)
                    for i, t in zip(rows["id"].to_pylist(), rows["title"].to_pylist(),
                                    strict=True) if i is not None and t is not None}
    names += sorted((_with_parent_titles(storage, scope) | _migrating(storage))
                    - set(names) - scope.tables)
    new.update({n: registry[n].file_schema().empty_table() for n in names if n not in new
                and n not in scope.tables})
    final: dict[str, pa.Table] = {}
    # Parents before their children.
    for name in sorted(new, key=lambda n: len(registry.parents(n))):
        if any(t == name for t, _ in tainted):
            summary[name] = {"rows": 0, "partitions": 0, "kept_partitions": -1}
            continue
        parent = registry[name].child_of if name in registry else None
        if parent and (parent, WHOLE_TABLE) in notes.refused_parts:
            notes.refused_parts.add((name, WHOLE_TABLE))
            summary[name] = {"rows": 0, "partitions": 0, "kept_partitions": -1,
                             "shrink_refused": True}
            continue
        summary[name] = _fold_table(storage, name, new[name], new, scope, final, notes)
    return summary


def _with_parent_titles(storage: Storage, scope: FoldScope) -> set[str]:
    """Stored tables whose rows copy a parent's title: a retitled parent touches them."""
    if not scope.titles:
        return set()
    target = storage.target
    return {name for name, spec in storage.registry.items()
            if "parent__title" in spec.columns and target.tree.is_dir(target.api, name)}


def _migrating(storage: Storage) -> set[str]:
    """Tables whose stored rows of this account are in the other layout (an older version's
    Hive folders): the fold rewrites them in this run's layout even when nothing changed."""
    target = storage.target
    return {name for name, spec in storage.registry.items()
            if layout.legacy(target.tree, target.layout, target.api, spec, target.partition)}


def _merged(shaper: Shaper, name: str) -> pa.Table:
    parts = [p.data for p in shaper.partitions(name, 0)]
    shaper.release(name)
    return parts[0] if parts else shaper.normalizer.table(name).file_schema().empty_table()


def _fold_table(storage: Storage, name: str, rows: pa.Table,
                new: dict[str, pa.Table], scope: FoldScope,
                final: dict[str, pa.Table], notes: StoreNotes | None = None) -> dict[str, Any]:
    notes = notes if notes is not None else StoreNotes()
    spec = storage.registry.get(name)
    if spec is None:
        return {"rows": 0, "partitions": 0, "kept_partitions": 0}
    target = storage.target
    where = (target.tree, target.layout, target.api, spec, target.partition)
    existing, old = layout.existing(*where), layout.legacy(*where)
    stored = read_stored(target, name, bool(existing or old))
    link = upsert.parent_link(storage.registry, spec)
    if link and link[0] in new:
        # A child list goes with its parent row: only children of the parent rows this run
        # keeps are new, and they replace every stored child of those parents.
        rows = rows.filter(upsert.matches(rows, new[link[0]], link[1]))
    if name in scope.bucket_tables and not link:
        rows = upsert.only_buckets(rows, scope.buckets)
        mask = upsert.in_buckets(stored, scope.buckets) if stored is not None else None
    else:
        parents = (new[link[0]], link[1]) if link and link[0] in new else None
        mask = upsert.superseded(stored, spec, rows, parents, scope.filters.get(name, [])) \
            if stored is not None else None
    if stored is not None and link and link[0] in final:
        orphans = pc.invert(upsert.matches(stored, final[link[0]], link[1]))
        mask = pc.or_(mask, orphans)  # the parent row is gone (deleted, reconciled)
    new[name] = rows
    retitled = 0
    if stored is not None and scope.titles:
        stored, retitled = upsert.retitle_parents(stored, scope.titles)
    if rows.num_rows == 0 and not retitled and old is None and (
            mask is None or not pc.any(mask).as_py()):
        return {"rows": 0, "partitions": 0, "kept_partitions": len(existing)}
    combined = upsert.fold(stored, rows, mask)
    bucketed = name in scope.bucket_tables and not link
    if _fold_refused(storage, spec, stored, rows, mask, combined, notes,
                     scope.buckets if bucketed else None, scope.filters.get(name, [])):
        return {"rows": 0, "partitions": 0, "kept_partitions": len(existing),
                "shrink_refused": True}
    final[name] = combined
    fresh, files = _write_folded(storage, spec, combined, existing)
    if old is not None:
        layout.remove(target.tree, old)
    return {"rows": rows.num_rows, "partitions": len(fresh), "files": files,
            "kept_partitions": 0, "total_rows": combined.num_rows}


def _write_folded(storage: Storage, spec: Table, combined: pa.Table,
                  existing: set[Slot]) -> tuple[set[Slot], int]:
    """Write a folded table in the run's layout; files whose rows did not change stay."""
    target = storage.target
    if target.layout != PROJECT:
        where = layout.account_slot(target.layout, target.api, spec, target.partition)
        return {where}, layout.write(target.tree, spec, where, combined, keep_equal=True)
    fresh: set[Slot] = set()
    files = 0
    for values, part in upsert.partitions_of(spec, combined):
        where = layout.slot(PROJECT, target.api, spec, values)
        files += layout.write(target.tree, spec, where, part, keep_equal=True)
        fresh.add(where)
    for where in existing - fresh:
        layout.remove(target.tree, where)
    return fresh, files


def _fold_refused(storage: Storage, spec: Table, stored: pa.Table | None,
                  rows: pa.Table, mask: pa.Array | None, combined: pa.Table,
                  notes: StoreNotes, buckets: Mapping[str, set[Any]] | None = None,
                  filters: list[Mapping[str, Any]] | None = None) -> bool:
    """The shrink guard on a fold: removed rows (reconciled, bucket replaced, orphaned) that
    the new rows do not bring back are lost. Refused: a fold that empties the table, a large
    loss, a re-crawled bucket (project, calendar) or a reconciled status list that answered
    empty where rows were stored (a status list whose X-Total-Count agreed states it)."""
    if stored is None or mask is None or stored.num_rows == 0 or storage.may_shrink(spec.name):
        return False
    key = [k for k in spec.key if k in stored.column_names]
    new_keys = rows.select([k for k in key if k in rows.column_names])
    removed = notes.answers.unstated(stored.filter(mask))
    gone = lost(removed.select(key), new_keys, key) if removed.num_rows else 0
    feeding = storage.endpoints_into(spec.name) if spec.name in storage.registry else []
    refusal = None
    if not combined.num_rows or RULE.refuses(stored.num_rows, gone) or (
            gone and notes.contradicts(feeding)):
        refusal = Refusal(spec.name, stored.num_rows, combined.num_rows)
    refusal = refusal or _bucket_emptied(storage, spec, removed, rows, key, buckets or {})
    if refusal is None and not (feeding and notes.answers.stated(feeding, notes.mismatched)):
        refusal = _list_emptied(storage, spec, removed, new_keys, key, filters or [])
    if refusal is None:
        return False
    notes.refused_parts.add((spec.name, WHOLE_TABLE))
    notes.refuse(refusal)
    return True


def _bucket_emptied(storage: Storage, spec: Table, removed: pa.Table, rows: pa.Table,
                    key: list[str], buckets: Mapping[str, set[Any]]) -> Refusal | None:
    """The first re-crawled bucket whose every removed row is gone."""
    for column, values in buckets.items():
        if column not in removed.column_names or not values:
            continue
        inside = removed.filter(upsert.in_buckets(removed, {column: values}))
        for group, count in emptied(inside, rows, key, [column]):
            return Refusal(spec.name, count, 0, {**storage.target.partition, **group})
    return None


def _list_emptied(storage: Storage, spec: Table, removed: pa.Table, new_keys: pa.Table,
                  key: list[str], filters: list[Mapping[str, Any]]) -> Refusal | None:
    """The first reconciled list (``status=archived``) whose every removed row is gone."""
    for wanted in filters:
        if any(c not in removed.column_names for c in wanted):
            continue
        hit = removed
        for column, value in wanted.items():
            hit = hit.filter(pc.fill_null(pc.equal(hit[column], value), False))
        if hit.num_rows and lost(hit.select(key), new_keys, key) == hit.num_rows:
            return Refusal(spec.name, hit.num_rows, 0, {**storage.target.partition, **wanted})
    return None
