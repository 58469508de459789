"""Raw records -> flat rows per table -> typed Arrow tables.

Flattening is driven by each value's JSON type, which is what makes BC2's polymorphic fields
come out right without special cases: an object flattens into ``parent__child`` columns (the
project member's ``attachments`` summary), a list becomes rows of a child table (a forward's
``attachments``), a scalar stays a column (a topic's ``attachments`` count). Coercion to the
declared type is by rule: ``false`` in a timestamp or date column is null (``completed_at``),
date-only values in ``date_or_time`` columns move to their date twin. A value that cannot be
coerced is not dropped: it is kept verbatim, as JSON, in the row's ``_unparsed`` column.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms.richtext import html_to_text
from transforms.schemas import (
    BOOL,
    DATE,
    FLOAT,
    ORDINAL,
    STR,
    TS,
    Child,
    Registry,
    Table,
)

DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE_STRINGS = {"true": True, "false": False}

Rows = dict[str, list[dict[str, Any]]]


@dataclass
class Drift:
    """Columns and child tables the schema does not declare; reported in the manifest."""

    columns: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    tables: set[str] = field(default_factory=set)
    unparsed: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def merge(self, other: Drift) -> None:
        for t, names in other.columns.items():
            self.columns[t] |= names
        self.tables |= other.tables
        for t, n in other.unparsed.items():
            self.unparsed[t] += n

    def as_dict(self) -> dict[str, Any]:
        return {
            "new_columns": {t: sorted(c) for t, c in sorted(self.columns.items()) if c},
            "new_tables": sorted(self.tables),
            "unparsed_values": dict(sorted(self.unparsed.items())),
        }


class Normalizer:
    """Splits records into rows of their table, child tables and first-class embedded tables."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._auto: dict[str, Table] = {}

    def table(self, name: str) -> Table:
        return self.registry.get(name) or self._auto[name]

    def rows(self, table_name: str, records: Iterable[Mapping[str, Any]],
             ctx: Mapping[str, Any], constants: Mapping[str, Any] | None = None) -> Rows:
        out: Rows = defaultdict(list)
        table = self.table(table_name)
        for record in records:
            self._walk(table, record, ctx, dict(constants or {}), out)
        return out

    def _walk(self, table: Table, record: Mapping[str, Any], ctx: Mapping[str, Any],
              fixed: dict[str, Any], out: Rows) -> None:
        row: dict[str, Any] = {}
        lists: dict[str, list[Any]] = {}
        _flatten(record, "", row, lists, table.drop)
        for old, new in table.rename.items():
            if old in row:
                row[new] = row.pop(old)
        for moment, day in table.date_or_time.items():
            _split_date_or_time(row, moment, day)
        for html, text in table.text_companions.items():
            if isinstance(row.get(html), str) and text not in row:
                row[text] = html_to_text(row[html])
        for id_column, label in table.system_labels.items():
            _split_system_id(row, id_column, label)
        for name in table.context_columns:
            row[name] = ctx.get(name)
        row.update(fixed)
        out[table.name].append(row)
        for name, items in lists.items():
            for child_spec in table.child_specs(name) or (self._undeclared_child(table, name),):
                self._walk_list(child_spec, items, row, ctx, out)

    def _walk_list(self, child_spec: Child, items: list[Any], row: dict[str, Any],
                   ctx: Mapping[str, Any], out: Rows) -> None:
        child = self.table(child_spec.table)
        keys = {c: row.get(p) for c, p in child_spec.parent_key.items()}
        for position, item in enumerate(items):
            if child_spec.where and not (isinstance(item, dict) and child_spec.accepts(item)):
                continue
            extra = {**keys, **child_spec.constants}
            if child.child_of:
                extra[ORDINAL] = position
            if isinstance(item, dict) and not child.scalar_values:
                self._walk(child, item, ctx, extra, out)
            else:
                scalar = {"value": item, **extra}
                scalar.update({c: ctx.get(c) for c in child.context_columns})
                out[child.name].append(scalar)

    def _undeclared_child(self, parent: Table, name: str) -> Child:
        """A list the schema does not know: keep it in an inferred child table (drift)."""
        child_name = f"{parent.name}__{name}"
        if child_name not in self._auto and child_name not in self.registry:
            key = {f"parent_{k}": k for k in parent.key}
            self._auto[child_name] = Table(
                child_name, key=(*key, ORDINAL), partition=parent.partition, columns={},
                child_of=parent.name, declared_schema=False, doc="undeclared list (drift)",
            )
        return Child(child_name, {f"parent_{k}": k for k in parent.key})


