"""The shrink guard on one table of a full run: replace it, hold some partitions, or refuse it.

The rules are in ``transforms.store.guard``; this module reads the account's stored keys
(a column-projected read) and compares them with the run's rows, per table and per group
(a project's partition, a status list).
"""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms.errors import OutputError
from transforms.schemas import Table
from transforms.shape import Partition
from transforms.store.guard import RULE, Refusal, StoreNotes, emptied, lost
from transforms.store.stored import read_stored
from transforms.store.target import WHOLE_TABLE, Storage, Tainted

log = logging.getLogger(__name__)

Verdict = tuple[bool, set[Any]]  # (refuse the whole table, projects whose stored rows stay)


def guard_table(storage: Storage, spec: Table, parts: list[Partition], existing: bool,
                tainted: Tainted, notes: StoreNotes) -> Verdict:
    """(refuse the whole table, projects whose stored rows stay) under the shrink guard.

    Only this account's stored keys are read. Partitions a failed unit feeds are kept anyway
    and left out of the comparison.
    """
    name = spec.name
    if not existing or name not in storage.registry or storage.may_shrink(name):
        return False, set()
    parent = spec.child_of
    if parent and (parent, WHOLE_TABLE) in notes.refused_parts:
        notes.refused_parts.add((name, WHOLE_TABLE))
        return True, set()
    if parent:
        # A child list arrives inside its parent's record: the parent row that came back says
        # what the list is now, so a child table only follows its parent's refusals.
        return False, _held_with_parent(storage, spec, notes)
    return _compare(storage, spec, parts, existing, tainted, notes)


def _compare(storage: Storage, spec: Table, parts: list[Partition], existing: bool,
             tainted: Tainted, notes: StoreNotes) -> Verdict:
    """A top-level table: the whole of it against the rule, then each group emptied."""
    name, bucket = spec.name, storage.bucket
    by_bucket = storage.bucketed(spec.partition)
    key = list(spec.key)
    group = [*([bucket] if by_bucket else []), *(["status"] if "status" in spec.columns else [])]
    columns = list(dict.fromkeys([*key, *group]))
    stored = _stored_keys(storage, name, existing, columns)
    if stored is None or (name, WHOLE_TABLE) in tainted:
        return False, set()
    buckets_tainted = {p for t, p in tainted if t == name}
    new = [p.data.select([c for c in columns if c in p.data.column_names]) for p in parts]
    new_rows = pa.concat_tables(new, promote_options="permissive") if new else \
        stored.schema.empty_table()
    if by_bucket and buckets_tainted:
        stored = stored.filter(pc.invert(pc.fill_null(pc.is_in(
            stored[bucket], value_set=pa.array(sorted(buckets_tainted), pa.int64())),
            False)))
    before = stored.num_rows
    if before == 0:
        return False, set()
    feeding = storage.endpoints_into(name)
    stated = notes.answers.stated(feeding, notes.mismatched)
    stored = notes.answers.unstated(stored)
    gone = lost(stored, new_rows, key)
    if new_rows.num_rows == 0 or RULE.refuses(before, gone, stated=stated) or (
            gone and notes.contradicts(feeding)):
        notes.refused_parts.add((name, WHOLE_TABLE))
        notes.refuse(Refusal(name, before, new_rows.num_rows))
        return True, set()
    if stated:
        return False, set()
    return _emptied_groups(storage, spec, stored, new_rows, group, notes)


def _emptied_groups(storage: Storage, spec: Table, stored: pa.Table, new_rows: pa.Table,
                    group: list[str], notes: StoreNotes) -> Verdict:
    """Groups (a project's rows, a status list) that lost every row from a listing that was
    asked: a project's stored rows are held, any other group holds the whole table."""
    target, name = storage.target, spec.name
    feeding = storage.endpoints_into(name)
    held: set[Any] = set()
    whole = False
    for values, count in emptied(stored, new_rows, list(spec.key), group):
        bucket = values.get(storage.bucket)
        if not notes.answers.was_asked(feeding, bucket):
            continue  # the project itself is gone: its rows go with it
        partition = {**target.partition, **values}
        if storage.bucketed(spec.partition):
            held.add(bucket)
            notes.refused_parts.add((name, bucket))
        else:
            whole = True
        notes.refuse(Refusal(name, count, 0, partition))
    if whole:
        notes.refused_parts.add((name, WHOLE_TABLE))
    return whole, held


def _held_with_parent(storage: Storage, spec: Table, notes: StoreNotes) -> set[Any]:
    """The projects whose parent rows the guard holds: a child list stays with them."""
    if not storage.bucketed(spec.partition):
        return set()
    held = {bucket for table, bucket in notes.refused_parts
            if table == spec.child_of and bucket != WHOLE_TABLE}
    notes.refused_parts.update((spec.name, bucket) for bucket in held)
    return held


def _stored_keys(storage: Storage, name: str, existing: bool,
                 columns: list[str]) -> pa.Table | None:
    """This account's stored key columns of one table; None when they cannot be read (a
    full run then replaces the unreadable files, which heals them)."""
    try:
        return read_stored(storage.target, name, existing, columns)
    except OutputError as exc:
        log.warning("%s; this full run replaces what it can", exc)
        return None
