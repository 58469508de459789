"""One export of one account: crawl -> shape -> store -> manifest.

What succeeded is stored. A partition a failed unit feeds keeps the rows an earlier run stored
(never replaced by partial data); where nothing was stored, the rows that did arrive are written,
and the manifest marks the table ``incomplete`` with the missing units. A stored partition is
replaced only when the shrink guard (``extract.guard``) lets it: a listing that answers empty
where rows were stored, or a table losing most of its rows, leaves the stored rows as they were.
Rows without a key go to ``_rejects`` instead of their table. A failed unit or a refused
shrink makes the run exit 7.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import requests

from extract.catalog.model import Catalog, Endpoint, record_ctx, reshaped
from extract.crawl import Crawl, CrawlReport, Unit
from extract.errors import OutputError
from extract.families import Family, family
from extract.grant import Grant
from extract.guard import RULE, Answers, Refusal, allowed, emptied, lost
from extract.http import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRIES,
    Credentials,
    HttpSettings,
    HttpStats,
    RateLimit,
    build_session,
)
from extract.incremental import Scope
from extract.journal import RunJournal, run_dir
from extract.lock import output_lock
from extract.pagination import DEFAULT_MAX_PAGES, Page
from extract.progress import Progress
from extract.redact import REDACTOR
from extract.state import DamagedState, SyncState, load_state, save_state, state_path
from extract.timezones import zone_named
from transforms import parquet, upsert
from transforms.shape import Shaper, rejects_table

log = logging.getLogger(__name__)

WHOLE_TABLE = "*"
OWN_FOLDERS = ("_state", "_runs", "_manifests", "_locks", "_raw")
WRITERS = 4
IN_FLIGHT = 256


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


@dataclass
class StoreNotes:
    """What storing decided beyond rows written: for the manifest and the exit code."""

    answers: Answers = field(default_factory=Answers)
    refused: list[Refusal] = field(default_factory=list)
    refused_parts: set[tuple[str, Any]] = field(default_factory=set)
    mismatched: set[str] = field(default_factory=set)
    contradicted: set[str] = field(default_factory=set)

    def heard_counts(self, report: CrawlReport) -> None:
        """Endpoints whose counts disagreed; those that answered empty while X-Total-Count
        said there were rows contradict themselves, and no stored row is dropped on their
        word."""
        self.mismatched = {m["endpoint"] for m in report.count_mismatches}
        self.contradicted = {m["endpoint"] for m in report.count_mismatches
                             if m["fetched"] == 0 and m["total"] > 0}

    def contradicts(self, endpoints: Iterable[str]) -> bool:
        return bool(self.contradicted & set(endpoints))

    def refuse(self, refusal: Refusal) -> None:
        log.warning("shrink refused: %s", refusal.line())
        self.refused.append(refusal)


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
        changes = feed.changes(bookmark or {}, lambda t, cols: _stored_columns(config, fam,
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


def store(config: ExportConfig, fam: Family, shaper: Shaper, report: CrawlReport,
          notes: StoreNotes | None = None) -> dict[str, dict[str, Any]]:
    """Write every selected table's partitions, as the module docstring says.

    Partition files are written by a pool, across tables: most tables have a few small
    partitions, so waiting table by table would leave the writers idle. At most
    ``IN_FLIGHT`` files wait at once, which bounds the memory the queued slices hold.
    Parents come before their child lists (a child's name extends its parent's), so a
    refused parent's children stay with it.
    """
    notes = notes if notes is not None else StoreNotes()
    notes.heard_counts(report)
    tainted = tainted_partitions(fam, report)
    summary: dict[str, dict[str, Any]] = {}
    waiting: deque[_TableWrite] = deque()
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="write") as writers:
        for name in sorted(shaper.tables | set(shaper.table_names())):
            waiting.append(_submit_table(config, fam, shaper, name, tainted, writers, notes))
            while sum(len(w.jobs) for w in waiting) > IN_FLIGHT and len(waiting) > 1:
                done = waiting.popleft()
                summary[done.name] = _finish_table(config, done, tainted)
        while waiting:
            done = waiting.popleft()
            summary[done.name] = _finish_table(config, done, tainted)
    return summary


@dataclass
class _TableWrite:
    name: str
    spec: Any
    jobs: list[Any]
    fresh: set[Path]
    kept: list[str]
    rows: int
    existing: set[Path] = field(default_factory=set)
    held: set[Path] = field(default_factory=set)
    refused: bool = False
    may_empty: bool = False


def _store_table(config: ExportConfig, fam: Family, shaper: Shaper, name: str,
                 tainted: set[tuple[str, Any]], writers: ThreadPoolExecutor,
                 notes: StoreNotes) -> dict[str, Any]:
    """Write one table's partitions and drop its stale ones."""
    return _finish_table(config, _submit_table(config, fam, shaper, name, tainted, writers,
                                               notes), tainted)