def _flatten(obj: Mapping[str, Any], prefix: str, row: dict[str, Any],
             lists: dict[str, list[Any]], drop: frozenset[str]) -> None:
    for key, value in obj.items():
        name = prefix + key
        if name in drop:
            continue
        if isinstance(value, dict):
            _flatten(value, name + "__", row, lists, drop)
        elif isinstance(value, list):
            lists[name] = value
        else:
            row[name] = value


def _split_system_id(row: dict[str, Any], id_column: str, label: str) -> None:
    """System actors ("campfire", "basecamp") have word ids: keep the word, leave the id null."""
    value = row.get(id_column)
    if isinstance(value, str) and not value.strip().lstrip("-").isdigit():
        row[label] = value
        row[id_column] = None


def _split_date_or_time(row: dict[str, Any], moment: str, day: str) -> None:
    """All-day values are dates: keep them as dates, never as a midnight in some zone."""
    value = row.get(moment)
    if isinstance(value, str):
        row[day] = value[:10]
        if DATE_ONLY.match(value):
            row[moment] = None


def to_arrow(table: Table, rows: list[dict[str, Any]], lineage: Mapping[str, Any],
             drift: Drift, typed: Mapping[str, pa.DataType] | None = None) -> pa.Table:
    """Build the declared columns (in declared order), then any undeclared ones, sorted.

    ``lineage`` holds values shared by every row (``_run_id``); ``typed`` names columns the
    rows already carry in their final Python form (``_extracted_at`` per page, bookkeeping),
    taken as they are.
    """
    typed = typed or {}
    declared = table.declared()
    unparsed: list[dict[str, Any] | None] = [None] * len(rows)
    arrays = _declared_arrays(declared, rows, lineage, typed, unparsed)
    extra = sorted({k for r in rows for k in r} - set(declared) - set(typed))
    _note_drift(table, extra, unparsed, drift)
    for name in extra:
        arrays[name] = infer([r.get(name) for r in rows])
    arrays["_unparsed"] = pa.array(
        [json.dumps(u, sort_keys=True, default=str) if u else None for u in unparsed], STR
    )
    for name, kind in typed.items():
        if name not in declared:
            arrays[name] = pa.array([r.get(name) for r in rows], kind)
    ordered = [n for n in declared if n in arrays] + extra
    ordered += [n for n in typed if n not in declared]
    return pa.table([arrays[n] for n in ordered], names=ordered)


def _declared_arrays(declared: Mapping[str, pa.DataType], rows: list[dict[str, Any]],
                     lineage: Mapping[str, Any], typed: Mapping[str, pa.DataType],
                     unparsed: list[dict[str, Any] | None]) -> dict[str, pa.Array]:
    """Lineage values repeat, typed columns are taken as they are, the rest are coerced."""
    arrays: dict[str, pa.Array] = {}
    for name, kind in declared.items():
        if name in lineage:
            arrays[name] = pa.array([lineage[name]] * len(rows), kind)
        elif name in typed:
            arrays[name] = pa.array([r.get(name) for r in rows], kind)
        elif name != "_unparsed":
            arrays[name] = coerce([r.get(name) for r in rows], kind, name, unparsed)
    return arrays


def _note_drift(table: Table, extra: list[str], unparsed: list[dict[str, Any] | None],
                drift: Drift) -> None:
    """An undeclared table, undeclared columns and misfit values all go to the manifest."""
    if not table.declared_schema:
        drift.tables.add(table.name)
    elif extra:
        drift.columns[table.name].update(extra)
    bad = sum(1 for u in unparsed if u)
    if bad:
        drift.unparsed[table.name] += bad


