"""One export of one account: crawl -> shape -> store -> manifest.

What succeeded is stored. A partition a failed unit feeds keeps the rows an earlier run stored
(never replaced by partial data); where nothing was stored, the rows that did arrive are written,
and the manifest marks the table ``incomplete`` with the missing units. A stored partition is
replaced only when the shrink guard (``extract.guard``) lets it: a listing that answers empty
where rows were stored, or a table losing most of its rows, leaves the stored rows as they were.
Rows without a key go to ``_rejects`` instead of their table. A failed unit or a refused
shrink makes the run exit 7. Storing itself lives in ``extract.store`` (full runs) and
``extract.fold`` (incremental runs); this module plans, crawls and writes the manifest.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from extract.catalog import Endpoint, record_ctx, reshaped
from extract.crawl import Crawl, CrawlReport, Unit
from extract.families import family
from extract.families.bc4.grant import Grant
from extract.fold import store_incremental
from extract.http import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRIES,
    Credentials,
    HttpSettings,
    HttpStats,
    RateLimit,
    build_session,
)
from extract.journal import RunJournal, run_dir
from extract.lock import output_lock
from extract.pagination import DEFAULT_MAX_PAGES, Page
from extract.progress import Progress
from extract.state import DamagedState, SyncState, load_state, save_state, state_path
from extract.store import (
    StoreNotes,
    check_stored,
    incomplete_tables,
    store,
    store_rejects,
    stored_columns,
)
from extract.timezones import zone_named
from transforms import parquet
from transforms.redact import REDACTOR
from transforms.shape import Shaper

log = logging.getLogger(__name__)

OWN_FOLDERS = ("_state", "_runs", "_manifests", "_locks", "_raw")


@dataclass
class ExportConfig:
    """What an export needs to know; the CLI fills it from options and environment."""

    account_id: int | str
    base_url: str
    user_agent: str
    credentials: Credentials
    output: Path
    api: str = "bc2"
    steps: list[str] | None = None
    workers: int = 8
    rate_limit: RateLimit | None = None
    cache: bool = True
    max_pages: int = DEFAULT_MAX_PAGES
    retries: int | None = DEFAULT_RETRIES
    backoff_factor: float = DEFAULT_BACKOFF
    retry_for: float | None = None
    keep_raw: bool = False
    timezone: str | None = None
    progress: Progress | None = None
    extra_manifest: dict[str, Any] = field(default_factory=dict)
    grant: Grant | None = None
    options: tuple[str, ...] = ()
    full: bool = False
    wait_for_lock: bool = True
    allow_shrink: frozenset[str] = frozenset()


@dataclass
class ExportResult:
    manifest: dict[str, Any]
    manifest_path: Path

    @property
    def ok(self) -> bool:
        return not self.manifest["failures"] and not self.manifest.get("shrink_refused")


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def run_export(config: ExportConfig, session: requests.Session | None = None) -> ExportResult:
    """Export the selected steps of one account, holding the lock of its output throughout."""
    fam = family(config.api).with_options(config.options)
    api = config.api
    parquet.ensure_writable(config.output, [
        api, *(f"{api}/{f}" for f in OWN_FOLDERS), *([".cache"] if config.cache else []),
        *(f"{api}/{t}" for t in fam.tables_for(config.steps))])
    with output_lock(config.output, api, fam.account_column, config.account_id,
                     wait=config.wait_for_lock):
        parquet.sweep_temp_files(config.output / api, f"{fam.account_column}={config.account_id}")
        return _export(config, session)


def _export(config: ExportConfig, session: requests.Session | None) -> ExportResult:
    """One export; see the module docstring for the guarantees."""
    started = time.monotonic()
    started_at = datetime.now(UTC)
    fam = family(config.api)
    if config.options:
        fam = fam.with_options(config.options)
    REDACTOR.add(*config.credentials.secrets())
    if config.grant is not None:
        REDACTOR.add(*config.grant.secrets())
    run_id = new_run_id()
    stats = HttpStats()
    progress = config.progress or Progress()
    progress.watch(stats, config.workers, config.rate_limit)
    if session is None:
        session = build_session(HttpSettings(
            user_agent=config.user_agent,
            credentials=config.credentials,
            bucket=f"{config.api}:{config.account_id}",
            rate_limit=config.rate_limit,
            cache_dir=config.output / ".cache" if config.cache and fam.http_cache else None,
            pool_size=max(config.workers, 4),
            retries=config.retries,
            backoff_factor=config.backoff_factor,
            retry_for=config.retry_for,
            full=config.full,
            retry_methods=fam.retry_methods,
            session_auth=fam.session_auth,
            prefix_limits=fam.prefix_limits(config.base_url) if config.rate_limit else {},
            auth=config.grant.auth(config.user_agent) if config.grant else None,
            cache_identity=config.grant.identity() if config.grant else None,
        ), stats)
    pages = None
    if fam.page_source is not None:
        zone = zone_named(config.timezone) if config.timezone else None
        pages = fam.page_source(session, config.credentials.token or "", zone)
    tables = fam.tables_for(config.steps)
    shaper = Shaper(fam.registry, tables, run_id)
    spool = RawSpool(config.output / config.api / "_raw" / run_id) if config.keep_raw else None

    notes = StoreNotes()

    def sink(unit: Unit, page: Page) -> None:
        if spool is not None:
            spool.write(unit, page)
        notes.answers.heard(unit.endpoint.id, page.number, page.total)
        add_records(shaper, unit.endpoint, page.records, unit.ctx, page.fetched_at)

    feed = fam.feed() if fam.feed is not None else None
    state_file = state_path(config.output, config.api, fam.account_column, config.account_id)
    state = _sync_state(state_file, config.full)
    bookmark = state.bookmarks.get(feed.name) if feed is not None else None
    problem = feed.check(bookmark) if feed is not None and bookmark else None
    if problem:
        if not config.full and not config.steps:
            log.warning("the %s bookmark in %s cannot be used (%s); this run is a full export",
                        feed.name, state_file, problem)
        bookmark = None
    incremental = bool(bookmark) and not config.full and not config.steps
    if incremental and not set(config.options) <= set(state.options):
        log.warning("--with %s was not part of the last full export; this run is a full export",
                    ",".join(sorted(set(config.options) - set(state.options))))
        incremental = False
    if incremental:
        check_stored(config, fam)
    root_ctx = {fam.account_column: config.account_id,
                **(feed.root_ctx(bookmark if incremental else None) if feed else {})}
    journal = RunJournal(run_dir(config.output, config.api, fam.account_column,
                                 config.account_id), {
        "api": config.api, "account": config.account_id, "base_url": config.base_url,
        "steps": sorted(config.steps or []), "options": sorted(config.options),
        "root": root_ctx, "incremental": incremental})
    if journal.resuming:
        log.warning("resuming an interrupted run: %d completed unit(s) are read from disk",
                    journal.resumed_units)

    phase = {"first": incremental}

    def observed(unit: Unit, page: Page) -> None:
        if feed is not None:
            feed.observe(unit, page.records)
            if unit.endpoint.id in feed.endpoints:
                notes.answers.note_events(page.records)
            if page.number == 1:
                feed.note_total(unit, page.total)
            if phase["first"]:
                if unit.endpoint.id not in feed.endpoints:
                    return  # the identity check: its record is stored by full runs only
                page = replace(page, records=feed.keep(unit, page.records))
        sink(unit, page)

    def crawl(endpoints: set[str], allow: Callable[[Unit], bool] | None = None,
              stop: Callable[[Unit, Page], bool] | None = None) -> CrawlReport:
        report = Crawl(session, fam.catalog, config.base_url, root_ctx, endpoints=endpoints,
                       sink=observed, workers=config.workers, max_pages=config.max_pages,
                       preflight=fam.preflight, progress=progress, pages=pages,
                       journal=journal, allow=allow, stop=stop).run()
        for endpoint_id, ctx in report.answered:
            notes.answers.asked_unit(endpoint_id, ctx)
        return report

    everything = fam.endpoints_for(tables)
    if incremental and feed is not None:
        progress.more_crawls(True)
        report = crawl({fam.preflight, *feed.endpoints} & everything, stop=feed.stop)
        changes = feed.changes(bookmark or {}, lambda t, cols: stored_columns(config, fam,
                                                                               t, cols))
        plan = feed.plan(fam.registry, tables, everything, changes)
        phase["first"] = False
        progress.more_crawls(False)
        if plan.endpoints:
            report.absorb(crawl(plan.endpoints, allow=plan.allow))
        progress.crawled()
        written = store_incremental(config, fam, shaper, report, plan.scope, notes)
    else:
        report = crawl(everything)
        progress.crawled()
        written = store(config, fam, shaper, report, notes)
    rejects = store_rejects(config, fam, shaper, full=not incremental and not config.steps)
    mode = "incremental" if incremental else "full"
    manifest = {
        "run_id": run_id,
        "api": config.api,
        "account": config.account_id,
        "base_url": config.base_url,
        "started_at": started_at.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "seconds": round(time.monotonic() - started, 3),
        "steps": sorted(config.steps) if config.steps else "all",
        "options": sorted(config.options),
        "http": stats.as_dict(),
        "units": report.units,
        "pages": report.pages,
        "tables": written,
        "not_written": fam.not_written(config.steps),
        "failures": [vars(f) for f in report.failures],
        "incomplete": incomplete_tables(fam, report, set(written)),
        "shrink_refused": [r.as_dict() for r in notes.refused],
        "rejects": rejects,
        "skipped": [vars(s) for s in report.skipped],
        "warnings": report.warnings,
        "count_mismatches": report.count_mismatches,
        "drift": shaper.drift.as_dict(),
        "raw": str(spool.root) if spool else None,
        "resumed_units": journal.resumed_units,
        "mode": mode,
        **config.extra_manifest,
    }
    path = write_manifest(config.output, config.api, fam.account_column, config.account_id,
                          manifest)
    if not report.failures and notes.refused:
        journal.finish()  # the answers were heard; a re-run asks again, the bookmark stays
    elif not report.failures:
        if feed is not None and not config.steps:
            state.bookmarks[feed.name] = feed.bookmark(started_at, bookmark)
        if mode == "full" and not config.steps:
            state.last_full = started_at.isoformat()
            state.options = sorted(config.options)
        state.last_run = {"run_id": run_id, "mode": mode, "started_at": started_at.isoformat(),
                          "requests": stats.as_dict()["requests"],
                          "rows": sum(t.get("rows", 0) for t in written.values())}
        save_state(state_file, state)
        journal.finish()
    return ExportResult(manifest, path)


def _sync_state(path: Path, full: bool) -> SyncState:
    """The stored state; a damaged file stops the run unless ``--full`` starts it afresh."""
    try:
        return load_state(path) or SyncState()
    except DamagedState:
        if not full:
            raise
        if not path.is_file():
            raise DamagedState(f"the state file {path} is not a file; delete it") from None
        log.warning("the state file %s cannot be used; --full starts it afresh", path)
        return SyncState()


def add_records(shaper: Shaper, endpoint: Endpoint, records: list[dict[str, Any]],
                ctx: Mapping[str, Any], fetched_at: datetime) -> None:
    """Hand one page to the shaper; account-wide lists take context (project) per record."""
    if endpoint.reshape:
        records = [dict(reshaped(endpoint, r)) for r in records]
    if not endpoint.row_ctx:
        groups = [(ctx, records)]
    else:
        by_ctx: dict[tuple[Any, ...], tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        for record in records:
            own = record_ctx(endpoint, ctx, record)
            key = tuple(own.get(name) for name in endpoint.row_ctx)
            by_ctx.setdefault(key, (own, []))[1].append(record)
        groups = list(by_ctx.values())
    for group_ctx, rows in groups:
        shaper.add(endpoint.table, rows, group_ctx, endpoint.constants,
                   member=endpoint.is_member, fetched_at=fetched_at, thin=endpoint.thin,
                   source=endpoint.id)


def write_manifest(output: Path, api: str, column: str, account: int | str,
                   manifest: dict[str, Any]) -> Path:
    folder = output / api / "_manifests" / f"{column}={account}"
    payload = json.dumps(manifest, indent=2, default=str).encode()
    path = folder / f"{manifest['run_id']}.json"
    parquet.atomic_write_bytes(path, payload)
    parquet.atomic_write_bytes(folder / "latest.json", payload)
    return path


class RawSpool:
    """Raw pages as they came, one file each: a JSON header line, then the body bytes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._count = 0
        root.mkdir(parents=True, exist_ok=True)

    def write(self, unit: Unit, page: Page) -> None:
        self._count += 1
        header = {"endpoint": unit.endpoint.id, "ctx": dict(unit.ctx), "page": page.number,
                  "fetched_at": page.fetched_at.isoformat()}
        name = self.root / f"{self._count:07d}-{unit.endpoint.id}.json"
        name.write_bytes(json.dumps(header).encode() + b"\n" + page.body)