def _submit_table(config: ExportConfig, fam: Family, shaper: Shaper, name: str,
                  tainted: set[tuple[str, Any]], writers: ThreadPoolExecutor,
                  notes: StoreNotes) -> _TableWrite:
    spec = shaper.normalizer.table(name)
    parts = list(shaper.partitions(name))
    shaper.release(name)
    existing = parquet.existing_partitions(config.output, config.api, spec,
                                           {fam.account_column: config.account_id})
    write = _TableWrite(name, spec, [], set(), [], 0, existing,
                        may_empty=allowed(config.allow_shrink, name, fam.registry))
    write.refused, write.held = _guard_table(config, fam, spec, parts, write.existing, tainted,
                                             notes)
    for part in parts:
        directory = parquet.partition_dir(config.output, config.api, spec, part.mapping)
        held = write.refused or directory in write.held or (
            directory in existing and _is_tainted(tainted, name, part.mapping, spec.partition))
        if held:
            write.kept.append(str(directory))
            continue
        write.jobs.append(writers.submit(parquet.write_partition, directory, spec, part.data))
        write.fresh.add(directory)
        write.rows += part.data.num_rows
    return write


def _finish_table(config: ExportConfig, write: _TableWrite,
                  tainted: set[tuple[str, Any]]) -> dict[str, Any]:
    """Wait for a table's files, then remove partitions this run no longer has."""
    for job in write.jobs:
        job.result()
    name, spec = write.name, write.spec
    stale = write.existing - write.fresh - write.held
    if write.refused or (name, WHOLE_TABLE) in tainted:
        stale.clear()
    elif not write.fresh and stale and not write.may_empty:  # a table the guard cannot read
        log.warning("%s: no rows this run; kept %d partition(s) from earlier runs", name,
                    len(stale))
        stale.clear()
    for directory in stale:
        if not _is_tainted(tainted, name, _values_of(directory), spec.partition):
            parquet.remove_partition(directory)
    kept = len(write.existing - write.fresh - stale) if write.existing else len(write.kept)
    out = {"rows": write.rows, "partitions": len(write.fresh), "kept_partitions": kept}
    if write.refused:
        out["shrink_refused"] = True
    return out


def _held_with_parent(config: ExportConfig, fam: Family, spec: Any, existing: set[Path],
                      notes: StoreNotes) -> set[Path]:
    """A child table's stored project partitions whose parent partition the guard holds."""
    held: set[Path] = set()
    if "project_id" not in spec.partition:
        return held
    for directory in existing:
        project = _values_of(directory).get("project_id")
        if (spec.child_of, project) in notes.refused_parts:
            notes.refused_parts.add((spec.name, project))
            held.add(directory)
    return held


