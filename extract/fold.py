"""Folding an incremental run into the stored output.

Tables listed whole are replaced as in a full run (``extract.store``); every other table's
new rows are folded into the stored ones by key (``transforms.upsert``): a child list goes with
its parent row, re-crawled buckets replace theirs, reconciled listings replace the rows they
name, and the shrink guard refuses a fold that would empty a table or a bucket.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from extract.crawl import CrawlReport
from extract.families import Family
from extract.guard import RULE, Refusal, allowed, emptied, lost
from extract.incremental import Scope
from transforms import parquet, upsert
from transforms.shape import Shaper

if TYPE_CHECKING:
    from extract.export import ExportConfig

from extract.store import (
    WHOLE_TABLE,
    WRITERS,
    StoreNotes,
    read_stored,
    store_table,
    tainted_partitions,
)

log = logging.getLogger(__name__)


def store_incremental(config: ExportConfig, fam: Family, shaper: Shaper, report: CrawlReport,
                      scope: Scope, notes: StoreNotes | None = None
                      ) -> dict[str, dict[str, Any]]:
    """Write an incremental run: whole tables where listed whole, folded rows elsewhere.

    A table a failed unit feeds is not folded (its stored rows stay); a fold the shrink guard
    refuses leaves the table, and its child lists, as stored.
    """
    notes = notes if notes is not None else StoreNotes()
    notes.heard_counts(report)
    tainted = tainted_partitions(fam, report)
    names = sorted(shaper.tables | set(shaper.table_names()))
    whole = [n for n in names if n in scope.tables]
    summary = {}
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="write") as writers:
        for name in whole:
            summary[name] = store_table(config, fam, shaper, name, tainted, writers, notes)
    new = {n: _merged(shaper, n) for n in names if n not in scope.tables}
    scope.titles = {i: t for rows in new.values()
                    if {"id", "title", "updated_at"} <= set(rows.column_names)
                    for i, t in zip(rows["id"].to_pylist(), rows["title"].to_pylist(),
                                    strict=True) if i is not None and t is not None}
    names += sorted(_with_parent_titles(config, fam, scope) - set(names) - scope.tables)
    new.update({n: fam.registry[n].file_schema().empty_table() for n in names if n not in new
                and n not in scope.tables})
    final: dict[str, pa.Table] = {}
    # Parents before their children.
    for name in sorted(new, key=lambda n: len(fam.registry.parents(n))):
        if any(t == name for t, _ in tainted):
            summary[name] = {"rows": 0, "partitions": 0, "kept_partitions": -1}
            continue
        parent = fam.registry[name].child_of if name in fam.registry else None
        if parent and (parent, WHOLE_TABLE) in notes.refused_parts:
            notes.refused_parts.add((name, WHOLE_TABLE))
            summary[name] = {"rows": 0, "partitions": 0, "kept_partitions": -1,
                             "shrink_refused": True}
            continue
        summary[name] = _fold_table(config, fam, name, new[name], new, scope, final, notes)
    return summary


def _with_parent_titles(config: ExportConfig, fam: Family, scope: Scope) -> set[str]:
    """Stored tables whose rows copy a parent's title: a retitled parent touches them."""
    if not scope.titles:
        return set()
    return {name for name, spec in fam.registry.items()
            if "parent__title" in spec.columns and (config.output / config.api / name).is_dir()}


def _merged(shaper: Shaper, name: str) -> pa.Table:
    parts = [p.data for p in shaper.partitions(name)]
    shaper.release(name)
    spec = shaper.normalizer.table(name)
    return pa.concat_tables(parts, promote_options="permissive") if parts else \
        spec.file_schema().empty_table()