Reject = Callable[[int, Any], None]
Converter = Callable[[list[Any], pa.DataType, str, Reject], pa.Array]


def coerce(values: list[Any], kind: pa.DataType, name: str,
           unparsed: list[dict[str, Any] | None]) -> pa.Array:
    """Turn JSON values into one Arrow array of ``kind``; misfits go to ``unparsed``."""
    def reject(i: int, value: Any) -> None:
        unparsed[i] = {**(unparsed[i] or {}), name: value}

    converter = INTEGER if pa.types.is_integer(kind) else CONVERTERS.get(kind)
    if converter is None:
        raise TypeError(f"no coercion rule for {kind} ({name})")
    return converter(values, kind, name, reject)


def _moments(values: list[Any], kind: pa.DataType, name: str, reject: Reject) -> pa.Array:
    """``false`` and ``""`` in a timestamp or date column are null; a date keeps its day."""
    clean: list[Any] = []
    for i, v in enumerate(values):
        if v is None or v is False or v == "":
            clean.append(None)
        elif isinstance(v, str):
            clean.append(v[:10] if kind == DATE else v)
        else:
            reject(i, v)
            clean.append(None)
    return _cast_strings(clean, kind, name, reject)


def _booleans(values: list[Any], kind: pa.DataType, name: str, reject: Reject) -> pa.Array:
    clean: list[Any] = []
    for i, v in enumerate(values):
        if v is None or isinstance(v, bool):
            clean.append(v)
        elif isinstance(v, str) and v.lower() in TRUE_STRINGS:
            clean.append(TRUE_STRINGS[v.lower()])
        else:
            reject(i, v)
            clean.append(None)
    return pa.array(clean, BOOL)


def _strings(values: list[Any], kind: pa.DataType, name: str, reject: Reject) -> pa.Array:
    """Text stays text; anything else is kept as its JSON."""
    return pa.array(
        [v if v is None or isinstance(v, str) else json.dumps(v) for v in values], STR
    )


def _numbers(values: list[Any], kind: pa.DataType, name: str, reject: Reject) -> pa.Array:
    clean: list[Any] = []
    for i, v in enumerate(values):
        number = _number(v, integer=kind != FLOAT)
        if number is None and v is not None:
            reject(i, v)
        clean.append(number)
    return pa.array(clean, kind)


INTEGER: Converter = _numbers
CONVERTERS: dict[pa.DataType, Converter] = {
    TS: _moments,
    DATE: _moments,
    BOOL: _booleans,
    STR: _strings,
    FLOAT: _numbers,
}


def _number(value: Any, *, integer: bool) -> int | float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if integer and value.is_integer() else (None if integer else value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text) if integer else float(text)
        except ValueError:
            return None
    return None


def _cast_strings(clean: list[str | None], kind: pa.DataType, name: str,
                  reject: Reject) -> pa.Array:
    """Vectorised ISO-8601 parse; on a bad value fall back to one-by-one to find it."""
    strings = pa.array(clean, STR)
    try:
        return pc.cast(strings, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        out: list[Any] = []
        for i, v in enumerate(clean):
            if v is None:
                out.append(None)
                continue
            try:
                out.append(pc.cast(pa.array([v], STR), kind)[0].as_py())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                reject(i, v)
                out.append(None)
        return pa.array(out, kind)


def infer(values: list[Any]) -> pa.Array:
    """Type an undeclared column from its values; mixed types fall back to JSON text."""
    present = [v for v in values if v is not None]
    if not present:
        return pa.array(values, STR)
    kinds = {type(v) for v in present}
    if kinds == {bool}:
        return pa.array(values, BOOL)
    if kinds == {int}:
        return pa.array(values, pa.int64())
    if kinds <= {int, float}:
        return pa.array([None if v is None else float(v) for v in values], FLOAT)
    return pa.array([v if v is None or isinstance(v, str) else json.dumps(v) for v in values],
                    STR)

