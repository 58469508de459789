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
    if not endpoint.reshape:
        return record
    out = {}
    for key, value in record.items():
        new = endpoint.reshape.get(key, key)
        if new is not None:
            out[new] = value
    return out


def row_groups(endpoint: Endpoint, ctx: Mapping[str, Any], records: Rows
               ) -> list[tuple[Mapping[str, Any], Rows]]:
    """The records reshaped, grouped by their own context: account-wide lists take context
    (project) per record."""
    if endpoint.reshape:
        records = [reshaped(endpoint, r) for r in records]
    if not endpoint.row_ctx:
        return [(ctx, records)]
    by_ctx: dict[tuple[Any, ...], tuple[dict[str, Any], Rows]] = {}
    for record in records:
        key = tuple(_own(record, dotted, ctx.get(name))
                    for name, dotted in endpoint.row_ctx.items())
        group = by_ctx.get(key)
        if group is None:
            group = by_ctx[key] = (record_ctx(endpoint, ctx, record), [])
        group[1].append(record)
    return list(by_ctx.values())


def _own(record: Record, dotted: str, default: Any) -> Any:
    """What ``record_ctx`` puts under one row-context name: the record's value, if any."""
    value = dig(record, dotted)
    return default if value is None else value


def shape_page(shaper: Shaper, endpoint: Endpoint, ctx: Mapping[str, Any], records: Rows,
               fetched_at: datetime) -> None:
    """Hand one page's records to the shaper, live or replayed alike."""
    for group_ctx, rows in row_groups(endpoint, ctx, records):
        shaper.add(endpoint.table, rows, group_ctx, endpoint.constants,
                   member=endpoint.is_member, fetched_at=fetched_at, thin=endpoint.thin,
                   source=endpoint.id)
