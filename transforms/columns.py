"""The columnar walk: a batch of records -> each table's rows as columns of raw values.

The rules are ``Normalizer._walk``'s (transforms/normalize.py), applied to whole columns.
Records flatten through their layout's compiled extractor (transforms/plans.py). The rules
that ask whether a row *has* a field (a rename, a plain-text twin the source already sends)
are answered once per layout, and the value rules (date-or-time, plain text, system actors,
context, fixed values, child lists) run once per column. The result equals the per-row walk's
rows: each ``Part`` keeps the permutation that puts its rows back in arrival order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from transforms.normalize import DATE_ONLY, Normalizer
from transforms.plans import Plans
from transforms.richtext import texts
from transforms.schemas import ORDINAL, Child, Table

MISSING: Any = object()  # a fixed value this row does not get (its page had no such constant)
Columns = dict[str, Sequence[Any]]
Fixed = Mapping[str, list[Any]]


@dataclass
class Part:
    """Rows of one table from one walk: raw columns (None where a row lacks a field), the
    segment (page) each row came from, and each row's arrival position."""

    n: int
    columns: Columns
    origin: list[int]
    arrival: list[int]


@dataclass
class Frame:
    """A table's rows of one batch, in arrival order once ``order`` is applied."""

    n: int
    columns: Columns
    origin: list[int]
    order: np.ndarray | None

    @classmethod
    def of(cls, parts: Sequence[Part]) -> Frame:
        n = sum(p.n for p in parts)
        names = dict.fromkeys(name for p in parts for name in p.columns)
        columns = {name: _concat([(p.n, p.columns.get(name)) for p in parts])
                   for name in names}
        origin = [o for p in parts for o in p.origin]
        keys, offset = [], 0
        for part in parts:
            keys.append(np.asarray(part.arrival, dtype=np.int64) + offset)
            offset += part.n
        arrival = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
        in_order = bool(np.all(arrival[1:] > arrival[:-1]))
        return cls(n, columns, origin, None if in_order else np.argsort(arrival, kind="stable"))


class Walker:
    """Walks batches of one run; remembers each table's layouts across batches."""

    def __init__(self, normalizer: Normalizer) -> None:
        self.normalizer = normalizer
        self._plans: dict[str, Plans] = {}

    def walk(self, table: Table, records: Sequence[Mapping[str, Any]], origin: Sequence[int],
             ctxs: Sequence[Mapping[str, Any]], fixed: Fixed,
             out: dict[str, list[Part]]) -> bool:
        """Append the rows of ``records`` (and their child rows) to ``out``; False when a
        record fits no layout within ``plans.MAX_PLANS`` (the caller walks row by row)."""
        groups = self._group(table, records)
        if groups is None:
            return False
        order = [i for idx, _, _ in groups for i in idx]
        n = len(order)
        columns = {name: _concat([(len(idx), cols.get(name)) for idx, cols, _ in groups])
                   for name in dict.fromkeys(c for _, cols, _ in groups for c in cols)}
        lists = {name: _concat([(len(idx), found.get(name)) for idx, _, found in groups])
                 for name in dict.fromkeys(c for _, _, found in groups for c in found)}
        row_origin = [origin[i] for i in order]
        _system_labels(table, columns, n)
        for name in table.context_columns:
            columns[name] = spread([c.get(name) for c in ctxs], row_origin)
        _apply_fixed(columns, fixed, order, n)
        out.setdefault(table.name, []).append(Part(n, columns, row_origin, order))
        if not lists:
            return True
        rows_by_arrival = [0] * n
        for k, i in enumerate(order):
            rows_by_arrival[i] = k
        for name, values in lists.items():
            specs = table.child_specs(name) or (self.normalizer._undeclared_child(table, name),)
            for spec in specs:
                if not self._children(spec, values, rows_by_arrival, columns, row_origin,
                                      ctxs, out):
                    return False
        return True

    def _group(self, table: Table, records: Sequence[Mapping[str, Any]]
               ) -> list[tuple[list[int], Columns, Columns]] | None:
        """Records by layout: (arrival positions, scalar columns, list columns) per layout,
        with the rules that depend on which fields a layout has already applied."""
        plans = self._plans.get(table.name)
        if plans is None:
            plans = self._plans[table.name] = Plans(table.drop)
        fit = plans.fit
        found: dict[int, tuple[list[int], list[tuple[Any, ...]], list[tuple[Any, ...]]]] = {}
        for i, record in enumerate(records):
            hit = fit(record)
            if hit is None:
                return None
            number, (scalars, lists) = hit
            group = found.get(number)
            if group is None:
                group = found[number] = ([], [], [])
            group[0].append(i)
            group[1].append(scalars)
            group[2].append(lists)
        out = []
        for number, (idx, scalars, lists) in found.items():
            plan = plans.known[number]
            out.append((idx, _layout_rules(table, _transpose(plan.columns, scalars), len(idx)),
                        _transpose(plan.lists, lists)))
        return out

    def _children(self, spec: Child, lists: list[Any], rows_by_arrival: list[int],
                  parent: Columns, parent_origin: list[int], ctxs: Sequence[Mapping[str, Any]],
                  out: dict[str, list[Part]]) -> bool:
        """A list's items as rows of its child table: objects walk as records, the rest
        become ``value`` rows; each carries its parent's key and its list position."""
        child = self.normalizer.table(spec.table)
        nested = not child.scalar_values
        objects: tuple[list[Any], list[int], list[int]] = ([], [], [])
        scalars: tuple[list[Any], list[int], list[int]] = ([], [], [])
        for k in rows_by_arrival:
            items = lists[k]
            if not items:
                continue
            for position, item in enumerate(items):
                is_object = isinstance(item, dict)
                if spec.where and not (is_object and spec.accepts(item)):
                    continue
                into = objects if nested and is_object else scalars
                into[0].append(item)
                into[1].append(k)
                into[2].append(position)
        if objects[0]:
            items, rows, positions = objects
            fixed = _child_fixed(spec, child, parent, rows, positions)
            origin = [parent_origin[k] for k in rows]
            if not self.walk(child, items, origin, ctxs, fixed, out):
                return False
        if scalars[0]:
            items, rows, positions = scalars
            columns: Columns = {"value": items}
            columns.update(_child_fixed(spec, child, parent, rows, positions))
            origin = [parent_origin[k] for k in rows]
            for name in child.context_columns:
                columns[name] = spread([c.get(name) for c in ctxs], origin)
            out.setdefault(child.name, []).append(
                Part(len(items), columns, origin, list(range(len(items)))))
        return True


