"""Walk a catalog parent -> child, concurrently, under the session's rate limiter.

A unit is one endpoint at one set of path ids. Each page a unit fetches is handed to ``sink``
(which stores and shapes it) and then fans out into child units, deduplicated by URL, so the pool
stays busy while deep listings are still paging. Concurrency covers latency; the limiter in the
session, not the pool size, decides the request rate.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from extract.binding import bind, gathered_contexts, older
from extract.catalog import Catalog, Endpoint
from extract.journal import RunJournal
from extract.page import Page
from extract.pagination import DEFAULT_MAX_PAGES, fetch_pages
from extract.progress import Progress
from extract.rows import record_ctx, unwrapped
from transforms.errors import (
    AuthError,
    BasecampExtractError,
    ConfigError,
    NotFoundError,
    OutputError,
    RemoteError,
    SkippedResource,
)
from transforms.redact import REDACTOR

log = logging.getLogger(__name__)

FATAL = (AuthError, ConfigError, NotFoundError, OutputError)


@dataclass(frozen=True)
class Unit:
    """One endpoint with its path ids filled in."""

    endpoint: Endpoint
    ctx: Mapping[str, Any]
    url: str
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        query = urlencode(sorted(self.params.items()))
        return (self.endpoint.id, f"{self.url}?{query}" if query else self.url)


@dataclass
class Outcome:
    """What a unit ended as, for the manifest."""

    endpoint: str
    url: str
    ctx: Mapping[str, Any]
    error: str


@dataclass
class CrawlReport:
    units: int = 0
    pages: int = 0
    failures: list[Outcome] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    count_mismatches: list[dict[str, Any]] = field(default_factory=list)
    # (endpoint id, context) of every unit that answered in full, empty listings included:
    # an empty listing yields no page, so a sink alone never hears of it.
    answered: list[tuple[str, Mapping[str, Any]]] = field(default_factory=list)

    def absorb(self, other: CrawlReport) -> None:
        """Add a later phase's report to this one."""
        self.units += other.units
        self.pages += other.pages
        self.failures += other.failures
        self.skipped += other.skipped
        self.warnings += other.warnings
        self.count_mismatches += other.count_mismatches
        self.answered += other.answered


Sink = Callable[[Unit, Page], None]
PageSource = Callable[[Unit], Iterable[Page]]