def _fold_table(config: ExportConfig, fam: Family, name: str, rows: pa.Table,
                new: dict[str, pa.Table], scope: Scope,
                final: dict[str, pa.Table], notes: StoreNotes | None = None) -> dict[str, Any]:
    notes = notes if notes is not None else StoreNotes()
    spec = fam.registry.get(name)
    if spec is None:
        return {"rows": 0, "partitions": 0, "kept_partitions": 0}
    account = {fam.account_column: config.account_id}
    existing = parquet.existing_partitions(config.output, config.api, spec, account)
    stored = read_stored(config, fam, name, existing)
    link = upsert.parent_link(fam.registry, spec)
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
    if rows.num_rows == 0 and not retitled and (mask is None or not pc.any(mask).as_py()):
        return {"rows": 0, "partitions": 0, "kept_partitions": len(existing)}
    combined = upsert.fold(stored, rows, mask)
    bucketed = name in scope.bucket_tables and not link
    if _fold_refused(config, fam, spec, stored, rows, mask, combined, notes,
                     scope.buckets if bucketed else None, scope.filters.get(name, [])):
        return {"rows": 0, "partitions": 0, "kept_partitions": len(existing),
                "shrink_refused": True}
    final[name] = combined
    fresh = set()
    count = 0
    for values, part in upsert.partitions_of(spec, combined):
        directory = parquet.partition_dir(config.output, config.api, spec, values)
        parquet.write_partition(directory, spec, part)
        fresh.add(directory)
        count += part.num_rows
    for directory in existing - fresh:
        parquet.remove_partition(directory)
    return {"rows": rows.num_rows, "partitions": len(fresh), "kept_partitions": 0,
            "total_rows": count}


def _fold_refused(config: ExportConfig, fam: Family, spec: Any, stored: pa.Table | None,
                  rows: pa.Table, mask: pa.Array | None, combined: pa.Table,
                  notes: StoreNotes, buckets: Mapping[str, set[Any]] | None = None,
                  filters: list[Mapping[str, Any]] | None = None) -> bool:
    """The shrink guard on a fold: removed rows (reconciled, bucket replaced, orphaned) that
    the new rows do not bring back are lost. Refused: a fold that empties the table, a large
    loss, a re-crawled bucket (project, calendar) or a reconciled status list that answered
    empty where rows were stored (a status list whose X-Total-Count agreed states it)."""
    if stored is None or mask is None or stored.num_rows == 0 or \
            allowed(config.allow_shrink, spec.name, fam.registry):
        return False
    key = [k for k in spec.key if k in stored.column_names]
    new_keys = rows.select([k for k in key if k in rows.column_names])
    removed = notes.answers.unstated(stored.filter(mask))
    gone = lost(removed.select(key), new_keys, key) if removed.num_rows else 0
    refusal = None
    feeding = fam.endpoints_into(spec.name) if spec.name in fam.registry else []
    if not combined.num_rows or RULE.refuses(stored.num_rows, gone) or (
            gone and notes.contradicts(feeding)):
        refusal = Refusal(spec.name, stored.num_rows, combined.num_rows)
    for column, values in (buckets or {}).items():
        if refusal is not None or column not in removed.column_names or not values:
            continue
        inside = removed.filter(upsert.in_buckets(removed, {column: values}))
        for group, count in emptied(inside, rows, key, [column]):
            refusal = Refusal(spec.name, count, 0, {fam.account_column: config.account_id,
                                                    **group})
            break
    listed = bool(feeding) and notes.answers.stated(feeding, notes.mismatched)
    for wanted in filters or []:
        if refusal is not None or listed or any(c not in removed.column_names for c in wanted):
            continue
        hit = removed
        for column, value in wanted.items():
            hit = hit.filter(pc.fill_null(pc.equal(hit[column], value), False))
        if hit.num_rows and lost(hit.select(key), new_keys, key) == hit.num_rows:
            refusal = Refusal(spec.name, hit.num_rows, 0,
                              {fam.account_column: config.account_id, **wanted})
    if refusal is None:
        return False
    notes.refused_parts.add((spec.name, WHOLE_TABLE))
    notes.refuse(refusal)
    return True
