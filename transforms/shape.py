"""Pages in, typed and merged partitions out: the shape step of fetch -> shape -> store.

Every page becomes small typed Arrow tables as soon as it arrives (so a run never holds raw JSON
for more than one page); at the end each (table, partition) is concatenated and merged by key.
The same code shapes live pages and pages replayed from a raw spool.

A row of a keyed table whose key is null never reaches its table (a warehouse primary key could
not hold it): it goes to ``_rejects`` with the raw record it came from, its endpoint and why.
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from transforms.coerce import typed_table
from transforms.columns import MISSING, Frame, Part, Walker, spread
from transforms.merge import RANK, SEQ, merge_rows
from transforms.normalize import Drift, Normalizer, to_arrow
from transforms.schemas import STR, TS, Registry, Table

MEMBER_RANK = 0
LISTING_RANK = 1
THIN_RANK = 2
BATCH_ROWS = 2000  # records waiting, all tables together, before they are walked
BOOKKEEPING = {"_extracted_at": TS, RANK: pa.int8(), SEQ: pa.int64()}
REJECTS_NAME = "_rejects"
REJECT_COLUMNS = {"table": STR, "endpoint": STR, "reason": STR, "raw": STR,
                  "_run_id": STR, "_extracted_at": TS}
REJECTS = Table(REJECTS_NAME, key=("table", "raw"), partition=("account_id",),
                columns=REJECT_COLUMNS, doc="rows whose key was null: raw record, endpoint, why")


def rejects_table(account_column: str) -> Table:
    """``_rejects`` partitioned by the family's account column."""
    return Table(REJECTS_NAME, key=REJECTS.key, partition=(account_column,),
                 columns=REJECT_COLUMNS, doc=REJECTS.doc)


@dataclass(frozen=True)
class Partition:
    table: Table
    values: tuple[tuple[str, Any], ...]
    data: pa.Table

    @property
    def mapping(self) -> dict[str, Any]:
        return dict(self.values)


@dataclass(frozen=True)
class Segment:
    """One ``add``: a page's records of one table with what every row of it shares."""

    records: list[Mapping[str, Any]]
    ctx: Mapping[str, Any]
    constants: Mapping[str, Any]
    stamp: dict[str, Any]
    source: str