def _guard_table(config: ExportConfig, fam: Family, spec: Any, parts: list[Any],
                 existing: set[Path], tainted: set[tuple[str, Any]],
                 notes: StoreNotes) -> tuple[bool, set[Path]]:
    """(refuse the whole table, stored partitions to hold) under the shrink guard.

    Only this account's stored keys are read (a column-projected read). Partitions a failed
    unit feeds are kept anyway and left out of the comparison.
    """
    name = spec.name
    if not existing or name not in fam.registry or allowed(config.allow_shrink, name,
                                                           fam.registry):
        return False, set()
    parent = spec.child_of
    if parent and (parent, WHOLE_TABLE) in notes.refused_parts:
        notes.refused_parts.add((name, WHOLE_TABLE))
        return True, set()
    if parent:
        # A child list arrives inside its parent's record: the parent row that came back says
        # what the list is now, so a child table only follows its parent's refusals.
        return False, _held_with_parent(config, fam, spec, existing, notes)
    by_project = "project_id" in spec.partition
    key = list(spec.key)
    group = [*(["project_id"] if by_project else []),
             *(["status"] if "status" in spec.columns else [])]
    columns = list(dict.fromkeys([*key, *group]))
    stored = _stored_keys(config, fam, name, existing, columns)
    if stored is None or (name, WHOLE_TABLE) in tainted:
        return False, set()
    projects_tainted = {p for t, p in tainted if t == name}
    new = [p.data.select([c for c in columns if c in p.data.column_names]) for p in parts]
    new_rows = pa.concat_tables(new, promote_options="permissive") if new else \
        stored.schema.empty_table()
    if by_project and projects_tainted:
        stored = stored.filter(pc.invert(pc.fill_null(pc.is_in(
            stored["project_id"], value_set=pa.array(sorted(projects_tainted), pa.int64())),
            False)))
    before = stored.num_rows
    if before == 0:
        return False, set()
    after = new_rows.num_rows
    feeding = fam.endpoints_into(name)
    stated = notes.answers.stated(feeding, notes.mismatched)
    stored = notes.answers.unstated(stored)
    gone = lost(stored, new_rows, key)
    if after == 0 or RULE.refuses(before, gone, stated=stated) or (
            gone and notes.contradicts(feeding)):
        notes.refused_parts.add((name, WHOLE_TABLE))
        notes.refuse(Refusal(name, before, after))
        return True, set()
    if stated:
        return False, set()
    held: set[Path] = set()
    whole = False
    for values, count in emptied(stored, new_rows, key, group):
        project = values.get("project_id")
        if not notes.answers.was_asked(feeding, project):
            continue  # the project itself is gone: its rows go with it
        partition = {fam.account_column: config.account_id, **values}
        if by_project:
            held.add(parquet.partition_dir(config.output, config.api, spec, partition))
            notes.refused_parts.add((name, project))
        else:
            whole = True
        notes.refuse(Refusal(name, count, 0, partition))
    if whole:
        notes.refused_parts.add((name, WHOLE_TABLE))
    return whole, held


def _stored_keys(config: ExportConfig, fam: Family, name: str, existing: set[Path],
                 columns: list[str]) -> pa.Table | None:
    """This account's stored key columns of one table; None when they cannot be read (a
    full run then replaces the unreadable files, which heals them)."""
    try:
        return _read_stored(config, fam, name, existing, columns)
    except OutputError as exc:
        log.warning("%s; this full run replaces what it can", exc)
        return None


def store_incremental(config: ExportConfig, fam: Family, shaper: Shaper, report: CrawlReport,
                      scope: Scope, notes: StoreNotes | None = None
                      ) -> dict[str, dict[str, Any]]:
    """Write an incremental run: whole tables where listed whole, folded rows elsewhere.

    A table a failed unit feeds is not folded (its stored rows stay); a fold the shrink guard
    refuses leaves the table, and its child lists, as stored.
    """
    notes = notes if notes is not None else StoreNotes()
    notes.heard_counts(report)
    tainted = tainted_partitions(fam, report)
    names = sorted(shaper.tables | set(shaper.table_names()))
    whole = [n for n in names if n in scope.tables]
    summary = {}
    with ThreadPoolExecutor(WRITERS, thread_name_prefix="write") as writers:
        for name in whole:
            summary[name] = _store_table(config, fam, shaper, name, tainted, writers, notes)
    new = {n: _merged(shaper, n) for n in names if n not in scope.tables}
    scope.titles = {i: t for rows in new.values()
                    if {"id", "title", "updated_at"} <= set(rows.column_names)
                    for i, t in zip(rows["id"].to_pylist(), rows["title"].to_pylist(),
                                    strict=True) if i is not None and t is not None}
    names += sorted(_with_parent_titles(config, fam, scope) - set(names) - scope.tables)
    new.update({n: fam.registry[n].file_schema().empty_table() for n in names if n not in new
                and n not in scope.tables})
    final: dict[str, pa.Table] = {}
    # Parents before their children.
    for name in sorted(new, key=lambda n: len(fam.registry.parents(n))):
        if any(t == name for t, _ in tainted):
            summary[name] = {"rows": 0, "partitions": 0, "kept_partitions": -1}
            continue
        parent = fam.registry[name].child_of if name in fam.registry else None
        if parent and (parent, WHOLE_TABLE) in notes.refused_parts:
            notes.refused_parts.add((name, WHOLE_TABLE))
            summary[name] = {"rows": 0, "partitions": 0, "kept_partitions": -1,
                             "shrink_refused": True}
            continue
        summary[name] = _fold_table(config, fam, name, new[name], new, scope, final, notes)
    return summary


