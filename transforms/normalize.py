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

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from transforms.coerce import typed_table
from transforms.drift import Drift
from transforms.richtext import html_to_text
from transforms.schemas import ORDINAL, Child, Registry, Table

__all__ = ["Drift", "Normalizer", "to_arrow"]

DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Rows = dict[str, list[dict[str, Any]]]


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
    """Rows as dicts -> the typed table (``transforms.coerce.typed_table``); ``typed`` names
    columns the rows already carry in their final Python form, taken as they are."""
    typed = typed or {}
    names = {k for r in rows for k in r}
    columns = {name: [r.get(name) for r in rows] for name in names if name not in typed}
    built = {name: pa.array([r.get(name) for r in rows], kind) for name, kind in typed.items()}
    return typed_table(table, len(rows), columns, lineage, drift, built)
