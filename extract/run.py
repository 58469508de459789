"""The characters of an export's story (``extract.export``): the run, its plan, the sink the
crawl's pages go to, and the crawler.

A ``Run`` is what one export is made of once it starts (id, clock, counters, the shaper, what
storing decided). ``plan_run`` decides full or incremental from the stored state and the feed's
bookmark and opens the resume journal. ``PageSink`` takes every page the crawl hears: spool,
the shrink guard's ears, the feed, then the shaper. ``Crawler`` runs one crawl of the plan.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from extract.config import ExportConfig
from extract.crawl import Crawl, CrawlReport, PageSource, Unit
from extract.families import Family
from extract.http import HttpStats
from extract.incremental import Feed
from extract.journal import PageSpool, RunJournal, run_dir
from extract.lineage import feeding
from extract.page import Page
from extract.progress import Progress
from extract.rows import shape_page
from extract.timezones import zone_named
from transforms.redact import REDACTOR
from transforms.shape import Shaper
from transforms.store.guard import Answers, StoreNotes
from transforms.store.state import SyncState, state_file, sync_state
from transforms.store.stored import check_stored
from transforms.store.target import Storage, Target
from transforms.tree import StoredFile, Tree

log = logging.getLogger(__name__)


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def storage_of(fam: Family, target: Target, allow_shrink: frozenset[str]) -> Storage:
    """What storing needs of the family, as plain data."""
    return Storage(target, fam.registry, feeding(fam), fam.bucket_column, allow_shrink)


@dataclass
class Run:
    """One export once it starts: ids, clock, counters, the shaper and what storing decided."""

    config: ExportConfig
    fam: Family
    storage: Storage
    run_id: str
    started: float
    started_at: datetime
    stats: HttpStats
    progress: Progress
    shaper: Shaper
    notes: StoreNotes
    spool: PageSpool | None
    work: Path  # the local work dir: journal, HTTP cache, lock, raw pages

    @classmethod
    def begin(cls, config: ExportConfig, fam: Family, tree: Tree, work: Path) -> Run:
        started, started_at = time.monotonic(), datetime.now(UTC)
        REDACTOR.add(*config.credentials.secrets())
        if config.grant is not None:
            REDACTOR.add(*config.grant.secrets())
        run_id = new_run_id()
        stats = HttpStats()
        progress = config.progress or Progress()
        progress.watch(stats, config.workers, config.rate_limit)
        target = Target(tree, config.api, fam.account_column, config.account_id,
                        config.partition_by)
        spool = PageSpool(work / config.api / "_raw" / run_id) if config.keep_raw else None
        return cls(config, fam, storage_of(fam, target, config.allow_shrink), run_id, started,
                   started_at, stats, progress,
                   Shaper(fam.registry, fam.tables_for(config.steps), run_id),
                   StoreNotes(answers=Answers(bucket=fam.bucket_column)), spool, work)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def seconds(self) -> float:
        return round(time.monotonic() - self.started, 3)


@dataclass
class RunPlan:
    """What this run does: its tables and endpoints, full or incremental, and where from."""

    tables: set[str]
    everything: set[str]
    feed: Feed | None  # the family's change feed (``Family.feed``)
    bookmark: Any
    incremental: bool
    state: SyncState
    state_file: StoredFile
    root_ctx: dict[str, Any]
    journal: RunJournal


def plan_run(config: ExportConfig, fam: Family, run: Run) -> RunPlan:
    """Full or incremental: incremental needs a usable bookmark, every step, no ``--full``,
    and no option the last full export lacked. The journal resumes a matching interrupted run."""
    feed = fam.feed() if fam.feed is not None else None
    path = state_file(run.storage.target)
    state = sync_state(path, config.full)
    bookmark = state.bookmarks.get(feed.name) if feed is not None else None
    problem = feed.check(bookmark) if feed is not None and bookmark else None
    if problem:
        if not config.full and not config.steps:
            log.warning("the %s bookmark in %s cannot be used (%s); this run is a full export",
                        feed.name, path, problem)
        bookmark = None
    incremental = bool(bookmark) and not config.full and not config.steps
    if incremental and not set(config.options) <= set(state.options):
        log.warning("--with %s was not part of the last full export; this run is a full export",
                    ",".join(sorted(set(config.options) - set(state.options))))
        incremental = False
    if incremental:
        check_stored(run.storage.target, fam.registry)
    root_ctx = {fam.account_column: config.account_id,
                **(feed.root_ctx(bookmark if incremental else None) if feed else {})}
    journal = RunJournal(run_dir(run.work, config.api, fam.account_column,
                                 config.account_id), {
        "api": config.api, "account": config.account_id, "base_url": config.base_url,
        "steps": sorted(config.steps or []), "options": sorted(config.options),
        "root": root_ctx, "incremental": incremental})
    if journal.resuming:
        log.warning("resuming an interrupted run: %d completed unit(s) are read from disk",
                    journal.resumed_units)
    tables = fam.tables_for(config.steps)
    return RunPlan(tables, fam.endpoints_for(tables), feed, bookmark, incremental, state, path,
                   root_ctx, journal)


def page_source(config: ExportConfig, fam: Family, session: requests.Session
                ) -> PageSource | None:
    """The family's own way from a unit to pages (Backpack's XML), or None for the JSON
    pagers."""
    if fam.page_source is None:
        return None
    zone = zone_named(config.timezone) if config.timezone else None
    return fam.page_source(session, config.credentials.token or "", zone)


class PageSink:
    """Where the crawl's pages go: the feed, the spool, the shrink guard's ears, the shaper.

    While ``feed_read`` (the first phase of an incremental run) only the feed's own records
    are stored, and only those it keeps; the identity check's record is stored by full runs.
    """

    def __init__(self, run: Run, feed: Feed | None, feed_read: bool) -> None:
        self.run = run
        self.feed = feed
        self.feed_read = feed_read

    def __call__(self, unit: Unit, page: Page) -> None:
        feed, answers = self.feed, self.run.notes.answers
        if feed is not None:
            feed.observe(unit, page.records)
            if unit.endpoint.id in feed.endpoints:
                answers.note_events(page.records)
            if page.number == 1:
                feed.note_total(unit, page.total)
            if self.feed_read:
                if unit.endpoint.id not in feed.endpoints:
                    return
                page = replace(page, records=feed.keep(unit, page.records))
        if self.run.spool is not None:
            self.run.spool.write(unit.endpoint.id, unit.ctx, page)
        answers.heard(unit.endpoint.id, page.number, page.total)
        shape_page(self.run.shaper, unit.endpoint, unit.ctx, page.records, page.fetched_at)


class Crawler:
    """One crawl of the plan's account at a time, its pages into the sink; the units that
    answered in full are told to the shrink guard."""

    def __init__(self, config: ExportConfig, fam: Family, session: requests.Session,
                 pages: PageSource | None, plan: RunPlan, run: Run) -> None:
        self.config, self.fam, self.session, self.plan, self.run = config, fam, session, plan, run
        self.pages = pages
        self.sink = PageSink(run, plan.feed, feed_read=plan.incremental)

    def __call__(self, endpoints: set[str], allow: Callable[[Unit], bool] | None = None,
                 stop: Callable[[Unit, Page], bool] | None = None) -> CrawlReport:
        config = self.config
        report = Crawl(self.session, self.fam.catalog, config.base_url, self.plan.root_ctx,
                       endpoints=endpoints, sink=self.sink, workers=config.workers,
                       max_pages=config.max_pages, preflight=self.fam.preflight,
                       progress=self.run.progress, pages=self.pages,
                       journal=self.plan.journal, allow=allow, stop=stop).run()
        for endpoint_id, ctx in report.answered:
            self.run.notes.answers.asked_unit(endpoint_id, ctx)
        return report
