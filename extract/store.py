"""Storing one run's rows: partitions replaced or kept, incremental folds, rejects.

Partition replacement obeys three rules. What succeeded is stored; a partition a failed unit
feeds keeps what an earlier run stored (``tainted_partitions``); a stored partition is replaced
only when the shrink guard (``extract.guard``) lets it. ``StoreNotes`` carries what storing
decided (refusals, the counts it heard) to the manifest and the exit code.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from extract.catalog import Catalog
from extract.crawl import CrawlReport
from extract.families import Family
from extract.guard import RULE, Answers, Refusal, allowed, emptied, lost
from transforms import parquet
from transforms.errors import OutputError
from transforms.shape import Shaper, rejects_table

if TYPE_CHECKING:
    from extract.export import ExportConfig

log = logging.getLogger(__name__)

WHOLE_TABLE = "*"
WRITERS = 4
IN_FLIGHT = 256


@dataclass
class StoreNotes:
    """What storing decided beyond rows written: for the manifest and the exit code."""

    answers: Answers = field(default_factory=Answers)
    refused: list[Refusal] = field(default_factory=list)
    refused_parts: set[tuple[str, Any]] = field(default_factory=set)
    mismatched: set[str] = field(default_factory=set)
    contradicted: set[str] = field(default_factory=set)

    def heard_counts(self, report: CrawlReport) -> None:
        """Endpoints whose counts disagreed; those that answered empty while X-Total-Count
        said there were rows contradict themselves, and no stored row is dropped on their
        word."""
        self.mismatched = {m["endpoint"] for m in report.count_mismatches}
        self.contradicted = {m["endpoint"] for m in report.count_mismatches
                             if m["fetched"] == 0 and m["total"] > 0}

    def contradicts(self, endpoints: Iterable[str]) -> bool:
        return bool(self.contradicted & set(endpoints))

    def refuse(self, refusal: Refusal) -> None:
        log.warning("shrink refused: %s", refusal.line())
        self.refused.append(refusal)


def store(config: ExportConfig, fam: Family, shaper: Shaper, report: CrawlReport,
          notes: StoreNotes | None = None) -> dict[str, dict[str, Any]]:
    """Write every selected table's partitions, as the module docstring says.

    Partition files are written by a pool, across tables: most tables have a few small
    partitions, so waiting table by table would leave the writers idle. At most
    ``IN_FLIGHT`` files wait at once, which bounds the memory the queued slices hold.
    Parents come before their child lists (a child's name extends its parent's), so a
    refused parent's children stay with it.
    """
    notes = notes if notes is not None else StoreNotes()
    notes.heard_counts(report)
    tainted = tainted_partitions(fam, report)
    summary: dict[str, dict[str, Any]] = {}
    waiting: deque[_TableWrite] = deque()
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="write") as writers:
        for name in sorted(shaper.tables | set(shaper.table_names())):
            waiting.append(_submit_table(config, fam, shaper, name, tainted, writers, notes))
            while sum(len(w.jobs) for w in waiting) > IN_FLIGHT and len(waiting) > 1:
                done = waiting.popleft()
                summary[done.name] = _finish_table(config, done, tainted)
        while waiting:
            done = waiting.popleft()
            summary[done.name] = _finish_table(config, done, tainted)
    return summary


@dataclass
class _TableWrite:
    name: str
    spec: Any
    jobs: list[Any]
    fresh: set[Path]
    kept: list[str]
    rows: int
    existing: set[Path] = field(default_factory=set)
    held: set[Path] = field(default_factory=set)
    refused: bool = False
    may_empty: bool = False


def store_table(config: ExportConfig, fam: Family, shaper: Shaper, name: str,
                 tainted: set[tuple[str, Any]], writers: ThreadPoolExecutor,
                 notes: StoreNotes) -> dict[str, Any]:
    """Write one table's partitions and drop its stale ones."""
    return _finish_table(config, _submit_table(config, fam, shaper, name, tainted, writers,
                                               notes), tainted)


def _submit_table(config: ExportConfig, fam: Family, shaper: Shaper, name: str,
                  tainted: set[tuple[str, Any]], writers: ThreadPoolExecutor,
                  notes: StoreNotes) -> _TableWrite:
    spec = shaper.normalizer.table(name)
    parts = list(shaper.partitions(name))
    shaper.release(name)
    existing = parquet.existing_partitions(config.output, config.api, spec,
                                           {fam.account_column: config.account_id})
    write = _TableWrite(name, spec, [], set(), [], 0, existing,
                        may_empty=allowed(config.allow_shrink, name, fam.registry))
    write.refused, write.held = _guard_table(config, fam, spec, parts, write.existing, tainted,
                                             notes)
    for part in parts:
        directory = parquet.partition_dir(config.output, config.api, spec, part.mapping)
        held = write.refused or directory in write.held or (
            directory in existing and _is_tainted(tainted, name, part.mapping, spec.partition))
        if held:
            write.kept.append(str(directory))
            continue
        write.jobs.append(writers.submit(parquet.write_partition, directory, spec, part.data))
        write.fresh.add(directory)
        write.rows += part.data.num_rows
    return write


