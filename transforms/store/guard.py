"""The shrink guard: stored rows are never replaced by far fewer unless the API says so.

A listing that answers empty where rows were stored, or a table that would lose more than
``SHARE`` of its stored rows and at least ``MINIMUM`` of them, is not applied: the stored rows
stay and the run says so (manifest ``shrink_refused``, exit 7). A row is *lost* when its key
was stored and is absent from the new rows; a row that came back trashed or archived is still
present, so deletions the API states that way never count.

"The API said so" is recognised cheaply from what the crawl already saw: a table counts as
*stated* when every unit of every endpoint feeding it sent ``X-Total-Count`` and the rows paged
agreed with it (no ``count_mismatches`` entry for the endpoint). A stated table may shrink by
any share; it may still not go from stored rows to none (an empty answer never wipes data).
Records an event of the feed (BC2 ``events.json``) says were deleted, trashed or archived are
never counted as lost either.

"Answers empty" is judged per group of stored rows: a project's partition, a status list
(``status=archived``), a re-crawled bucket of an incremental run. A group whose every stored row
is gone, from a listing that was asked (its project still seen this run), is held as stored. A
listing that answers empty while its own ``X-Total-Count`` says it has rows contradicts itself:
no stored row of the tables it feeds is dropped on its word. Full runs compare per table and
per group; incremental runs apply the same tests to each fold (``transforms.store.fold``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from transforms.upsert import matches

log = logging.getLogger(__name__)

SHARE = 0.5
MINIMUM = 10
REMEDY = "re-run with --allow-shrink={table} if the deletion is real"
GONE_ACTION = re.compile(r"\b(deleted|trashed|archived|removed)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ShrinkRule:
    """When a loss is too large to apply without the user's word."""

    share: float = SHARE
    minimum: int = MINIMUM

    def refuses(self, before: int, lost: int, *, stated: bool = False) -> bool:
        return not stated and lost >= self.minimum and lost > before * self.share


RULE = ShrinkRule()


@dataclass(frozen=True)
class Refusal:
    table: str
    before: int
    after: int
    partition: Mapping[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "before": self.before, "after": self.after,
                "partition": dict(self.partition) if self.partition else None,
                "remedy": REMEDY.format(table=self.table)}

    def line(self) -> str:
        where = ""
        if self.partition:
            where = " (" + ", ".join(f"{k}={v}" for k, v in self.partition.items()) + ")"
        return (f"{self.table}{where}: not replaced, it would go from {self.before:,} to "
                f"{self.after:,} rows; {REMEDY.format(table=self.table)}")


def lost(stored: pa.Table, new: pa.Table, key: Iterable[str]) -> int:
    """Stored rows whose key is absent from ``new``."""
    if stored.num_rows == 0:
        return 0
    link = {k: k for k in key}
    if new.num_rows == 0:
        return stored.num_rows
    return stored.num_rows - int(pc.sum(matches(stored, new, link)).as_py() or 0)


def emptied(stored: pa.Table, new: pa.Table, key: Iterable[str], group: list[str]
            ) -> list[tuple[dict[str, Any], int]]:
    """Groups of stored rows (a project's partition, a status list) that lost every row:
    what a listing answering empty where rows were stored looks like once shaped."""
    group = [c for c in group if c in stored.column_names]
    if not group or stored.num_rows == 0:
        return []
    link = {k: k for k in key}
    gone = pc.invert(matches(stored, new, link)) if new.num_rows else \
        pa.array([True] * stored.num_rows, pa.bool_())
    marked = stored.select(group).append_column("__gone__", gone)
    counts = marked.group_by(group, use_threads=False).aggregate(
        [("__gone__", "all"), ([], "count_all")])
    out = []
    for row in counts.to_pylist():
        if row.pop("__gone___all"):
            count = row.pop("count_all")
            out.append((row, count))
    return sorted(out, key=lambda item: [str(v) for v in item[0].values()])


@dataclass
class Answers:
    """What the crawl heard, for the guard: which listings were asked per project, and which
    endpoints' counts were all confirmed by ``X-Total-Count``. ``bucket`` is the context
    name of a project (the family's bucket column)."""

    bucket: str = "project_id"
    asked: set[tuple[str, Any]] = field(default_factory=set)
    projects: set[Any] = field(default_factory=set)
    uncounted: set[str] = field(default_factory=set)
    gone: set[Any] = field(default_factory=set)
    counted: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def asked_unit(self, endpoint: str, ctx: Mapping[str, Any]) -> None:
        """A unit answered in full (its listing may have been empty)."""
        with self._lock:
            project = ctx.get(self.bucket)
            self.asked.add((endpoint, project))
            if project is not None:
                self.projects.add(project)

    def heard(self, endpoint: str, number: int, total: int | None) -> None:
        """A page arrived; the first one says whether the server counted the listing."""
        if number == 1:
            with self._lock:
                (self.counted if total is not None else self.uncounted).add(endpoint)

    def note_events(self, events: Iterable[Mapping[str, Any]]) -> None:
        """Events whose action says a record went away (``deleted a document``)."""
        found = {e["eventable"].get("id") for e in events
                 if isinstance(e.get("eventable"), Mapping)
                 and GONE_ACTION.search(str(e.get("action") or ""))}
        with self._lock:
            self.gone |= found - {None}

    def unstated(self, rows: pa.Table) -> pa.Table:
        """``rows`` without the records an event said went away."""
        if not self.gone or "id" not in rows.column_names or rows.num_rows == 0:
            return rows
        said = pa.array(sorted(self.gone), rows.schema.field("id").type)
        return rows.filter(pc.invert(pc.fill_null(pc.is_in(rows["id"], value_set=said),
                                                  False)))

    def stated(self, endpoints: Iterable[str], mismatched: Iterable[str]) -> bool:
        """Every endpoint that ran was counted by the server, and every count agreed."""
        ran = {e for e, _ in self.asked} & set(endpoints)
        bad = self.uncounted | set(mismatched)
        return bool(ran) and not (ran & bad) and ran <= self.counted

    def was_asked(self, endpoints: Iterable[str], project: Any) -> bool:
        """A listing feeding the table was asked about ``project`` (an account-wide listing
        counts for every project this run still saw)."""
        return any((e, project) in self.asked or
                   ((e, None) in self.asked and (project is None or project in self.projects))
                   for e in endpoints)


@dataclass
class StoreNotes:
    """What storing decided beyond rows written: for the manifest and the exit code."""

    answers: Answers = field(default_factory=Answers)
    refused: list[Refusal] = field(default_factory=list)
    refused_parts: set[tuple[str, Any]] = field(default_factory=set)
    mismatched: set[str] = field(default_factory=set)
    contradicted: set[str] = field(default_factory=set)

    def heard_counts(self, mismatches: Iterable[Mapping[str, Any]]) -> None:
        """Endpoints whose counts disagreed (the crawl's ``count_mismatches``); those that
        answered empty while X-Total-Count said there were rows contradict themselves, and no
        stored row is dropped on their word."""
        mismatches = list(mismatches)
        self.mismatched = {m["endpoint"] for m in mismatches}
        self.contradicted = {m["endpoint"] for m in mismatches
                             if m["fetched"] == 0 and m["total"] > 0}

    def contradicts(self, endpoints: Iterable[str]) -> bool:
        return bool(self.contradicted & set(endpoints))

    def refuse(self, refusal: Refusal) -> None:
        log.warning("shrink refused: %s", refusal.line())
        self.refused.append(refusal)