class Shaper:
    """Thread-safe accumulator of typed batches for the selected tables of one run.

    Pages wait per table as they came; once ``BATCH_ROWS`` records wait in all, each table's
    records are walked column-wise (``transforms.columns``) into typed Arrow tables, child
    tables included. A batch the columnar walk cannot take (a record of a layout too many,
    a null key to set aside) is walked row by row instead, with the same result. Many small
    Arrow tables cost more in per-array overhead than the data itself, so batches are kept
    few; partitions are split off only when written.
    """

    def __init__(self, registry: Registry, tables: Iterable[str], run_id: str,
                 batch_rows: int = BATCH_ROWS) -> None:
        self.registry = registry
        self.tables = set(tables)
        self.run_id = run_id
        self.batch_rows = batch_rows
        self.normalizer = Normalizer(registry)
        self.walker = Walker(self.normalizer)
        self.drift = Drift()
        self._pending: dict[str, list[Segment]] = defaultdict(list)
        self._batches: dict[str, list[pa.Table]] = defaultdict(list)
        self._seq = 0
        self._waiting = 0
        self._lock = threading.Lock()
        self._rejects: list[dict[str, Any]] = []

    def add(self, table: str, records: list[Mapping[str, Any]], ctx: Mapping[str, Any],
            constants: Mapping[str, Any], *, member: bool, fetched_at: datetime,
            thin: bool = False, source: str = "") -> None:
        """Queue one page's records of ``table``; they are walked with their batch, so the
        records are kept as handed over (a page's records are never changed afterwards)."""
        rank = THIN_RANK if thin else MEMBER_RANK if member else LISTING_RANK
        with self._lock:
            self._seq += 1
            stamp = {"_extracted_at": fetched_at, RANK: rank, SEQ: self._seq}
            self._pending[table].append(Segment(list(records), dict(ctx), dict(constants), stamp,
                                                source))
            self._waiting += len(records)
            if self._waiting >= self.batch_rows:
                self._flush_all()

    def _flush_all(self) -> None:
        for name in list(self._pending):
            self._flush(name)

    def _flush(self, table: str) -> None:
        segments = self._pending.pop(table, [])
        self._waiting -= sum(len(s.records) for s in segments)
        if not segments:
            return
        frames = self._columnar(table, segments)
        if frames is None:
            self._row_by_row(table, segments)
            return
        lineage = {"_run_id": self.run_id}
        stamps = {column: pa.array([s.stamp[column] for s in segments], kind)
                  for column, kind in BOOKKEEPING.items()}
        for name, frame in frames.items():
            spec = self.normalizer.table(name)
            if not self._selected(spec) or not frame.n:
                continue
            origin = pa.array(frame.origin, pa.int32())
            typed = {column: stamp.take(origin) for column, stamp in stamps.items()}
            data = typed_table(spec, frame.n, frame.columns, lineage, self.drift, typed)
            self._batches[name].append(data if frame.order is None else data.take(frame.order))

    def _columnar(self, table: str, segments: list[Segment]) -> dict[str, Frame] | None:
        """Every table's rows of these pages as frames; None when a record fits no layout
        or a row has a null key (the row-by-row walk sets it aside with its raw record)."""
        records = [r for s in segments for r in s.records]
        origin = [k for k, s in enumerate(segments) for _ in s.records]
        names = dict.fromkeys(name for s in segments for name in s.constants)
        fixed = {name: spread([s.constants.get(name, MISSING) for s in segments], origin)
                 for name in names}
        parts: dict[str, list[Part]] = {}
        if not self.walker.walk(self.normalizer.table(table), records, origin,
                                [s.ctx for s in segments], fixed, parts):
            return None
        frames = {name: Frame.of(found) for name, found in parts.items()}
        for name, frame in frames.items():
            for key in self.normalizer.table(name).key if frame.n else ():
                values = frame.columns.get(key)
                if values is None or None in values:
                    return None
        return frames

    def _row_by_row(self, table: str, segments: list[Segment]) -> None:
        """``Normalizer.rows`` page by page: the reference walk, and the one that rejects."""
        pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for segment in segments:
            rows = self.normalizer.rows(table, segment.records, segment.ctx, segment.constants)
            if any(r.get(k) is None for n, rs in rows.items()
                   for k in self.normalizer.table(n).key for r in rs):
                rows = self._without_keyless(table, segment.records, segment.ctx,
                                             segment.constants, segment.source,
                                             segment.stamp["_extracted_at"])
            for name, table_rows in rows.items():
                if not self._selected(self.normalizer.table(name)):
                    continue
                for row in table_rows:
                    row.update(segment.stamp)
                pending[name].extend(table_rows)
        lineage = {"_run_id": self.run_id}
        for name, rows in pending.items():
            if rows:
                self._batches[name].append(
                    to_arrow(self.normalizer.table(name), rows, lineage, self.drift,
                             BOOKKEEPING))

    def _keyless(self, name: str, row: Mapping[str, Any]) -> list[str]:
        return [k for k in self.normalizer.table(name).key if row.get(k) is None]

    def _without_keyless(self, table: str, records: list[Mapping[str, Any]],
                         ctx: Mapping[str, Any], constants: Mapping[str, Any], source: str,
                         fetched_at: datetime) -> dict[str, list[dict[str, Any]]]:
        """Shape record by record, so each keyless row is set aside with its raw record."""
        kept: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for record in records:
            raw: str | None = None
            for name, rows in self.normalizer.rows(table, [record], ctx, constants).items():
                if not self._selected(self.normalizer.table(name)):
                    continue
                for row in rows:
                    missing = self._keyless(name, row)
                    if not missing:
                        kept[name].append(row)
                        continue
                    raw = raw or self._raw(table, record)
                    self._rejects.append({
                        "table": name, "endpoint": source,
                        "reason": f"null key: {', '.join(missing)}", "raw": raw,
                        "_run_id": self.run_id, "_extracted_at": fetched_at})
        return kept

    def _raw(self, table: str, record: Mapping[str, Any]) -> str:
        """The record as JSON without the fields its table drops: some are credentials (a
        calendar's webcal ``token``, a chatbot's keyed ``lines_url``) and must not land here."""
        dropped = self.normalizer.table(table).drop
        kept = {k: v for k, v in record.items() if k not in dropped}
        return json.dumps(kept, sort_keys=True, default=str)

    def rejects(self) -> pa.Table:
        """Every row set aside for a null key, one row per (table, raw record)."""
        with self._lock:
            self._flush_all()
            found = list({(r["table"], r["raw"]): r for r in self._rejects}.values())
        columns = {name: pa.array([r[name] for r in found], kind)
                   for name, kind in REJECT_COLUMNS.items()}
        return pa.table(columns)

    def _selected(self, spec: Table) -> bool:
        return spec.name in self.tables or (spec.child_of in self.tables
                                            and spec.name not in self.registry)

    def table_names(self) -> list[str]:
        with self._lock:
            self._flush_all()
        return sorted(self._batches)

    def partitions(self, name: str, depth: int | None = None) -> Iterator[Partition]:
        """Merged rows of each partition of ``name``, in partition order.

        Keys are unique across a table's partitions, so the merge runs once per table; the
        partitions are then contiguous slices of the result sorted by partition and key.
        ``depth`` groups by the first partition columns only (1: one slice per account, still
        sorted by project then key), for layouts that keep a whole account in one slot.
        """
        with self._lock:
            self._flush_all()
        batches = self._batches.get(name)
        if not batches:
            return
        spec = self.normalizer.table(name)
        columns = list(spec.partition)[:depth]
        merged = merge_rows(spec, _unify(batches), order=(*spec.partition, *spec.key))
        if not columns:
            yield Partition(spec, (), merged)
            return
        runs = merged.select(columns).group_by(columns, use_threads=False).aggregate(
            [([], "count_all")])
        order = runs.sort_by([(c, "ascending") for c in columns]).to_pylist()
        offset = 0
        for run in order:
            count = run.pop("count_all")
            yield Partition(spec, tuple(run.items()), merged.slice(offset, count))
            offset += count

    def release(self, name: str) -> None:
        """Drop a table's batches once written, so memory falls as the run finishes."""
        self._batches.pop(name, None)
        self._pending.pop(name, None)


def _unify(batches: list[pa.Table]) -> pa.Table:
    """Concatenate; undeclared columns whose inferred types disagree become text."""
    if len(batches) == 1:
        return batches[0]
    if all(b.schema.equals(batches[0].schema) for b in batches[1:]):
        return pa.concat_tables(batches)
    try:
        return pa.concat_tables(batches, promote_options="permissive")
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        kinds: dict[str, set[pa.DataType]] = defaultdict(set)
        for b in batches:
            for f in b.schema:
                kinds[f.name].add(f.type)
        clash = {n for n, k in kinds.items() if len(k - {pa.null()}) > 1}
        fixed = [b.cast(pa.schema([(f.name, STR if f.name in clash else f.type)
                                   for f in b.schema])) for b in batches]
        return pa.concat_tables(fixed, promote_options="permissive")