def _finish_table(config: ExportConfig, write: _TableWrite,
                  tainted: set[tuple[str, Any]]) -> dict[str, Any]:
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
        if not _is_tainted(tainted, name, _values_of(directory), spec.partition):
            parquet.remove_partition(directory)
    kept = len(write.existing - write.fresh - stale) if write.existing else len(write.kept)
    out = {"rows": write.rows, "partitions": len(write.fresh), "kept_partitions": kept}
    if write.refused:
        out["shrink_refused"] = True
    return out


def _held_with_parent(config: ExportConfig, fam: Family, spec: Any, existing: set[Path],
                      notes: StoreNotes) -> set[Path]:
    """A child table's stored project partitions whose parent partition the guard holds."""
    held: set[Path] = set()
    if "project_id" not in spec.partition:
        return held
    for directory in existing:
        project = _values_of(directory).get("project_id")
        if (spec.child_of, project) in notes.refused_parts:
            notes.refused_parts.add((spec.name, project))
            held.add(directory)
    return held


def _guard_table(config: ExportConfig, fam: Family, spec: Any, parts: list[Any],
                 existing: set[Path], tainted: set[tuple[str, Any]],
                 notes: StoreNotes) -> tuple[bool, set[Path]]:
    """(refuse the whole table, stored partitions to hold) under the shrink guard.

    Only this account's stored keys are read (a column-projected read). Partitions a failed
    unit feeds are kept anyway and left out of the comparison.
    """
    name = spec.name
    if not existing or name not in fam.registry or allowed(config.allow_shrink, name,
                                                           fam.registry):
        return False, set()
    parent = spec.child_of
    if parent and (parent, WHOLE_TABLE) in notes.refused_parts:
        notes.refused_parts.add((name, WHOLE_TABLE))
        return True, set()
    if parent:
        # A child list arrives inside its parent's record: the parent row that came back says
        # what the list is now, so a child table only follows its parent's refusals.
        return False, _held_with_parent(config, fam, spec, existing, notes)
    by_project = "project_id" in spec.partition
    key = list(spec.key)
    group = [*(["project_id"] if by_project else []),
             *(["status"] if "status" in spec.columns else [])]
    columns = list(dict.fromkeys([*key, *group]))
    stored = _stored_keys(config, fam, name, existing, columns)
    if stored is None or (name, WHOLE_TABLE) in tainted:
        return False, set()
    projects_tainted = {p for t, p in tainted if t == name}
    new = [p.data.select([c for c in columns if c in p.data.column_names]) for p in parts]
    new_rows = pa.concat_tables(new, promote_options="permissive") if new else \
        stored.schema.empty_table()
    if by_project and projects_tainted:
        stored = stored.filter(pc.invert(pc.fill_null(pc.is_in(
            stored["project_id"], value_set=pa.array(sorted(projects_tainted), pa.int64())),
            False)))
    before = stored.num_rows
    if before == 0:
        return False, set()
    after = new_rows.num_rows
    feeding = fam.endpoints_into(name)
    stated = notes.answers.stated(feeding, notes.mismatched)
    stored = notes.answers.unstated(stored)
    gone = lost(stored, new_rows, key)
    if after == 0 or RULE.refuses(before, gone, stated=stated) or (
            gone and notes.contradicts(feeding)):
        notes.refused_parts.add((name, WHOLE_TABLE))
        notes.refuse(Refusal(name, before, after))
        return True, set()
    if stated:
        return False, set()
    held: set[Path] = set()
    whole = False
    for values, count in emptied(stored, new_rows, key, group):
        project = values.get("project_id")
        if not notes.answers.was_asked(feeding, project):
            continue  # the project itself is gone: its rows go with it
        partition = {fam.account_column: config.account_id, **values}
        if by_project:
            held.add(parquet.partition_dir(config.output, config.api, spec, partition))
            notes.refused_parts.add((name, project))
        else:
            whole = True
        notes.refuse(Refusal(name, count, 0, partition))
    if whole:
        notes.refused_parts.add((name, WHOLE_TABLE))
    return whole, held


def _stored_keys(config: ExportConfig, fam: Family, name: str, existing: set[Path],
                 columns: list[str]) -> pa.Table | None:
    """This account's stored key columns of one table; None when they cannot be read (a
    full run then replaces the unreadable files, which heals them)."""
    try:
        return read_stored(config, fam, name, existing, columns)
    except OutputError as exc:
        log.warning("%s; this full run replaces what it can", exc)
        return None


def check_stored(config: ExportConfig, fam: Family) -> None:
    """Before an incremental run folds into them: every stored file of this account opens.

    A footer read per file (cheap); a damaged one stops the run before any request with one
    line naming it, as nothing can be folded into rows that cannot be read. ``--full``
    rewrites it from the API.
    """
    account = {fam.account_column: config.account_id}
    for spec in fam.registry.values():
        for directory in sorted(parquet.existing_partitions(config.output, config.api, spec,
                                                            account)):
            path = directory / parquet.PART_FILE
            if not path.is_file():
                continue
            try:
                pq.read_metadata(path)
            except (pa.ArrowException, OSError) as exc:
                raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: BaseException) -> OutputError:
    reason = " ".join(str(exc).split())[:160]
    return OutputError(f"stored partition {path} cannot be read ({reason}); run again with "
                       "--full to rebuild it from the API")


