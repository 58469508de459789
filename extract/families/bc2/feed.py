"""Basecamp 2's change feed: ``/events.json?since=``.

Its ``since`` is the earlier of the run's start and the newest event seen, minus a 15-minute
overlap for events that land late; events already seen inside the overlap are remembered by
id, so they are not taken for changes again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from extract.catalog import dig
from extract.crawl import Unit
from extract.incremental import (
    EPOCH,
    OVERLAP,
    Changes,
    Plan,
    Scope,
    StoredColumns,
    bookmark_problem,
    whole_tables,
)
from extract.timezones import parse_stamp
from transforms.schemas import Registry


class EventFeed:
    """Basecamp 2: the account's event feed, fetched with ``since``."""

    name = "events"
    endpoints = frozenset({"events_account"})

    def __init__(self) -> None:
        self.seen: dict[int, datetime] = {}
        self.buckets: dict[int, tuple[str, int]] = {}

    def root_ctx(self, bookmark: Mapping[str, Any] | None) -> dict[str, Any]:
        return {"since": bookmark["since"] if bookmark else EPOCH}

    def check(self, bookmark: Any) -> str | None:
        """Why a stored bookmark cannot be used, or None (see ``bookmark_problem``)."""
        problem = bookmark_problem(bookmark, seen=list)
        if problem is None and not all(isinstance(i, int) for i in bookmark.get("seen") or ()):
            problem = "seen holds something other than event ids"
        return problem

    def observe(self, unit: Unit, records: list[dict[str, Any]]) -> None:
        if unit.endpoint.id not in self.endpoints:
            return
        for event in records:
            stamp = parse_stamp(event.get("created_at"))
            if isinstance(event.get("id"), int) and stamp is not None:
                self.seen[event["id"]] = stamp
                self.buckets[event["id"]] = (dig(event, "bucket.type"), dig(event, "bucket.id"))

    stop = None

    def keep(self, unit: Unit, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return records

    def note_total(self, unit: Unit, total: int | None) -> None:
        """The event feed keeps no totals."""

    def changes(self, bookmark: Mapping[str, Any], stored: StoredColumns) -> Changes:
        known = set(bookmark.get("seen", ()))
        fresh = [self.buckets[i] for i in self.seen if i not in known]
        return Changes({
            "project_id": {b for kind, b in fresh if kind == "Project"},
            "calendar_id": {b for kind, b in fresh if kind == "Calendar"},
        })

    def plan(self, registry: Registry, tables: set[str], everything: set[str],
             changes: Changes) -> Plan:
        """Changed buckets re-crawled whole, account-level tables re-listed whole."""
        whole = whole_tables(registry, tables, {"events"})
        if not changes.any:
            return Plan(set(), lambda unit: False, Scope())
        buckets = {"project_id": changes.buckets.get("project_id", set()),
                   "bucket_id": set().union(*changes.buckets.values())}
        bucket_tables = {t for t in tables if t not in whole and registry.root(t) != "events"}
        return Plan(everything - self.endpoints,
                    lambda unit: unit.endpoint.table in whole or changes.allows(unit),
                    Scope(tables=whole, buckets=buckets, bucket_tables=bucket_tables))

    def bookmark(self, started: datetime, previous: Mapping[str, Any] | None
                 ) -> dict[str, Any]:
        """The next ``since`` and the ids already seen at or after it."""
        newest = max(self.seen.values(), default=None)
        anchor = min(started, newest) if newest else started
        since = anchor - OVERLAP
        earlier = parse_stamp((previous or {}).get("since"))
        if earlier is not None and since < earlier:
            since = earlier
        seen = sorted(i for i, stamp in self.seen.items() if stamp >= since)
        return {"since": since.astimezone(UTC).isoformat(), "seen": seen}