def _decode_raw(body: bytes, zone: Any) -> tuple[list[dict[str, Any]], Any]:
    """A raw page's records: JSON as is; XML (Backpack) read in the account zone, which the
    spool's ``me.xml`` page names first, as the live transport learns it."""
    if not body.lstrip().startswith(b"<"):
        payload = json.loads(body)
        return (payload if isinstance(payload, list) else [payload]), zone
    from extract.families.backpack.transport import ZONE_FIELD
    from extract.timezones import known
    from transforms.xml import records

    found, _ = records(body, zone)
    if zone is None:
        named = next((r[ZONE_FIELD] for r in found if isinstance(r.get(ZONE_FIELD), str)), None)
        if named is not None:
            zone = zone_named(named) if known(named) else zone_named("UTC")
    return found, zone


def shape_from_raw(raw_dir: Path, output: Path, api: str, run_id: str | None = None
                   ) -> dict[str, dict[str, Any]]:
    """Re-run shape + store from a raw spool: no network, same code path as a live export."""
    fam = family(api)
    shaper = Shaper(fam.registry, fam.tables_for(None), run_id or new_run_id())
    account_id = None
    zone: Any = None
    for path in sorted(raw_dir.glob("*.json")):
        header_line, _, body = path.read_bytes().partition(b"\n")
        header = json.loads(header_line)
        endpoint = fam.catalog[header["endpoint"]]
        records, zone = _decode_raw(body, zone)
        if endpoint.unwrap:
            records = [item for group in records for item in group.get(endpoint.unwrap) or []]
        account_id = header["ctx"][fam.account_column]
        add_records(shaper, endpoint, records, header["ctx"],
                    datetime.fromisoformat(header["fetched_at"]))
    config = ExportConfig(account_id=account_id or 0, base_url="", user_agent="",
                          credentials=Credentials(), output=output, api=api)
    parquet.ensure_writable(output)
    return store(config, fam, shaper, CrawlReport())