class Crawl:
    """One crawl of one account; ``run`` blocks until every reachable unit is done."""

    def __init__(self, session: requests.Session, catalog: Catalog, base_url: str,
                 root_ctx: Mapping[str, Any], *, endpoints: Iterable[str], sink: Sink,
                 workers: int = 8, max_pages: int = DEFAULT_MAX_PAGES,
                 preflight: str | None = None, progress: Progress | None = None,
                 pages: PageSource | None = None, journal: RunJournal | None = None,
                 allow: Callable[[Unit], bool] | None = None,
                 stop: Callable[[Unit, Page], bool] | None = None) -> None:
        self.session = session
        self.catalog = catalog
        self.base_url = base_url.rstrip("/")
        self.root_ctx = dict(root_ctx)
        self.selected = set(endpoints)
        self.sink = sink
        self.workers = workers
        self.max_pages = max_pages
        self.preflight = preflight
        self.progress = progress or Progress()
        self.pages = pages or self._json_pages
        self.journal = journal
        self.allow = allow
        self.stop = stop
        self._children = {e.id: [c for c in catalog.children(e.id) if c.id in self.selected]
                          for e in catalog.crawled}
        self._gathers = {e.id: e for e in catalog.crawled if e.gather and e.id in self.selected}
        self._gathered: dict[str, dict[str, set[Any]]] = {
            g: {name: set() for name in e.bind} for g, e in self._gathers.items()}
        self._ancestors = {g: catalog.ancestors(g) & self.selected for g in self._gathers}
        # Entries that fill in only what ``unless_in`` listings did not return (see Endpoint).
        self._deferred = {e.id: e for e in catalog.crawled
                          if e.unless_in and e.id in self.selected}
        self._waiting: dict[str, list[tuple[Any, dict[str, Any]]]] = {
            d: [] for d in self._deferred}
        self._listed: dict[str, set[Any]] = {d: set() for d in self._deferred}
        self._fills: dict[str, list[str]] = {}
        for d, e in self._deferred.items():
            for listing in e.unless_in:
                self._fills.setdefault(listing, []).append(d)
        self._waits_on = {d: {a for x in (d, *e.unless_in)
                              for a in (x, *catalog.ancestors(x))} - {d} & self.selected
                          for d, e in self._deferred.items()}
        self._releasing = threading.Lock()
        self._running: Counter[str] = Counter()
        self._roots_submitted = False
        self.report = CrawlReport()
        self._seen: set[tuple[str, str]] = set()
        self._once: set[str] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._fatal: BaseException | None = None
        self._pool: ThreadPoolExecutor | None = None

    def run(self) -> CrawlReport:
        roots = [e for e in self.catalog.roots() if e.id in self.selected]
        first = [e for e in roots if e.id == self.preflight]
        pool = self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="crawl")
        try:
            with self.progress.setting_up(self.catalog, self.selected):
                if first:
                    self._preflight(self._unit(first[0], self.root_ctx))
                for endpoint in roots:
                    if endpoint.id != self.preflight:
                        self._submit(self._unit(endpoint, self.root_ctx))
                self._roots_submitted = True
                self._release_gathers()
            with self._idle:
                while self._pending and self._fatal is None:
                    self._idle.wait()
        except BaseException as exc:
            with self._lock:
                self._fatal = self._fatal or exc
        if self._fatal is not None:
            pool.shutdown(wait=False, cancel_futures=True)
            raise self._fatal
        pool.shutdown(wait=True)
        return self.report

    def _preflight(self, unit: Unit) -> None:
        """The first call tells a wrong account or password apart from a missing resource."""
        self._seen.add(unit.key)
        self.progress.found(unit.endpoint.id)
        try:
            self._execute(unit)
        except SkippedResource as exc:
            raise NotFoundError(f"account {self.root_ctx.get('account_id')} not found at "
                                f"{self.base_url} ({exc})") from None
        self.progress.finished(unit.endpoint.id)

    def _unit(self, endpoint: Endpoint, ctx: Mapping[str, Any]) -> Unit:
        merged = {**ctx, **endpoint.context}
        return Unit(endpoint, merged, self.base_url + endpoint.url_path(merged),
                    endpoint.query(merged))

    def _submit(self, unit: Unit) -> None:
        if self.allow is not None and not self.allow(unit):
            return
        with self._lock:
            if unit.key in self._seen or self._fatal is not None:
                return
            self._seen.add(unit.key)
            self._pending += 1
            self._running[unit.endpoint.id] += 1
        self.progress.found(unit.endpoint.id)
        assert self._pool is not None
        try:
            self._pool.submit(self._guarded, unit)
        except RuntimeError:  # a fatal error elsewhere shut the pool down: nothing to start
            with self._idle:
                self._pending -= 1
                self._running[unit.endpoint.id] -= 1
                self._idle.notify_all()

    def _guarded(self, unit: Unit) -> None:
        failed = True
        try:
            self._execute(unit)
            failed = False
        except FATAL as exc:
            with self._lock:
                self._fatal = self._fatal or exc
        except SkippedResource as exc:
            failed = False
            log.info("skipped %s: %s", unit.endpoint.id, exc)
            self._record(self.report.skipped, unit, exc)
        except (BasecampExtractError, requests.RequestException) as exc:
            log.warning("failed %s %s: %s", unit.endpoint.id, _path(unit.url), _one_line(exc))
            self._record(self.report.failures, unit, exc)
        except Exception as exc:
            log.exception("bug while crawling %s", unit.url)
            self._record(self.report.failures, unit, exc)
        finally:
            with self._lock:
                self._running[unit.endpoint.id] -= 1
            self._release_gathers()  # before ``finished``: what it releases is found first
            self.progress.finished(unit.endpoint.id, failed=failed)
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def _release_gathers(self) -> None:
        """Submit each gathering endpoint once no unit that could feed it is left, then each
        deferred one (``unless_in``) once its listings are done too.

        One release at a time: a gather taken off the waiting list is submitted before another
        thread can judge a deferred entry that waits on it.
        """
        if not self._roots_submitted:
            return
        with self._releasing:
            ready: list[tuple[Endpoint, dict[str, set[Any]]]] = []
            with self._lock:
                for gid, endpoint in list(self._gathers.items()):
                    if not any(self._running[a] for a in self._ancestors[gid]):
                        ready.append((endpoint, self._gathered.pop(gid)))
                        del self._gathers[gid]
            for endpoint, values in ready:
                for ctx in gathered_contexts(values, self.root_ctx):
                    self._submit(self._unit(endpoint, ctx))
            due: list[tuple[Endpoint, list[dict[str, Any]]]] = []
            with self._lock:
                for did, endpoint in list(self._deferred.items()):
                    blockers = self._waits_on[did]
                    if any(self._running[a] for a in blockers) or blockers & set(self._gathers):
                        continue
                    listed = self._listed.pop(did)
                    due.append((endpoint, [ctx for record_id, ctx in self._waiting.pop(did)
                                           if record_id not in listed]))
                    del self._deferred[did]
            for endpoint, contexts in due:
                for ctx in contexts:
                    self._submit(self._unit(endpoint, ctx))

    def _record(self, bucket: list[Outcome], unit: Unit, exc: BaseException) -> None:
        with self._lock:
            bucket.append(Outcome(unit.endpoint.id, REDACTOR.scrub(_path(unit.url)),
                                  dict(unit.ctx), REDACTOR.scrub(_one_line(exc))))

    def _json_pages(self, unit: Unit) -> Iterable[Page]:
        """JSON families: the pages the endpoint's pager asks for."""
        return fetch_pages(self.session, unit.url, unit.params,
                           unit.endpoint.pager(self.catalog.page_size),
                           max_pages=self.max_pages, warn=self._warn)

    def _execute(self, unit: Unit) -> None:
        with self._lock:
            self.report.units += 1
        fetched, total = 0, None
        for page in self._pages(unit):
            if self._fatal is not None:
                raise RemoteError("crawl stopped")
            with self._lock:
                self.report.pages += 1
            fetched, total = fetched + len(page.records), page.total
            page = replace(page, records=unwrapped(unit.endpoint, page.records))
            if unit.endpoint.id in self._fills:
                self._note_listed(unit.endpoint.id, page.records)
            self.sink(unit, page)
            self._spawn_children(unit, page.records)
            if self.stop is not None and self.stop(unit, page):
                return  # a feed read far enough back; the rest is known
        with self._lock:
            self.report.answered.append((unit.endpoint.id, unit.ctx))
        if total is not None and fetched != total:
            self._mismatch(unit, fetched, total)

    def _pages(self, unit: Unit) -> Iterable[Page]:
        """The unit's pages: from an interrupted run's journal when it completed there."""
        if self.journal is None:
            return self.pages(unit)
        endpoint_id, url = unit.key
        key = f"{endpoint_id} {url.removeprefix(self.base_url)}"
        return self.journal.pages(key, endpoint_id, lambda: self.pages(unit))

    def _mismatch(self, unit: Unit, fetched: int, total: int) -> None:
        """X-Total-Count disagreed with the rows paged through (a moving list, or a cap)."""
        query = urlencode(sorted(unit.params.items()))
        entry = {"endpoint": unit.endpoint.id,
                 "path": REDACTOR.scrub(_path(unit.url) + (f"?{query}" if query else "")),
                 "fetched": fetched, "total": total}
        log.warning("%s: fetched %d rows, X-Total-Count said %d", entry["path"], fetched, total)
        with self._lock:
            self.report.count_mismatches.append(entry)

    def _spawn_children(self, unit: Unit, records: list[dict[str, Any]]) -> None:
        for child in self._children.get(unit.endpoint.id, ()):
            for record in records:
                items = record.get(child.each) or [] if child.each else [record]
                base = (self.root_ctx if child.once
                        else record_ctx(unit.endpoint, unit.ctx, record))
                for item in items:
                    if child.where is not None and not child.where(item):
                        continue
                    if child.changed_since and self.stop is not None and \
                            older(item, base.get(child.changed_since)):
                        continue  # a feed read: only changed rows are stored
                    ctx = bind(child, base, record, item)
                    if ctx is None or (child.once and not self._first(child)):
                        continue
                    if child.gather:
                        self._collect(child, ctx)
                    elif child.unless_in:
                        self._defer(child, item.get("id"), ctx)
                    else:
                        self._submit(self._unit(child, ctx))

    def _first(self, child: Endpoint) -> bool:
        """True for the first unit of a ``once`` endpoint, False ever after."""
        with self._lock:
            if child.id in self._once:
                return False
            self._once.add(child.id)
            return True

    def _collect(self, child: Endpoint, ctx: Mapping[str, Any]) -> None:
        with self._lock:
            gathered = self._gathered.get(child.id)
            if gathered is None:
                log.warning("%s: a record arrived after its gathered request left", child.id)
                return
            for name in child.bind:
                gathered[name].add(ctx[name])

    def _defer(self, child: Endpoint, record_id: Any, ctx: dict[str, Any]) -> None:
        with self._lock:
            waiting = self._waiting.get(child.id)
            if waiting is None:
                log.warning("%s: a record arrived after its deferred reads left", child.id)
                return
            waiting.append((record_id, ctx))

    def _note_listed(self, endpoint_id: str, records: list[dict[str, Any]]) -> None:
        """Ids a listing returned whole: the deferred entries it fills skip them."""
        ids = {r.get("id") for r in records} - {None}
        with self._lock:
            for did in self._fills[endpoint_id]:
                if did in self._listed:
                    self._listed[did] |= ids

    def _warn(self, message: str) -> None:
        log.warning(message)
        with self._lock:
            self.report.warnings.append(message)


def _path(url: str) -> str:
    return urlsplit(url).path


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, BasecampExtractError):
        return exc.one_line()
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