def _with_parent_titles(config: ExportConfig, fam: Family, scope: Scope) -> set[str]:
    """Stored tables whose rows copy a parent's title: a retitled parent touches them."""
    if not scope.titles:
        return set()
    return {name for name, spec in fam.registry.items()
            if "parent__title" in spec.columns and (config.output / config.api / name).is_dir()}


def _merged(shaper: Shaper, name: str) -> pa.Table:
    parts = [p.data for p in shaper.partitions(name)]
    shaper.release(name)
    spec = shaper.normalizer.table(name)
    return pa.concat_tables(parts, promote_options="permissive") if parts else \
        spec.file_schema().empty_table()


def _fold_table(config: ExportConfig, fam: Family, name: str, rows: pa.Table,
                new: dict[str, pa.Table], scope: Scope,
                final: dict[str, pa.Table], notes: StoreNotes | None = None) -> dict[str, Any]:
    notes = notes if notes is not None else StoreNotes()
    spec = fam.registry.get(name)
    if spec is None:
        return {"rows": 0, "partitions": 0, "kept_partitions": 0}
    account = {fam.account_column: config.account_id}
    existing = parquet.existing_partitions(config.output, config.api, spec, account)
    stored = _read_stored(config, fam, name, existing)
    link = upsert.parent_link(fam.registry, spec)
    if link and link[0] in new:
        # A child list goes with its parent row: only children of the parent rows this run
        # keeps are new, and they replace every stored child of those parents.
        rows = rows.filter(upsert.matches(rows, new[link[0]], link[1]))
    if name in scope.bucket_tables and not link:
        rows = upsert.only_buckets(rows, scope.buckets)
        mask = upsert.in_buckets(stored, scope.buckets) if stored is not None else None
    else:
        parents = (new[link[0]], link[1]) if link and link[0] in new else None
        mask = upsert.superseded(stored, spec, rows, parents, scope.filters.get(name, [])) \
            if stored is not None else None
    if stored is not None and link and link[0] in final:
        orphans = pc.invert(upsert.matches(stored, final[link[0]], link[1]))
        mask = pc.or_(mask, orphans)  # the parent row is gone (deleted, reconciled)
    new[name] = rows
    retitled = 0
    if stored is not None and scope.titles:
        stored, retitled = upsert.retitle_parents(stored, scope.titles)
    if rows.num_rows == 0 and not retitled and (mask is None or not pc.any(mask).as_py()):
        return {"rows": 0, "partitions": 0, "kept_partitions": len(existing)}
    combined = upsert.fold(stored, rows, mask)
    bucketed = name in scope.bucket_tables and not link
    if _fold_refused(config, fam, spec, stored, rows, mask, combined, notes,
                     scope.buckets if bucketed else None, scope.filters.get(name, [])):
        return {"rows": 0, "partitions": 0, "kept_partitions": len(existing),
                "shrink_refused": True}
    final[name] = combined
    fresh = set()
    count = 0
    for values, part in upsert.partitions_of(spec, combined):
        directory = parquet.partition_dir(config.output, config.api, spec, values)
        parquet.write_partition(directory, spec, part)
        fresh.add(directory)
        count += part.num_rows
    for directory in existing - fresh:
        parquet.remove_partition(directory)
    return {"rows": rows.num_rows, "partitions": len(fresh), "kept_partitions": 0,
            "total_rows": count}


