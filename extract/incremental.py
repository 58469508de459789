"""Change feeds: how an export that ran before fetches only what changed since.

A feed runs first (phase 1) and names the buckets whose content changed; the crawl then runs
again (phase 2) over the account-level listings and, below them, only those buckets, which are
re-crawled in full (conditional requests make their unchanged pages 304s). Storing folds the
result into the earlier output (``Scope``): account-level tables are replaced, re-crawled
buckets are replaced, everything else is kept.

Each family that has a feed keeps it in its folder (``extract/families/bc2/feed.py``: the
event feed; ``extract/families/bc4/feed.py``: the recordings listings) and names it in
``Family.feed``; this module holds what they share and the ``Feed`` protocol the export reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from extract.crawl import Unit
from extract.page import Page
from extract.timezones import parse_stamp
from transforms.schemas import Registry

OVERLAP = timedelta(minutes=15)
EPOCH = "1970-01-01T00:00:00+00:00"


StoredColumns = Callable[[str, list[str]], Any]


@dataclass
class Scope:
    """What an incremental run re-fetched in full, so what it may replace.

    Tables in ``tables`` were listed whole and are replaced as in a full run. ``buckets`` maps
    a column (``project_id``, ``bucket_id``) to the ids whose content was re-crawled: in
    ``bucket_tables`` those buckets' stored rows are replaced by this run's and every other
    bucket's are kept. In all other tables the run's rows are folded into the stored ones by
    key (``transforms.upsert``); ``filters`` name stored rows a reconciled listing replaces
    whole (``{"todos": [{"status": "active"}]}``).
    """

    tables: set[str] = field(default_factory=set)
    buckets: dict[str, set[Any]] = field(default_factory=dict)
    bucket_tables: set[str] = field(default_factory=set)
    filters: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    titles: dict[Any, str] = field(default_factory=dict)


@dataclass
class Plan:
    """Phase 2 of an incremental run: what to crawl, which units, and how to store."""

    endpoints: set[str]
    allow: Callable[[Unit], bool]
    scope: Scope


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

class Feed(Protocol):
    """What an export asks of a family's change feed, in the order it asks.

    ``check`` a stored bookmark, seed the crawl with ``root_ctx``; in phase 1 every page of
    ``endpoints`` is ``observe``d, thinned by ``keep`` and its total noted, ``stop`` ends a
    listing's paging early; ``changes`` and ``plan`` decide phase 2; ``bookmark`` is stored.
    """

    name: str

    @property
    def endpoints(self) -> frozenset[str]: ...

    @property
    def stop(self) -> Callable[[Unit, Page], bool] | None: ...

    def check(self, bookmark: Any) -> str | None: ...

    def root_ctx(self, bookmark: Mapping[str, Any] | None) -> dict[str, Any]: ...

    def observe(self, unit: Unit, records: list[dict[str, Any]]) -> None: ...

    def keep(self, unit: Unit, records: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def note_total(self, unit: Unit, total: int | None) -> None: ...

    def changes(self, bookmark: Mapping[str, Any], stored: StoredColumns) -> Changes: ...

    def plan(self, registry: Registry, tables: set[str], everything: set[str],
             changes: Changes) -> Plan: ...

    def bookmark(self, started: datetime, previous: Mapping[str, Any] | None
                 ) -> dict[str, Any]: ...


def whole_tables(registry: Registry, tables: set[str], feed_tables: set[str]) -> set[str]:
    """Tables an incremental run lists in full (account level): replaced, not folded."""
    out = set()
    for name in tables:
        if name not in registry:
            continue
        root = registry[registry.root(name)]
        scoped = {"project_id", "bucket_id"} & (set(root.partition) | set(root.context))
        if not scoped and root.name not in feed_tables:
            out.add(name)
    return out


def bookmark_problem(bookmark: Any, **shapes: type) -> str | None:
    """What is wrong with a stored bookmark: it must be an object with a parseable ``since``
    (sent to the server as is) and the named fields, when present, of the named types."""
    if not isinstance(bookmark, Mapping):
        return "not an object"
    since = bookmark.get("since")
    if not isinstance(since, str) or parse_stamp(since) is None:
        return f"since {since!r} is not a timestamp"
    wrong = [k for k, kind in shapes.items()
             if bookmark.get(k) is not None and not isinstance(bookmark[k], kind)]
    return f"unexpected {', '.join(wrong)}" if wrong else None
