"""What the catalog knows about where rows come from, worked out as plain data for storing.

Which endpoints fill each table (the shrink guard asks whether all of them were counted), and
which tables a failed unit, or what it would have reached, feeds: those partitions keep what
an earlier run stored, and the manifest names the tables ``incomplete``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from extract.catalog import Catalog
from extract.crawl import Outcome
from extract.families import Family
from transforms.store.target import WHOLE_TABLE, Tainted


def feeding(fam: Family) -> dict[str, tuple[str, ...]]:
    """Table -> the crawled endpoints whose records can land in it, in catalog order."""
    out: dict[str, list[str]] = {}
    for endpoint in fam.catalog.crawled:
        for table in fam.feeds(endpoint):
            out.setdefault(table, []).append(endpoint.id)
    return {table: tuple(ids) for table, ids in out.items()}


def tainted_partitions(fam: Family, failures: Iterable[Outcome]) -> Tainted:
    """(table, bucket or '*') pairs a failed unit, or what it would have reached, feeds."""
    tainted: set[tuple[str, Any]] = set()
    for failure in failures:
        endpoints = {failure.endpoint} | _descendants(fam.catalog, failure.endpoint)
        bucket = failure.ctx.get(fam.bucket_column)
        for endpoint_id in endpoints:
            for table in fam.registry.closure([fam.catalog[endpoint_id].table]):
                spec = fam.registry[table]
                scoped = fam.bucket_column in spec.partition and bucket is not None
                tainted.add((table, bucket if scoped else WHOLE_TABLE))
    return tainted


def incomplete_tables(fam: Family, failures: Iterable[Outcome], stored: set[str]
                      ) -> dict[str, list[dict[str, str]]]:
    """Tables a failed unit feeds (directly or through what it would have reached), each
    with the missing units, for the manifest."""
    out: dict[str, list[dict[str, str]]] = {}
    for failure in failures:
        endpoints = {failure.endpoint} | _descendants(fam.catalog, failure.endpoint)
        tables = fam.registry.closure([fam.catalog[e].table for e in endpoints])
        for table in sorted(tables & stored):
            unit = {"endpoint": failure.endpoint, "url": failure.url}
            if unit not in out.setdefault(table, []):
                out[table].append(unit)
    return dict(sorted(out.items()))


def _descendants(catalog: Catalog, endpoint_id: str) -> set[str]:
    out: set[str] = set()
    stack = [endpoint_id]
    while stack:
        for child in catalog.children(stack.pop()):
            if child.id not in out:
                out.add(child.id)
                stack.append(child.id)
    return out