def _fold_refused(config: ExportConfig, fam: Family, spec: Any, stored: pa.Table | None,
                  rows: pa.Table, mask: pa.Array | None, combined: pa.Table,
                  notes: StoreNotes, buckets: Mapping[str, set[Any]] | None = None,
                  filters: list[Mapping[str, Any]] | None = None) -> bool:
    """The shrink guard on a fold: removed rows (reconciled, bucket replaced, orphaned) that
    the new rows do not bring back are lost. Refused: a fold that empties the table, a large
    loss, a re-crawled bucket (project, calendar) or a reconciled status list that answered
    empty where rows were stored (a status list whose X-Total-Count agreed states it)."""
    if stored is None or mask is None or stored.num_rows == 0 or \
            allowed(config.allow_shrink, spec.name, fam.registry):
        return False
    key = [k for k in spec.key if k in stored.column_names]
    new_keys = rows.select([k for k in key if k in rows.column_names])
    removed = notes.answers.unstated(stored.filter(mask))
    gone = lost(removed.select(key), new_keys, key) if removed.num_rows else 0
    refusal = None
    feeding = fam.endpoints_into(spec.name) if spec.name in fam.registry else []
    if not combined.num_rows or RULE.refuses(stored.num_rows, gone) or (
            gone and notes.contradicts(feeding)):
        refusal = Refusal(spec.name, stored.num_rows, combined.num_rows)
    for column, values in (buckets or {}).items():
        if refusal is not None or column not in removed.column_names or not values:
            continue
        inside = removed.filter(upsert.in_buckets(removed, {column: values}))
        for group, count in emptied(inside, rows, key, [column]):
            refusal = Refusal(spec.name, count, 0, {fam.account_column: config.account_id,
                                                    **group})
            break
    listed = bool(feeding) and notes.answers.stated(feeding, notes.mismatched)
    for wanted in filters or []:
        if refusal is not None or listed or any(c not in removed.column_names for c in wanted):
            continue
        hit = removed
        for column, value in wanted.items():
            hit = hit.filter(pc.fill_null(pc.equal(hit[column], value), False))
        if hit.num_rows and lost(hit.select(key), new_keys, key) == hit.num_rows:
            refusal = Refusal(spec.name, hit.num_rows, 0,
                              {fam.account_column: config.account_id, **wanted})
    if refusal is None:
        return False
    notes.refused_parts.add((spec.name, WHOLE_TABLE))
    notes.refuse(refusal)
    return True


def check_stored(config: ExportConfig, fam: Family) -> None:
    """Before an incremental run folds into them: every stored file of this account opens.

    A footer read per file (cheap); a damaged one stops the run before any request with one
    line naming it, as nothing can be folded into rows that cannot be read. ``--full``
    rewrites it from the API.
    """
    account = {fam.account_column: config.account_id}
    for spec in fam.registry.values():
        for directory in sorted(parquet.existing_partitions(config.output, config.api, spec,
                                                            account)):
            path = directory / parquet.PART_FILE
            if not path.is_file():
                continue
            try:
                pq.read_metadata(path)
            except (pa.ArrowException, OSError) as exc:
                raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: BaseException) -> OutputError:
    reason = " ".join(str(exc).split())[:160]
    return OutputError(f"stored partition {path} cannot be read ({reason}); run again with "
                       "--full to rebuild it from the API")


def _stored_columns(config: ExportConfig, fam: Family, name: str,
                    columns: list[str]) -> pa.Table | None:
    """Some columns of one stored table of this account (for a feed's change checks)."""
    spec = fam.registry.get(name)
    if spec is None:
        return None
    existing = parquet.existing_partitions(config.output, config.api, spec,
                                           {fam.account_column: config.account_id})
    return _read_stored(config, fam, name, existing, columns)


