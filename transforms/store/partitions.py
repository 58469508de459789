"""Storing one run's rows of a full run: each table's files replaced or kept.

Replacement obeys three rules. What succeeded is stored; rows a failed unit feeds keep what an
earlier run stored (the ``tainted`` set the pipeline works out from the catalog: a whole table,
or one project's rows of it); stored rows are replaced only when the shrink guard
(``table_guard``) lets them. ``StoreNotes`` carries what storing decided (refusals, the counts
it heard) to the manifest and the exit code.

In the default layout a table's rows of one account are one slot (``transforms.store.layout``),
so a project that must keep its stored rows is carried over row by row into the new files; in
the Hive layout (``--partition-by project``) it is a folder left alone. An account's Hive
folder written by an older version is removed once its rows are in the new files.
"""

from __future__ import annotations

import logging
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms.schemas import Table
from transforms.shape import Partition, Shaper
from transforms.store import layout
from transforms.store.guard import StoreNotes
from transforms.store.layout import PROJECT, Slot
from transforms.store.stored import read_stored
from transforms.store.table_guard import guard_table
from transforms.store.target import WHOLE_TABLE, Storage, Tainted

log = logging.getLogger(__name__)

WRITERS = 4
IN_FLIGHT = 256


def store(storage: Storage, shaper: Shaper, tainted: Tainted,
          notes: StoreNotes | None = None) -> dict[str, dict[str, Any]]:
    """Write every selected table's files, as the module docstring says.

    Files are written by a pool, across tables: in the Hive layout most tables have a few
    small partitions, so waiting table by table would leave the writers idle. At most
    ``IN_FLIGHT`` files wait at once, which bounds the memory the queued slices hold.
    Parents come before their child lists (a child's name extends its parent's), so a
    refused parent's children stay with it.
    """
    notes = notes if notes is not None else StoreNotes()
    summary: dict[str, dict[str, Any]] = {}
    waiting: deque[_TableWrite] = deque()
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="write") as writers:
        for name in sorted(shaper.tables | set(shaper.table_names())):
            waiting.append(_submit_table(storage, shaper, name, tainted, writers, notes))
            while sum(len(w.jobs) for w in waiting) > IN_FLIGHT and len(waiting) > 1:
                done = waiting.popleft()
                summary[done.name] = _finish_table(storage, done, tainted)
        while waiting:
            done = waiting.popleft()
            summary[done.name] = _finish_table(storage, done, tainted)
    return summary


@dataclass
class _TableWrite:
    name: str
    spec: Table
    existing: set[Slot]
    legacy: Slot | None
    may_empty: bool
    jobs: list[Future[int]] = field(default_factory=list)
    fresh: set[Slot] = field(default_factory=set)
    kept: int = 0
    rows: int = 0
    held: set[Slot] = field(default_factory=set)
    refused: bool = False
    whole: bool = False  # the default layout: one slot for the account's rows

    @property
    def stored(self) -> bool:
        return bool(self.existing or self.legacy)


def store_table(storage: Storage, shaper: Shaper, name: str, tainted: Tainted,
                writers: ThreadPoolExecutor, notes: StoreNotes) -> dict[str, Any]:
    """Write one table's files and drop its stale ones."""
    return _finish_table(storage, _submit_table(storage, shaper, name, tainted, writers, notes),
                         tainted)


def _submit_table(storage: Storage, shaper: Shaper, name: str, tainted: Tainted,
                  writers: ThreadPoolExecutor, notes: StoreNotes) -> _TableWrite:
    target = storage.target
    spec = shaper.normalizer.table(name)
    whole = target.layout != PROJECT
    parts: list[Partition] = list(shaper.partitions(name, 1 if whole else None))
    shaper.release(name)
    where = (target.tree, target.layout, target.api, spec, target.partition)
    write = _TableWrite(name, spec, layout.existing(*where), layout.legacy(*where),
                        storage.may_shrink(name), whole=whole)
    write.refused, held = guard_table(storage, spec, parts, write.stored, tainted, notes)
    if write.whole:
        _submit_whole(storage, write, parts, held, tainted, writers)
    else:
        _submit_partitions(storage, write, parts, held, tainted, writers)
    return write


def _submit_partitions(storage: Storage, write: _TableWrite, parts: list[Partition],
                       held: set[Any], tainted: Tainted, writers: ThreadPoolExecutor) -> None:
    """The Hive layout: each project's partition written, or left as stored."""
    target, spec = storage.target, write.spec
    write.held = {s for s in write.existing if s.mapping.get(storage.bucket) in held}
    for part in parts:
        where = layout.slot(PROJECT, target.api, spec, part.mapping)
        if write.refused or where in write.held or (
                where in write.existing and is_tainted(storage, tainted, spec.name,
                                                       part.mapping, spec.partition)):
            write.kept += 1
            continue
        write.jobs.append(writers.submit(layout.write, target.tree, spec, where, part.data))
        write.fresh.add(where)
        write.rows += part.data.num_rows