def _transpose(names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Columns:
    """Rows of one layout (tuples in ``names`` order) as columns (tuples: never edited in
    place, a rule that changes a column builds a new one)."""
    if not names:
        return {}
    return dict(zip(names, zip(*rows, strict=False), strict=True))  # equal rows: one layout


def _layout_rules(table: Table, cols: Columns, n: int) -> Columns:
    """The rules that ask which fields a row has, for the rows of one layout: renames,
    date-or-time splits, and plain-text twins the source does not already send."""
    for old, new in table.rename.items():
        if old in cols:
            cols[new] = cols.pop(old)
    for moment, day in table.date_or_time.items():
        _date_or_time(cols, moment, day, n)
    for html, text in table.text_companions.items():
        if text not in cols and html in cols:
            _plain_text(cols, html, text)
    return cols


def _child_fixed(spec: Child, child: Table, parent: Columns, rows: list[int],
                 positions: list[int]) -> Columns:
    """The parent key (from the parent row as shaped), the spec's constants, the position."""
    fixed: Columns = {}
    for column, parent_column in spec.parent_key.items():
        values = parent.get(parent_column)
        fixed[column] = [values[k] for k in rows] if values is not None else [None] * len(rows)
    for column, value in spec.constants.items():
        fixed[column] = [value] * len(rows)
    if child.child_of:
        fixed[ORDINAL] = positions
    return fixed


def _concat(pieces: Sequence[tuple[int, list[Any] | None]]) -> list[Any]:
    """Columns of consecutive row groups as one; a group without the column gives nulls."""
    if len(pieces) == 1 and pieces[0][1] is not None:
        return pieces[0][1]
    out: list[Any] = []
    for n, values in pieces:
        out.extend(values if values is not None else [None] * n)
    return out


def spread(values: list[Any], origin: list[int]) -> list[Any]:
    """A value per segment (page), spread over the rows that came from it."""
    if len(values) == 1:
        return values * len(origin)
    return [values[o] for o in origin]


def _apply_fixed(columns: Columns, fixed: Fixed, order: list[int], n: int) -> None:
    """Fixed values win over the record's own, for the rows that have them."""
    for name, by_arrival in fixed.items():
        values = [by_arrival[i] for i in order]
        if not any(v is MISSING for v in values):
            columns[name] = values
        elif not all(v is MISSING for v in values):
            base = columns.get(name) or [None] * n
            columns[name] = [b if v is MISSING else v for v, b in zip(values, base, strict=True)]


def _holds_text(values: list[Any]) -> bool:
    """Whether any value is text (decoded JSON and XML hold plain ``str``, never a subclass)."""
    return str in set(map(type, values))


def _date_or_time(cols: Columns, moment: str, day: str, n: int) -> None:
    """``_split_date_or_time`` for a column: text gives its day; a bare date leaves no time."""
    values = cols.get(moment)
    if values is None or not _holds_text(values):
        return
    days = cols.get(day) or [None] * n
    cols[day] = [v[:10] if isinstance(v, str) else d for v, d in zip(values, days, strict=True)]
    cols[moment] = [None if isinstance(v, str) and DATE_ONLY.match(v) else v for v in values]


def _plain_text(cols: Columns, html: str, text: str) -> None:
    values = cols[html]
    if _holds_text(values):
        cols[text] = texts([v if isinstance(v, str) else None for v in values])


def _system_labels(table: Table, columns: Columns, n: int) -> None:
    """``_split_system_id`` for a column: word ids move to the label, the id goes null."""
    for id_column, label in table.system_labels.items():
        ids = columns.get(id_column)
        if ids is None or not _holds_text(ids):
            continue
        words = [isinstance(v, str) and not v.strip().lstrip("-").isdigit() for v in ids]
        if not any(words):
            continue
        labels = columns.get(label) or [None] * n
        columns[label] = [v if w else b for v, w, b in zip(ids, words, labels, strict=True)]
        columns[id_column] = [None if w else v for v, w in zip(ids, words, strict=True)]
