"""Shape records through both walks and hold them equal: what every schema test shapes with.

The row-by-row walk (``Normalizer.rows`` + ``to_arrow``) is the reference: it is the rules as
written, and the Shaper still falls back to it. The columnar walk (``transforms.columns``) is
what the Shaper runs. Every example a schema test shapes, official or hostile, is shaped both
ways and must come out the same, table for table, drift included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from transforms.coerce import typed_table
from transforms.columns import Frame, Part, Walker
from transforms.normalize import Drift, Normalizer, to_arrow
from transforms.schemas import Registry


def shape_both(registry: Registry, table: str, records: Sequence[Mapping[str, Any]],
               ctx: Mapping[str, Any], lineage: Mapping[str, Any],
               constants: Mapping[str, Any] | None = None
               ) -> tuple[dict[str, pa.Table], Drift]:
    """The row walk's tables and drift, after checking the columnar walk gives the same."""
    constants = constants or {}
    drift = Drift()
    normalizer = Normalizer(registry)
    rows = normalizer.rows(table, records, ctx, constants)
    by_row = {t: to_arrow(normalizer.table(t), r, lineage, drift) for t, r in rows.items()}
    columnar, columnar_drift = shape_columnar(registry, table, records, ctx, lineage, constants)
    assert sorted(columnar) == sorted(by_row), "the walks found different tables"
    for name, data in by_row.items():
        assert columnar[name].schema == data.schema, f"{name}: schemas differ"
        assert columnar[name].to_pylist() == data.to_pylist(), f"{name}: rows differ"
    assert columnar_drift.as_dict() == drift.as_dict()
    return by_row, drift


def shape_columnar(registry: Registry, table: str, records: Sequence[Mapping[str, Any]],
                   ctx: Mapping[str, Any], lineage: Mapping[str, Any],
                   constants: Mapping[str, Any]) -> tuple[dict[str, pa.Table], Drift]:
    drift = Drift()
    walker = Walker(Normalizer(registry))
    parts: dict[str, list[Part]] = {}
    fixed = {name: [value] * len(records) for name, value in constants.items()}
    assert walker.walk(walker.normalizer.table(table), records, [0] * len(records), [ctx],
                       fixed, parts)
    out = {}
    for name, found in parts.items():
        frame = Frame.of(found)
        if frame.n:
            data = typed_table(walker.normalizer.table(name), frame.n, frame.columns, lineage,
                               drift)
            out[name] = data if frame.order is None else data.take(frame.order)
    return out, drift
