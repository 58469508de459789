"""Storing one run's rows: each table's partitions replaced or kept.

Partition replacement obeys three rules. What succeeded is stored; a partition a failed unit
feeds keeps what an earlier run stored (the ``tainted`` set the pipeline works out from the
catalog); a stored partition is replaced only when the shrink guard (``table_guard``) lets it.
``StoreNotes`` carries what storing decided (refusals, the counts it heard) to the manifest
and the exit code.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from transforms import parquet
from transforms.schemas import Table
from transforms.shape import Partition, Shaper
from transforms.store.guard import StoreNotes
from transforms.store.stored import values_of
from transforms.store.table_guard import guard_table
from transforms.store.target import WHOLE_TABLE, Storage, Tainted

log = logging.getLogger(__name__)

WRITERS = 4
IN_FLIGHT = 256


def store(storage: Storage, shaper: Shaper, tainted: Tainted,
          notes: StoreNotes | None = None) -> dict[str, dict[str, Any]]:
    """Write every selected table's partitions, as the module docstring says.

    Partition files are written by a pool, across tables: most tables have a few small
    partitions, so waiting table by table would leave the writers idle. At most
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
    jobs: list[Future[Path]]
    fresh: set[Path]
    kept: list[str]
    rows: int
    existing: set[Path] = field(default_factory=set)
    held: set[Path] = field(default_factory=set)
    refused: bool = False
    may_empty: bool = False


def store_table(storage: Storage, shaper: Shaper, name: str, tainted: Tainted,
                writers: ThreadPoolExecutor, notes: StoreNotes) -> dict[str, Any]:
    """Write one table's partitions and drop its stale ones."""
    return _finish_table(storage, _submit_table(storage, shaper, name, tainted, writers, notes),
                         tainted)


def _submit_table(storage: Storage, shaper: Shaper, name: str, tainted: Tainted,
                  writers: ThreadPoolExecutor, notes: StoreNotes) -> _TableWrite:
    target = storage.target
    spec = shaper.normalizer.table(name)
    parts: list[Partition] = list(shaper.partitions(name))
    shaper.release(name)
    existing = parquet.existing_partitions(target.output, target.api, spec, target.partition)
    write = _TableWrite(name, spec, [], set(), [], 0, existing,
                        may_empty=storage.may_shrink(name))
    write.refused, write.held = guard_table(storage, spec, parts, existing, tainted, notes)
    for part in parts:
        directory = parquet.partition_dir(target.output, target.api, spec, part.mapping)
        held = write.refused or directory in write.held or (
            directory in existing and is_tainted(storage, tainted, name, part.mapping,
                                                 spec.partition))
        if held:
            write.kept.append(str(directory))
            continue
        write.jobs.append(writers.submit(parquet.write_partition, directory, spec, part.data))
        write.fresh.add(directory)
        write.rows += part.data.num_rows
    return write


def _finish_table(storage: Storage, write: _TableWrite, tainted: Tainted) -> dict[str, Any]:
    """Wait for a table's files, then remove partitions this run no longer has."""
    for job in write.jobs:
        job.result()
    name, spec = write.name, write.spec
    stale = write.existing - write.fresh - write.held
    if write.refused or (name, WHOLE_TABLE) in tainted:
        stale.clear()
    elif not write.fresh and stale and not write.may_empty:  # a table the guard cannot read
        log.warning("%s: no rows this run; kept %d partition(s) from earlier runs", name,
                    len(stale))
        stale.clear()
    for directory in stale:
        if not is_tainted(storage, tainted, name, values_of(directory), spec.partition):
            parquet.remove_partition(directory)
    kept = len(write.existing - write.fresh - stale) if write.existing else len(write.kept)
    out: dict[str, Any] = {"rows": write.rows, "partitions": len(write.fresh),
                           "kept_partitions": kept}
    if write.refused:
        out["shrink_refused"] = True
    return out


def is_tainted(storage: Storage, tainted: Tainted, table: str, values: dict[str, Any],
               partition: Iterable[str]) -> bool:
    """A failed unit feeds this partition (the whole table, or its bucket)."""
    if (table, WHOLE_TABLE) in tainted:
        return True
    bucket = values.get(storage.bucket)
    return storage.bucket in partition and bucket is not None and (table, bucket) in tainted