def _submit_whole(storage: Storage, write: _TableWrite, parts: list[Partition],
                  held: set[Any], tainted: Tainted, writers: ThreadPoolExecutor) -> None:
    """The default layout: the account's rows in one slot; projects that keep their stored
    rows (a failed unit feeds them, or the guard holds them) are carried over."""
    target, spec, name = storage.target, write.spec, write.name
    if write.stored and (write.refused or (name, WHOLE_TABLE) in tainted):
        write.kept = 1
        return
    if write.stored and not parts and not write.may_empty:
        log.warning("%s: no rows this run; kept the rows stored by earlier runs", name)
        write.kept = 1
        return
    data = parts[0].data if len(parts) == 1 else pa.concat_tables(
        [p.data for p in parts], promote_options="permissive") if parts else \
        spec.arrow_schema().empty_table()
    holds = held | {b for t, b in tainted if t == name and b != WHOLE_TABLE} \
        if storage.bucketed(spec.partition) else set()
    write.rows = data.num_rows
    if holds and write.stored:
        data, write.kept = _carry_over(storage, spec, data, holds)
    where = layout.account_slot(target.layout, target.api, spec, target.partition)
    write.jobs.append(writers.submit(_replace, storage, spec, where, data, write.legacy))
    write.fresh.add(where)


def _carry_over(storage: Storage, spec: Table, data: pa.Table,
                holds: set[Any]) -> tuple[pa.Table, int]:
    """``data`` with the stored rows of the held projects in place of this run's; how many
    projects kept stored rows."""
    bucket = storage.bucket
    stored = read_stored(storage.target, spec.name, True)
    if stored is None or bucket not in stored.column_names:
        return data, 0
    values = pa.array(sorted(holds), pa.int64())
    kept = stored.filter(pc.fill_null(pc.is_in(stored[bucket], value_set=values), False))
    if not kept.num_rows:
        return data, 0
    buckets = pc.unique(kept[bucket])
    fresh = data.filter(pc.invert(pc.fill_null(pc.is_in(data[bucket], value_set=buckets),
                                               False))) if bucket in data.column_names else data
    return pa.concat_tables([fresh, kept], promote_options="permissive"), len(buckets)


def _replace(storage: Storage, spec: Table, where: Slot, data: pa.Table,
             legacy: Slot | None) -> int:
    """Write the slot, then remove the account's files in the other layout."""
    written = layout.write(storage.target.tree, spec, where, data)
    if legacy is not None:
        layout.remove(storage.target.tree, legacy)
    return written


def _finish_table(storage: Storage, write: _TableWrite, tainted: Tainted) -> dict[str, Any]:
    """Wait for a table's files, then remove the partitions this run no longer has."""
    files = sum(job.result() for job in write.jobs)
    if not write.whole:
        _drop_stale(storage, write, tainted)
        if write.legacy is not None and write.fresh and not write.kept:
            layout.remove(storage.target.tree, write.legacy)
    out: dict[str, Any] = {"rows": write.rows, "partitions": len(write.fresh), "files": files,
                           "kept_partitions": write.kept}
    if write.refused:
        out["shrink_refused"] = True
    return out


def _drop_stale(storage: Storage, write: _TableWrite, tainted: Tainted) -> None:
    stale = write.existing - write.fresh - write.held
    name, spec = write.name, write.spec
    if write.refused or (name, WHOLE_TABLE) in tainted:
        stale.clear()
    elif not write.fresh and stale and not write.may_empty:  # a table the guard cannot read
        log.warning("%s: no rows this run; kept %d partition(s) from earlier runs", name,
                    len(stale))
        stale.clear()
    for where in stale:
        if not is_tainted(storage, tainted, name, where.mapping, spec.partition):
            layout.remove(storage.target.tree, where)
    write.kept = len(write.existing - write.fresh - stale) if write.existing else write.kept


def is_tainted(storage: Storage, tainted: Tainted, table: str, values: dict[str, Any],
               partition: tuple[str, ...]) -> bool:
    """A failed unit feeds this partition (the whole table, or its bucket)."""
    if (table, WHOLE_TABLE) in tainted:
        return True
    bucket = values.get(storage.bucket)
    return storage.bucket in partition and bucket is not None and (table, bucket) in tainted