def _read_stored(config: ExportConfig, fam: Family, name: str, existing: set[Path],
                 columns: list[str] | None = None) -> pa.Table | None:
    """This account's stored rows of one table (only ``columns`` when given)."""
    if not existing:
        return None
    from transforms.read import dataset

    try:
        found = dataset(config.output, config.api, name)
        column = fam.account_column
        wanted = None if columns is None else [c for c in columns if c in found.schema.names]
        return found.to_table(columns=wanted, filter=ds.field(column) == config.account_id)
    except (pa.ArrowException, OSError) as exc:
        raise _unreadable(config.output / config.api / name, exc) from None


def tainted_partitions(fam: Family, report: CrawlReport) -> set[tuple[str, Any]]:
    """(table, project id or '*') pairs a failed unit, or what it would have reached, feeds."""
    tainted: set[tuple[str, Any]] = set()
    for failure in report.failures:
        endpoints = {failure.endpoint} | _descendants(fam.catalog, failure.endpoint)
        project = failure.ctx.get("project_id")
        for endpoint_id in endpoints:
            for table in fam.registry.closure([fam.catalog[endpoint_id].table]):
                spec = fam.registry[table]
                scoped = "project_id" in spec.partition and project is not None
                tainted.add((table, project if scoped else WHOLE_TABLE))
    return tainted


def incomplete_tables(fam: Family, report: CrawlReport, stored: set[str]
                      ) -> dict[str, list[dict[str, str]]]:
    """Tables a failed unit feeds (directly or through what it would have reached), each
    with the missing units, for the manifest."""
    out: dict[str, list[dict[str, str]]] = {}
    for failure in report.failures:
        endpoints = {failure.endpoint} | _descendants(fam.catalog, failure.endpoint)
        tables = fam.registry.closure([fam.catalog[e].table for e in endpoints])
        for table in sorted(tables & stored):
            unit = {"endpoint": failure.endpoint, "url": failure.url}
            if unit not in out.setdefault(table, []):
                out[table].append(unit)
    return dict(sorted(out.items()))


def store_rejects(config: ExportConfig, fam: Family, shaper: Shaper, *, full: bool
                  ) -> dict[str, int]:
    """Write the rows shaping turned away (a null key) to ``_rejects``; counts per table.

    A full run of every step replaces this account's rejects; other runs add theirs to
    what is stored, once per (table, raw record).
    """
    rows = shaper.rejects()
    spec = rejects_table(fam.account_column)
    directory = parquet.partition_dir(config.output, config.api, spec,
                                      {fam.account_column: config.account_id})
    stored = None
    if (directory / parquet.PART_FILE).is_file():
        try:
            stored = pq.read_table(directory / parquet.PART_FILE)
        except (pa.ArrowException, OSError):
            stored = None  # unreadable: replaced below
    if full or stored is None:
        combined = rows
    else:
        combined = pa.concat_tables([stored, rows], promote_options="permissive")
        combined = combined.group_by(["table", "raw"], use_threads=False).aggregate(
            [(c, "last") for c in combined.column_names if c not in ("table", "raw")])
        combined = combined.rename_columns(
            [c.removesuffix("_last") for c in combined.column_names])
    if combined.num_rows:
        parquet.write_partition(directory, spec, combined)
    elif full and directory.is_dir():
        parquet.remove_partition(directory)
    counts = rows.group_by("table").aggregate([([], "count_all")]).to_pylist()
    return {r["table"]: r["count_all"] for r in sorted(counts, key=lambda r: r["table"])}


def _is_tainted(tainted: set[tuple[str, Any]], table: str, values: dict[str, Any],
                partition: Iterable[str]) -> bool:
    if (table, WHOLE_TABLE) in tainted:
        return True
    project = values.get("project_id")
    return "project_id" in partition and project is not None and (table, project) in tainted


def _values_of(directory: Path) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for part in directory.parts:
        if "=" in part:
            column, _, value = part.partition("=")
            values[column] = int(value) if value.lstrip("-").isdigit() else value
    return values


def _descendants(catalog: Catalog, endpoint_id: str) -> set[str]:
    out: set[str] = set()
    stack = [endpoint_id]
    while stack:
        for child in catalog.children(stack.pop()):
            if child.id not in out:
                out.add(child.id)
                stack.append(child.id)
    return out


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
    from extract.timezones import known
    from extract.xmlapi import ZONE_FIELD
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
