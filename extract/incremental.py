"""Change feeds: how an export that ran before fetches only what changed since.

A feed runs first (phase 1) and names the buckets whose content changed; the crawl then runs
again (phase 2) over the account-level listings and, below them, only those buckets, which are
re-crawled in full (conditional requests make their unchanged pages 304s). Storing folds the
result into the earlier output (``extract.export.Scope``): account-level tables are replaced,
re-crawled buckets are replaced, everything else is kept.

Basecamp 2's feed is ``/events.json?since=``. Its ``since`` is the earlier of the run's start
and the newest event seen, minus a 15-minute overlap for events that land late; events already
seen inside the overlap are remembered by id, so they are not taken for changes again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from extract.catalog.model import dig
from extract.crawl import Unit
from transforms.schemas import Registry

OVERLAP = timedelta(minutes=15)
EPOCH = "1970-01-01T00:00:00+00:00"


StoredColumns = Callable[[str, list[str]], Any]


@dataclass
class Plan:
    """Phase 2 of an incremental run: what to crawl, which units, and how to store."""

    endpoints: set[str]
    allow: Callable[[Unit], bool]
    scope: Any  # extract.export.Scope (imported lazily: export imports this module)


@dataclass
class Changes:
    """Buckets (by context name) whose content changed; empty means nothing to re-crawl."""

    buckets: dict[str, set[Any]] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        return any(self.buckets.values())

    def allows(self, unit: Unit) -> bool:
        """Account-level units always; bucket-level ones only in a changed bucket."""
        for name, changed in self.buckets.items():
            if name in unit.ctx and unit.ctx[name] not in changed:
                return False
        return True


class EventFeed:
    """Basecamp 2: the account's event feed, fetched with ``since``."""

    name = "events"
    endpoints = frozenset({"events_account"})

    def __init__(self) -> None:
        self.seen: dict[int, datetime] = {}
        self.buckets: dict[int, tuple[str, int]] = {}

    def root_ctx(self, bookmark: Mapping[str, Any] | None) -> dict[str, Any]:
        return {"since": bookmark["since"] if bookmark else EPOCH}

    def observe(self, unit: Unit, records: list[dict[str, Any]]) -> None:
        if unit.endpoint.id not in self.endpoints:
            return
        for event in records:
            stamp = _parse(event.get("created_at"))
            if isinstance(event.get("id"), int) and stamp is not None:
                self.seen[event["id"]] = stamp
                self.buckets[event["id"]] = (dig(event, "bucket.type"), dig(event, "bucket.id"))

    stop = None

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
        from extract.export import Scope

        whole = whole_tables(registry, tables, {"events"})
        if not changes.any:
            return Plan(set(), lambda unit: False, Scope())
        buckets = {"project_id": changes.buckets.get("project_id", set()),
                   "bucket_id": set().union(*changes.buckets.values())}
        bucket_tables = {t for t in tables if t not in whole and _root(registry, t) != "events"}
        return Plan(everything - self.endpoints,
                    lambda unit: unit.endpoint.table in whole or changes.allows(unit),
                    Scope(tables=whole, buckets=buckets, bucket_tables=bucket_tables))

    def bookmark(self, started: datetime, previous: Mapping[str, Any] | None
                 ) -> dict[str, Any]:
        """The next ``since`` and the ids already seen at or after it."""
        newest = max(self.seen.values(), default=None)
        anchor = min(started, newest) if newest else started
        since = anchor - OVERLAP
        if previous and _parse(previous.get("since")) and since < _parse(previous["since"]):
            since = _parse(previous["since"])
        seen = sorted(i for i, stamp in self.seen.items() if stamp >= since)
        return {"since": since.astimezone(UTC).isoformat(), "seen": seen}


def whole_tables(registry: Registry, tables: set[str], feed_tables: set[str]) -> set[str]:
    """Tables an incremental run lists in full (account level): replaced, not folded."""
    out = set()
    for name in tables:
        spec = registry.get(name)
        if spec is None:
            continue
        root = spec
        while root.child_of and root.child_of in registry:
            root = registry[root.child_of]
        scoped = {"project_id", "bucket_id"} & (set(root.partition) | set(root.context))
        if not scoped and root.name not in feed_tables:
            out.add(name)
    return out


def _root(registry: Registry, name: str) -> str:
    spec = registry.get(name)
    while spec is not None and spec.child_of and spec.child_of in registry:
        spec = registry[spec.child_of]
    return spec.name if spec is not None else name


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
