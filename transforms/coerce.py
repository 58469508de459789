"""Raw JSON values -> typed Arrow columns, by rule; and a batch's columns -> its typed table.

Coercion to the declared type is by rule: ``false`` in a timestamp or date column is null
(``completed_at``), text becomes numbers, booleans or times where it reads as one, anything
else that does not fit is not dropped but kept verbatim, as JSON, in the row's ``_unparsed``
column. Most columns already hold their type, and those convert in one C pass (``_fast``);
the rules below run only for a column that needs them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms.drift import Drift
from transforms.schemas import BOOL, DATE, FLOAT, STR, TS, Table

TRUE_STRINGS = {"true": True, "false": False}
NUMERIC = (pa.int64(), pa.float64(), pa.null())
WHOLE = (pa.int64(), pa.null())
Columns = Mapping[str, list[Any]]


def typed_table(table: Table, n: int, columns: Columns, lineage: Mapping[str, Any],
                drift: Drift, typed: Mapping[str, pa.Array] | None = None) -> pa.Table:
    """Build the declared columns (in declared order), then any undeclared ones, sorted.

    ``columns`` holds every column some row has (raw values, None where a row lacks it);
    ``lineage`` holds values shared by every row (``_run_id``); ``typed`` holds columns
    already built (``_extracted_at`` per page, bookkeeping), taken as they are.
    """
    typed = typed or {}
    declared = table.declared()
    unparsed: list[dict[str, Any] | None] = [None] * n
    arrays: dict[str, pa.Array] = {}
    for name, kind in declared.items():
        if name in lineage:
            arrays[name] = pa.array([lineage[name]] * n, kind)
        elif name in typed:
            arrays[name] = typed[name]
        elif name != "_unparsed":
            values = columns.get(name)
            arrays[name] = pa.nulls(n, kind) if values is None else \
                coerce(values, kind, name, unparsed)
    extra = sorted(set(columns) - set(declared) - set(typed))
    _note_drift(table, extra, unparsed, drift)
    for name in extra:
        arrays[name] = infer(columns[name])
    arrays["_unparsed"] = pa.array(
        [json.dumps(u, sort_keys=True, default=str) if u else None for u in unparsed], STR
    )
    for name, array in typed.items():
        if name not in declared:
            arrays[name] = array
    ordered = [n for n in declared if n in arrays] + extra
    ordered += [n for n in typed if n not in declared]
    return pa.table([arrays[n] for n in ordered], names=ordered)


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
    fast = _fast(values, kind)
    return fast if fast is not None else converter(values, kind, name, reject)


def _fast(values: list[Any], kind: pa.DataType) -> pa.Array | None:
    """The column in one C pass when every value already has its type; else None.

    Arrow converts text and booleans exactly as the rules below keep them and refuses
    anything else. Numbers are inferred first, because Arrow would read ``true`` as 1.0 in a
    float column and truncate 1.5 in an integer one (the rules reject both), and text bound
    for a time column still needs ``""`` nulled and a parse. Text read from XML (Backpack's
    ids, counts and flags) takes Arrow's parse, which accepts only what the rules accept the
    same way: plain decimal digits, ``true`` and ``false`` in any case; anything else (spaces
    around a number, other digits) goes to the rules.
    """
    try:
        if kind == FLOAT:
            inferred = pa.array(values)
            return inferred.cast(FLOAT) if inferred.type in NUMERIC else None
        if kind in (TS, DATE):
            return _fast_moments(pa.array(values, STR), kind)
        if pa.types.is_integer(kind):
            inferred = pa.array(values)
            return inferred.cast(kind) if inferred.type in WHOLE or inferred.type == STR \
                else None
        if kind == BOOL:
            return _fast_booleans(values)
        return pa.array(values, kind)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return None


def _fast_booleans(values: list[Any]) -> pa.Array | None:
    """Booleans as they are, or text that is all ``true``/``false`` (any case)."""
    try:
        return pa.array(values, BOOL)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        lowered = pc.utf8_lower(pa.array(values, STR))
        truth = pc.equal(lowered, "true")
        known = pc.or_(truth, pc.equal(lowered, "false"))
        return truth if known.true_count == len(values) - lowered.null_count else None


def _fast_moments(strings: pa.Array, kind: pa.DataType) -> pa.Array:
    """``_moments`` over a column of text: ``""`` is null, a date keeps its first ten
    characters, and the ISO parse is Arrow's (a value it refuses sends the column to the
    one-by-one rules, which name the culprit)."""
    if strings.null_count < len(strings):
        blank = pc.equal(strings, "")
        if blank.true_count:
            strings = pc.if_else(blank, pa.scalar(None, STR), strings)
        if kind == DATE:
            strings = pc.utf8_slice_codeunits(strings, 0, 10)
    return pc.cast(strings, kind)


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
    """Numbers and numeric text; an integer the column's type cannot hold is a misfit too."""
    low, high = _bounds(kind)
    clean: list[Any] = []
    for i, v in enumerate(values):
        number = _number(v, integer=kind != FLOAT)
        if number is not None and not low <= number <= high:
            number = None
        if number is None and v is not None:
            reject(i, v)
        clean.append(number)
    return pa.array(clean, kind)


def _bounds(kind: pa.DataType) -> tuple[float, float]:
    if not pa.types.is_integer(kind):
        return -math.inf, math.inf
    if pa.types.is_unsigned_integer(kind):
        return 0, 2 ** kind.bit_width - 1
    return -(2 ** (kind.bit_width - 1)), 2 ** (kind.bit_width - 1) - 1


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