def stored_columns(config: ExportConfig, fam: Family, name: str,
                    columns: list[str]) -> pa.Table | None:
    """Some columns of one stored table of this account (for a feed's change checks)."""
    spec = fam.registry.get(name)
    if spec is None:
        return None
    existing = parquet.existing_partitions(config.output, config.api, spec,
                                           {fam.account_column: config.account_id})
    return read_stored(config, fam, name, existing, columns)


def read_stored(config: ExportConfig, fam: Family, name: str, existing: set[Path],
                 columns: list[str] | None = None) -> pa.Table | None:
    """This account's stored rows of one table (only ``columns`` when given)."""
    if not existing:
        return None
    from transforms.read import dataset

    try:
        found = dataset(config.output, config.api, name)
        column = fam.account_column
        wanted = None if columns is None else [c for c in columns if c in found.schema.names]
        return found.to_table(columns=wanted, filter=ds.field(column) == config.account_id)
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(config.output / config.api / name, exc) from None


def tainted_partitions(fam: Family, report: CrawlReport) -> set[tuple[str, Any]]:
    """(table, project id or '*') pairs a failed unit, or what it would have reached, feeds."""
    tainted: set[tuple[str, Any]] = set()
    for failure in report.failures:
        endpoints = {failure.endpoint} | _descendants(fam.catalog, failure.endpoint)
        project = failure.ctx.get("project_id")
        for endpoint_id in endpoints:
            for table in fam.registry.closure([fam.catalog[endpoint_id].table]):
                spec = fam.registry[table]
                scoped = "project_id" in spec.partition and project is not None
                tainted.add((table, project if scoped else WHOLE_TABLE))
    return tainted


def incomplete_tables(fam: Family, report: CrawlReport, stored: set[str]
                      ) -> dict[str, list[dict[str, str]]]:
    """Tables a failed unit feeds (directly or through what it would have reached), each
    with the missing units, for the manifest."""
    out: dict[str, list[dict[str, str]]] = {}
    for failure in report.failures:
        endpoints = {failure.endpoint} | _descendants(fam.catalog, failure.endpoint)
        tables = fam.registry.closure([fam.catalog[e].table for e in endpoints])
        for table in sorted(tables & stored):
            unit = {"endpoint": failure.endpoint, "url": failure.url}
            if unit not in out.setdefault(table, []):
                out[table].append(unit)
    return dict(sorted(out.items()))


def store_rejects(config: ExportConfig, fam: Family, shaper: Shaper, *, full: bool
                  ) -> dict[str, int]:
    """Write the rows shaping turned away (a null key) to ``_rejects``; counts per table.

    A full run of every step replaces this account's rejects; other runs add theirs to
    what is stored, once per (table, raw record).
    """
    rows = shaper.rejects()
    spec = rejects_table(fam.account_column)
    directory = parquet.partition_dir(config.output, config.api, spec,
                                      {fam.account_column: config.account_id})
    stored = None
    if (directory / parquet.PART_FILE).is_file():
        try:
            stored = pq.read_table(directory / parquet.PART_FILE)
        except (pa.ArrowException, OSError):
            stored = None  # unreadable: replaced below
    if full or stored is None:
        combined = rows
    else:
        combined = pa.concat_tables([stored, rows], promote_options="permissive")
        combined = combined.group_by(["table", "raw"], use_threads=False).aggregate(
            [(c, "last") for c in combined.column_names if c not in ("table", "raw")])
        combined = combined.rename_columns(
            [c.removesuffix("_last") for c in combined.column_names])
    if combined.num_rows:
        parquet.write_partition(directory, spec, combined)
    elif full and directory.is_dir():
        parquet.remove_partition(directory)
    counts = rows.group_by("table").aggregate([([], "count_all")]).to_pylist()
    return {r["table"]: r["count_all"] for r in sorted(counts, key=lambda r: r["table"])}


def _is_tainted(tainted: set[tuple[str, Any]], table: str, values: dict[str, Any],
                partition: Iterable[str]) -> bool:
    if (table, WHOLE_TABLE) in tainted:
        return True
    project = values.get("project_id")
    return "project_id" in partition and project is not None and (table, project) in tainted


def _values_of(directory: Path) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for part in directory.parts:
        if "=" in part:
            column, _, value = part.partition("=")
            values[column] = int(value) if value.lstrip("-").isdigit() else value
    return values


def _descendants(catalog: Catalog, endpoint_id: str) -> set[str]:
    out: set[str] = set()
    stack = [endpoint_id]
    while stack:
        for child in catalog.children(stack.pop()):
            if child.id not in out:
                out.add(child.id)
                stack.append(child.id)
    return out
