"""Walk a catalog parent -> child, concurrently, under the session's rate limiter.

A unit is one endpoint at one set of path ids. Each page a unit fetches is handed to ``sink``
(which stores and shapes it) and then fans out into child units, deduplicated by URL, so the pool
stays busy while deep listings are still paging. Concurrency covers latency; the limiter in the
session, not the pool size, decides the request rate.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from extract.catalog.model import Catalog, Endpoint, dig
from extract.errors import (
    AuthError,
    BasecampExtractError,
    ConfigError,
    NotFoundError,
    RemoteError,
    SkippedResource,
)
from extract.pagination import DEFAULT_MAX_PAGES, Page, fetch, iter_pages
from extract.redact import REDACTOR

log = logging.getLogger(__name__)

FATAL = (AuthError, ConfigError, NotFoundError)


@dataclass(frozen=True)
class Unit:
    """One endpoint with its path ids filled in."""

    endpoint: Endpoint
    ctx: Mapping[str, Any]
    url: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.endpoint.id, self.url)


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


Sink = Callable[[Unit, Page], None]
PageSource = Callable[[Unit], Iterable[Page]]


class Crawl:
    """One crawl of one account; ``run`` blocks until every reachable unit is done."""

    def __init__(self, session: requests.Session, catalog: Catalog, base_url: str,
                 root_ctx: Mapping[str, Any], *, endpoints: Iterable[str], sink: Sink,
                 workers: int = 8, max_pages: int = DEFAULT_MAX_PAGES,
                 preflight: str | None = None, on_unit: Callable[[int, int], None] | None = None,
                 pages: PageSource | None = None) -> None:
        self.session = session
        self.catalog = catalog
        self.base_url = base_url.rstrip("/")
        self.root_ctx = dict(root_ctx)
        self.selected = set(endpoints)
        self.sink = sink
        self.workers = workers
        self.max_pages = max_pages
        self.preflight = preflight
        self.on_unit = on_unit or (lambda done, total: None)
        self.pages = pages or self._json_pages
        self._children = {e.id: [c for c in catalog.children(e.id) if c.id in self.selected]
                          for e in catalog.crawled}
        self.report = CrawlReport()
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._done = 0
        self._fatal: BaseException | None = None
        self._pool: ThreadPoolExecutor | None = None

    def run(self) -> CrawlReport:
        roots = [e for e in self.catalog.roots() if e.id in self.selected]
        first = [e for e in roots if e.id == self.preflight]
        pool = self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="crawl")
        try:
            if first:
                self._preflight(self._unit(first[0], self.root_ctx))
            for endpoint in roots:
                if endpoint.id != self.preflight:
                    self._submit(self._unit(endpoint, self.root_ctx))
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
        try:
            self._execute(unit)
        except SkippedResource as exc:
            raise NotFoundError(f"account {self.root_ctx.get('account_id')} not found at "
                                f"{self.base_url} ({exc})") from None
        self._done += 1

    def _unit(self, endpoint: Endpoint, ctx: Mapping[str, Any]) -> Unit:
        merged = {**ctx, **endpoint.context}
        return Unit(endpoint, merged, self.base_url + endpoint.url_path(merged))

    def _submit(self, unit: Unit) -> None:
        with self._lock:
            if unit.key in self._seen or self._fatal is not None:
                return
            self._seen.add(unit.key)
            self._pending += 1
        assert self._pool is not None
        self._pool.submit(self._guarded, unit)

    def _guarded(self, unit: Unit) -> None:
        try:
            self._execute(unit)
        except FATAL as exc:
            with self._lock:
                self._fatal = self._fatal or exc
        except SkippedResource as exc:
            log.info("skipped %s: %s", unit.endpoint.id, exc)
            self._record(self.report.skipped, unit, exc)
        except (BasecampExtractError, requests.RequestException) as exc:
            log.warning("failed %s %s: %s", unit.endpoint.id, _path(unit.url), _one_line(exc))
            self._record(self.report.failures, unit, exc)
        except Exception as exc:
            log.exception("bug while crawling %s", unit.url)
            self._record(self.report.failures, unit, exc)
        finally:
            with self._idle:
                self._pending -= 1
                self._done += 1
                total = self._done + self._pending
                self._idle.notify_all()
            self.on_unit(self._done, total)

    def _record(self, bucket: list[Outcome], unit: Unit, exc: BaseException) -> None:
        with self._lock:
            bucket.append(Outcome(unit.endpoint.id, REDACTOR.scrub(_path(unit.url)),
                                  dict(unit.ctx), REDACTOR.scrub(_one_line(exc))))

    def _json_pages(self, unit: Unit) -> Iterable[Page]:
        """JSON families: one member, or page-number pages."""
        params = dict(unit.endpoint.params)
        if unit.endpoint.paging == "none":
            return [fetch(self.session, unit.url, params)]
        return iter_pages(self.session, unit.url, params, page_size=self.catalog.page_size,
                          max_pages=self.max_pages, warn=self._warn)

    def _execute(self, unit: Unit) -> None:
        with self._lock:
            self.report.units += 1
        for page in self.pages(unit):
            if self._fatal is not None:
                raise RemoteError("crawl stopped")
            with self._lock:
                self.report.pages += 1
            self.sink(unit, page)
            self._spawn_children(unit, page.records)

    def _spawn_children(self, unit: Unit, records: list[dict[str, Any]]) -> None:
        for child in self._children.get(unit.endpoint.id, ()):
            for record in records:
                items = record.get(child.each) or [] if child.each else [record]
                for item in items:
                    if child.where is not None and not child.where(item):
                        continue
                    ctx = _bind(child, unit.ctx, record, item)
                    if ctx is not None:
                        self._submit(self._unit(child, ctx))

    def _warn(self, message: str) -> None:
        log.warning(message)
        with self._lock:
            self.report.warnings.append(message)


def _bind(child: Endpoint, ctx: Mapping[str, Any], record: Mapping[str, Any],
          item: Mapping[str, Any]) -> dict[str, Any] | None:
    out = dict(ctx)
    for name, sources in child.bind.items():
        candidates = (sources,) if isinstance(sources, str) else sources
        value = next((v for v in (_read(s, record, item) for s in candidates) if v is not None),
                     None)
        if value is None:
            log.debug("%s: parent record has no %s; not requested", child.id, sources)
            return None
        out[name] = value
    return out


def _read(source: str, record: Mapping[str, Any], item: Mapping[str, Any]) -> Any:
    return dig(record, source[1:]) if source.startswith("^") else dig(item, source)


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, BasecampExtractError):
        return exc.one_line()
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
