"""Pages in, typed and merged partitions out: the shape step of fetch -> shape -> store.

Every page becomes small typed Arrow tables as soon as it arrives (so a run never holds raw JSON
for more than one page); at the end each (table, partition) is concatenated and merged by key.
The same code shapes live pages and pages replayed from a raw spool.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from transforms.merge import RANK, SEQ, merge_rows
from transforms.normalize import Drift, Normalizer, to_arrow
from transforms.schemas import STR, Registry, Table

MEMBER_RANK = 0
LISTING_RANK = 1


@dataclass(frozen=True)
class Partition:
    table: Table
    values: tuple[tuple[str, Any], ...]
    data: pa.Table

    @property
    def mapping(self) -> dict[str, Any]:
        return dict(self.values)


class Shaper:
    """Thread-safe accumulator of typed batches for the selected tables of one run."""

    def __init__(self, registry: Registry, tables: Iterable[str], run_id: str) -> None:
        self.registry = registry
        self.tables = set(tables)
        self.run_id = run_id
        self.normalizer = Normalizer(registry)
        self.drift = Drift()
        self._batches: dict[str, dict[tuple, list[pa.Table]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._seq = 0
        self._lock = threading.Lock()

    def add(self, table: str, records: list[Mapping[str, Any]], ctx: Mapping[str, Any],
            constants: Mapping[str, Any], *, member: bool, fetched_at: datetime) -> None:
        lineage = {"_run_id": self.run_id, "_extracted_at": fetched_at}
        with self._lock:
            rows = self.normalizer.rows(table, records, ctx, constants)
            for name, table_rows in rows.items():
                spec = self.normalizer.table(name)
                if not self._selected(spec):
                    continue
                data = to_arrow(spec, table_rows, lineage, self.drift)
                self._seq += 1
                data = data.append_column(
                    RANK, pa.array([MEMBER_RANK if member else LISTING_RANK] * data.num_rows,
                                   pa.int8()))
                data = data.append_column(SEQ, pa.array([self._seq] * data.num_rows, pa.int64()))
                key = tuple((c, ctx.get(c)) for c in spec.partition)
                self._batches[name][key].append(data)

    def _selected(self, spec: Table) -> bool:
        return spec.name in self.tables or (spec.child_of in self.tables
                                            and spec.name not in self.registry)

    def table_names(self) -> list[str]:
        return sorted(self._batches)

    def partitions(self, name: str) -> Iterator[Partition]:
        spec = self.normalizer.table(name)
        for key, batches in sorted(self._batches[name].items(), key=lambda kv: str(kv[0])):
            yield Partition(spec, key, merge_rows(spec, _unify(batches)))

    def release(self, name: str) -> None:
        """Drop a table's batches once written, so memory falls as the run finishes."""
        self._batches.pop(name, None)


def _unify(batches: list[pa.Table]) -> pa.Table:
    """Concatenate; undeclared columns whose inferred types disagree become text."""
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
