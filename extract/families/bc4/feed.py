"""Basecamp 4's change feed: the account-wide recordings listings, newest change first."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from extract.catalog import Catalog, dig
from extract.crawl import Unit
from extract.families.bc4.catalog import CATALOG
from extract.incremental import (
    OVERLAP,
    Changes,
    Plan,
    Scope,
    StoredColumns,
    bookmark_problem,
)
from extract.timezones import parse_stamp
from transforms.schemas import Registry


class RecordingsFeed:
    """Basecamp 4: the account-wide recordings listings, newest change first.

    Phase 1 reads projects, campfires and, per (type, status), ``projects/recordings.json``
    sorted by ``updated_at`` desc, stopping at the first page that reaches back past the
    bookmark. Changed rows are folded in by id. A listing whose ``X-Total-Count`` moved by more
    than the rows that entered or left it (a hard delete, a move the feed did not show) is read
    again whole and replaces that status's stored rows. The projects that changed (a changed
    recording, or a campfire with a newer ``updated_at``) get their dock walks again; whole
    to-dos and cards are re-listed when a to-do or card changed. With ``details`` chosen, a
    changed to-do or card is read as a member in phase 1 (``since`` in the context tells its
    ``changed_since`` which), as its thin row alone would take its stored lists with it; a
    listing read again whole has its records read again too.
    """

    name = "recordings"
    LISTING = "recordings_by_type__"
    EXTRA = frozenset({"projects", "projects__archived", "projects__trashed", "campfires"})
    # Account-level listings read again, whole, whenever anything changed.
    RELISTED = frozenset({"people", "templates", "templates__archived", "templates__trashed",
                          "gauges", "lineup_markers", "report_timesheet", "chatbots"})

    def __init__(self) -> None:
        self.rows: dict[int, tuple[datetime, str, Any, str]] = {}
        self.totals: dict[str, dict[str, int]] = {}
        self.newest: datetime | None = None
        self.since: datetime | None = None
        self.chats: dict[int, tuple[datetime, Any]] = {}

    @cached_property
    def endpoints(self) -> frozenset[str]:
        """Read on every page of a run: worked out once."""
        return self.EXTRA | self.details | {e.id for e in CATALOG.crawled
                                            if e.id.startswith(self.LISTING)}

    @cached_property
    def details(self) -> frozenset[str]:
        """Opt-in member reads of records the listings leave thin (crawled when chosen)."""
        return frozenset(e.id for e in CATALOG.endpoints if e.unless_in)

    def check(self, bookmark: Any) -> str | None:
        """Why a stored bookmark cannot be used, or None (see ``bookmark_problem``)."""
        problem = bookmark_problem(bookmark, seen=dict, totals=dict, chats=dict)
        if problem is None and not (
                all(str(k).isdigit() for k in bookmark.get("seen") or {})
                and all(isinstance(v, int) for v in (bookmark.get("totals") or {}).values())):
            problem = "seen or totals hold something other than ids and counts"
        return problem

    def root_ctx(self, bookmark: Mapping[str, Any] | None) -> dict[str, Any]:
        self.since = parse_stamp(bookmark.get("since")) if bookmark else None
        self.seen_before = dict((bookmark or {}).get("seen") or {})
        return {"since": bookmark["since"]} if bookmark else {}

    def keep(self, unit: Unit, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Phase 1 rows worth storing: listing rows changed since the bookmark.

        A listing's first page also holds rows older than the bookmark; they are stored
        already, as whole rows that this thin projection must not overwrite.
        """
        if self.since is None or not unit.endpoint.id.startswith(self.LISTING):
            return records
        return [r for r in records if self._is_fresh(r)]

    def _is_fresh(self, row: Mapping[str, Any]) -> bool:
        stamp = parse_stamp(row.get("updated_at"))
        if stamp is None or self.since is None:
            return True
        return stamp >= self.since and self.seen_before.get(str(row.get("id"))) != \
            stamp.isoformat()

    def observe(self, unit: Unit, records: list[dict[str, Any]]) -> None:
        endpoint = unit.endpoint.id
        listing = endpoint.startswith(self.LISTING)
        if not listing and endpoint != "campfires":
            return
        for row in records:
            stamp = parse_stamp(row.get("updated_at"))
            if stamp is None or not isinstance(row.get("id"), int):
                continue
            if listing:
                self.rows[row["id"]] = (stamp, endpoint, dig(row, "bucket.id"), row.get("type"))
            else:
                self.chats[row["id"]] = (stamp, dig(row, "bucket.id"))
            self.newest = stamp if self.newest is None or stamp > self.newest else self.newest

    def note_total(self, unit: Unit, total: int | None) -> None:
        """``X-Total-Count`` of a listing's first page (summed over its gathered chunks)."""
        if unit.endpoint.id.startswith(self.LISTING) and total is not None:
            self.totals.setdefault(unit.endpoint.id, {})[unit.key[1]] = total

    def _totals(self) -> dict[str, int]:
        return {e: sum(chunks.values()) for e, chunks in self.totals.items()}

    def stop(self, unit: Unit, page: Any) -> bool:
        """Stop paging a listing once its page reaches back past the bookmark."""
        if self.since is None or not unit.endpoint.id.startswith(self.LISTING):
            return False
        stamps = [parse_stamp(r.get("updated_at")) for r in page.records]
        oldest = min((s for s in stamps if s is not None), default=None)
        return oldest is None or oldest < self.since

    def changes(self, bookmark: Mapping[str, Any], stored: StoredColumns) -> Changes:
        seen = {int(k): v for k, v in (bookmark.get("seen") or {}).items()}
        since = parse_stamp(bookmark.get("since"))
        fresh = {i: r for i, r in self.rows.items()
                 if since is None or (r[0] >= since and seen.get(i) != r[0].isoformat())}
        projects = {r[2] for r in fresh.values()}
        chat_seen = bookmark.get("chats") or {}
        projects |= {b for cid, (stamp, b) in self.chats.items()
                     if chat_seen.get(str(cid)) != stamp.isoformat()}
        self.changed_types = {r[3] for r in fresh.values()}
        self.reconcile = self._unexplained(bookmark.get("totals") or {}, fresh, stored, CATALOG)
        self.reconcile_tables = {CATALOG[e].table: CATALOG[e].params["status"]
                                 for e in self.reconcile}
        return Changes({"project_id": projects - {None}})

    def _unexplained(self, before: Mapping[str, int], fresh: Mapping[int, tuple],
                     stored: StoredColumns, catalog: Catalog) -> set[str]:
        """Listings whose total moved more than the rows entering or leaving them explain."""
        out = set()
        previous: dict[str, dict[int, str]] = {}
        for endpoint_id, total in self._totals().items():
            if endpoint_id not in before:
                continue
            endpoint = catalog[endpoint_id]
            status = endpoint.params["status"]
            table = endpoint.table
            if table not in previous:
                data = stored(table, ["id", "status"])
                previous[table] = dict(zip(data["id"].to_pylist(), data["status"].to_pylist(),
                                           strict=True)) if data is not None else {}
            kind = endpoint.params["type"]
            mine = {i for i, r in fresh.items() if r[1] == endpoint_id}
            entered = sum(1 for i in mine if previous[table].get(i) != status)
            left = sum(1 for i, r in fresh.items() if r[3] == kind and r[1] != endpoint_id
                       and previous[table].get(i) == status)
            if total != before[endpoint_id] + entered - left:
                out.add(endpoint_id)
        return out

    def plan(self, registry: Registry, tables: set[str], everything: set[str],
             changes: Changes) -> Plan:
        listings = {e for e in everything if e.startswith(self.LISTING)}
        todo_like = {"Todo"} & self.changed_types
        card_like = {"Kanban::Card", "Kanban::Step"} & self.changed_types
        wanted: set[str] = set(self.reconcile)
        if todo_like or "todos" in self.reconcile_tables:
            wanted |= {e for e in everything if e.startswith("everything_todos")}
        if card_like or self.reconcile_tables.keys() & {"cards", "card_steps"}:
            wanted |= {e for e in everything if e.startswith("everything_cards")}
        wanted |= {e for e in self.details & everything
                   if set(CATALOG[e].parents) & set(self.reconcile)}
        bucket_endpoints = {e for e in everything if "project_id" in CATALOG[e].bind}
        bucket_endpoints |= {c.id for e in list(bucket_endpoints) for c in CATALOG.crawled
                             if e in CATALOG.ancestors(c.id) and c.id in everything}
        if changes.any:
            wanted |= bucket_endpoints | self.RELISTED
        wanted &= everything
        endpoints = set(wanted)
        for endpoint_id in wanted:  # gathered listings and dock walks need the projects again
            endpoints |= CATALOG.ancestors(endpoint_id)

        def allow(unit: Unit) -> bool:
            eid = unit.endpoint.id
            if eid in listings:
                return eid in self.reconcile
            if eid in self.details:
                return True
            if eid in bucket_endpoints or "project_id" in unit.ctx:
                return changes.allows(unit)
            return True

        bucket_tables = set()
        for e in bucket_endpoints:
            bucket_tables |= _closure(registry, CATALOG[e].table) & tables
        filters = {t: [{"status": s}] for t, s in self.reconcile_tables.items()}
        every_run = {"projects", "campfires", "todosets", "message_boards", "schedules",
                     "questionnaires", "inboxes"}
        relisted = {CATALOG[e].table for e in self.RELISTED}
        whole = {t for t in tables
                 if registry.root(t) in every_run | (relisted if changes.any else set())}
        return Plan(endpoints if wanted else set(), allow,
                    Scope(tables=whole, buckets={"project_id": changes.buckets["project_id"]},
                          bucket_tables=bucket_tables - whole, filters=filters))

    def bookmark(self, started: datetime, previous: Mapping[str, Any] | None
                 ) -> dict[str, Any]:
        anchor = min(started, self.newest) if self.newest else started
        since = anchor - OVERLAP
        old = parse_stamp((previous or {}).get("since"))
        if old and since < old:
            since = old
        totals = dict((previous or {}).get("totals") or {})
        totals.update(self._totals())
        seen = {str(i): r[0].isoformat() for i, r in self.rows.items() if r[0] >= since}
        chats = {str(i): c[0].isoformat() for i, c in self.chats.items()}
        return {"since": since.astimezone(UTC).isoformat(), "totals": totals, "seen": seen,
                "chats": chats}


def _closure(registry: Registry, table: str) -> set[str]:
    return registry.closure([table]) if table in registry else set()
