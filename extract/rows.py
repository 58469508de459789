"""How an endpoint's answers become rows: the one reading of ``unwrap``, ``reshape`` and
``row_ctx`` (see ``extract.catalog.Endpoint``).

The crawl takes a page's records through ``unwrapped`` and binds children with ``record_ctx``;
live shaping and replay (``shape_from_raw``) both hand those records to ``shape_page``. No other
module reads those three fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from extract.catalog import Endpoint, Record, dig
from transforms.shape import Shaper

Rows = list[dict[str, Any]]


def unwrapped(endpoint: Endpoint, records: Rows) -> Rows:
    """The endpoint's records out of a page: grouped pages (``unwrap``) are opened."""
    if not endpoint.unwrap:
        return records
    return [item for group in records for item in group.get(endpoint.unwrap) or []]


def record_ctx(endpoint: Endpoint, ctx: Mapping[str, Any], record: Record) -> dict[str, Any]:
    """``ctx`` plus what ``row_ctx`` reads from this record (absent values leave ctx alone)."""
    out = dict(ctx)
    for name, dotted in endpoint.row_ctx.items():
        value = dig(record, dotted)
        if value is not None:
            out[name] = value
    return out


def reshaped(endpoint: Endpoint, record: Record) -> dict[str, Any]:
    """The record with ``reshape`` applied: a new dict (the same object when there is
    nothing to do)."""
    reshape = endpoint.reshape
    if not reshape or reshape.keys().isdisjoint(record):
        return record
    return {new: value for key, value in record.items()
            if (new := reshape.get(key, key)) is not None}


def row_groups(endpoint: Endpoint, ctx: Mapping[str, Any], records: Rows
               ) -> list[tuple[Mapping[str, Any], Rows]]:
    """The records reshaped, grouped by their own context: account-wide lists take context
    (project) per record.

    A record's context values are read column-wise over the page (``_column``), and a record
    without its own value takes ``ctx``'s, so the groups and their contexts are
    ``record_ctx``'s.
    """
    if endpoint.reshape:
        records = [reshaped(endpoint, r) for r in records]
    if not endpoint.row_ctx:
        return [(ctx, records)]
    names = list(endpoint.row_ctx)
    owns = [[ctx.get(name) if v is None else v for v in _column(records, dotted)]
            for name, dotted in endpoint.row_ctx.items()]
    by_ctx: dict[tuple[Any, ...], Rows] = {}
    for key, record in zip(zip(*owns, strict=True), records, strict=True):
        group = by_ctx.get(key)
        if group is None:
            group = by_ctx[key] = []
        group.append(record)
    return [({**ctx, **{n: v for n, v in zip(names, key, strict=True)
                                if v is not None}}, rows)
            for key, rows in by_ctx.items()]


def _column(records: Rows, dotted: str) -> list[Any]:
    """``dig(record, dotted)`` for every record, one path step at a time over the page."""
    first, *rest = dotted.split(".")
    values = [r.get(first) for r in records]
    for part in rest:
        values = [v.get(part) if isinstance(v, Mapping) else None for v in values]
    return values


def shape_page(shaper: Shaper, endpoint: Endpoint, ctx: Mapping[str, Any], records: Rows,
               fetched_at: datetime) -> None:
    """Hand one page's records to the shaper, live or replayed alike."""
    for group_ctx, rows in row_groups(endpoint, ctx, records):
        shaper.add(endpoint.table, rows, group_ctx, endpoint.constants,
                   member=endpoint.is_member, fetched_at=fetched_at, thin=endpoint.thin,
                   source=endpoint.id)
