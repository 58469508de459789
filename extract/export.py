"""One export of one account, as a story: plan -> fetch -> shape -> store -> fold -> manifest.

What succeeded is stored. A partition a failed unit feeds keeps the rows an earlier run stored
(never replaced by partial data); where nothing was stored, the rows that did arrive are written,
and the manifest marks the table ``incomplete`` with the missing units. A stored partition is
replaced only when the shrink guard (``transforms.store.guard``) lets it: a listing that answers
empty where rows were stored, or a table losing most of its rows, leaves the stored rows as they
were. Rows without a key go to ``_rejects`` instead of their table. A failed unit or a refused
shrink makes the run exit 7.

``_export`` tells the story; ``extract.run`` holds its characters (the run, its plan, the sink
the crawl's pages go to, the crawler); storing lives in ``transforms.store``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from extract.config import ExportConfig, work_dir
from extract.crawl import CrawlReport
from extract.families import Family, family
from extract.http import (
    HttpSettings,
    build_session,
)
from extract.journal import spooled
from extract.lineage import incomplete_tables, tainted_partitions
from extract.lock import output_lock
from extract.rows import shape_page
from extract.run import (
    Crawler,
    Run,
    RunPlan,
    new_run_id,
    page_source,
    plan_run,
    storage_of,
)
from transforms import parquet
from transforms.shape import Shaper
from transforms.store import layout
from transforms.store.fold import store_incremental
from transforms.store.layout import TABLE
from transforms.store.manifest import Manifest, ok, write_manifest
from transforms.store.partitions import store
from transforms.store.rejects import store_rejects
from transforms.store.state import save_state
from transforms.store.stored import stored_columns
from transforms.store.target import Target
from transforms.tree import Tree, open_tree

log = logging.getLogger(__name__)

STORE_FOLDERS = ("_state", "_manifests")  # in the export, next to the tables
WORK_FOLDERS = ("_runs", "_locks", "_raw")  # in the local work dir (``--work-dir``)
Written = dict[str, dict[str, Any]]


@dataclass
class ExportResult:
    manifest: Manifest
    tree: Tree
    manifest_at: str  # the run's manifest, as messages show it (a local path or a URI)

    @property
    def ok(self) -> bool:
        return ok(self.manifest)

    @property
    def manifest_path(self) -> Path:
        """The run's manifest of a local output."""
        return Path(self.manifest_at)


def run_export(config: ExportConfig, session: requests.Session | None = None) -> ExportResult:
    """Export the selected steps of one account, holding the lock of its output throughout."""
    fam = family(config.api).with_options(config.options)
    api = config.api
    tree = open_tree(config.output)
    work = work_dir(config, tree)
    parquet.ensure_writable(tree, [(api,), *((api, f) for f in STORE_FOLDERS),
                                   *((api, t) for t in fam.tables_for(config.steps))])
    parquet.ensure_writable(Tree.local(work), [(api,), *((api, f) for f in WORK_FOLDERS),
                                               *([(".cache",)] if config.cache else [])])
    with output_lock(work, api, fam.account_column, config.account_id,
                     wait=config.wait_for_lock):
        layout.recover(tree, api, fam.account_column, config.account_id)
        parquet.sweep_temp_files(tree, (api,), f"{fam.account_column}={config.account_id}")
        return _export(config, fam, Run.begin(config, fam, tree, work), session)


def _export(config: ExportConfig, fam: Family, run: Run, session: requests.Session | None
            ) -> ExportResult:
    """One export; see the module docstring for the guarantees."""
    session = session or _session(config, fam, run)
    pages = page_source(config, fam, session)
    plan = plan_run(config, fam, run)
    crawler = Crawler(config, fam, session, pages, plan, run)
    if plan.incremental:
        report, written = _fetch_and_fold(crawler, plan, run)
    else:
        report, written = _fetch_and_store(crawler, plan, run)
    rejects = store_rejects(run.storage.target, run.shaper,
                            full=not plan.incremental and not config.steps)
    manifest = _manifest(run, plan, report, written, rejects)
    where = write_manifest(run.storage.target, manifest)
    _settle(run, plan, report, manifest)
    return ExportResult(manifest, run.storage.target.tree, where)


def _session(config: ExportConfig, fam: Family, run: Run) -> requests.Session:
    """The account's HTTP session: the family's manners, the user's limits."""
    return build_session(HttpSettings(
        user_agent=config.user_agent,
        credentials=config.credentials,
        bucket=f"{config.api}:{config.account_id}",
        rate_limit=config.rate_limit,
        cache_dir=run.work / ".cache" if config.cache and fam.http_cache else None,
        pool_size=max(config.workers, 4),
        retries=config.retries,
        backoff_factor=config.backoff_factor,
        retry_for=config.retry_for,
        full=config.full,
        retry_methods=fam.retry_methods,
        session_auth=fam.session_auth,
        prefix_limits=fam.prefix_limits(config.base_url) if config.rate_limit else {},
        host_budget=fam.host_budget,
        auth=config.grant.auth(config.user_agent) if config.grant else None,
        cache_identity=config.grant.identity() if config.grant else None,
    ), run.stats)


def _fetch_and_store(crawler: Crawler, plan: RunPlan, run: Run) -> tuple[CrawlReport, Written]:
    """A full run: crawl every selected endpoint, then replace partitions under the guard."""
    report = crawler(plan.everything)
    run.progress.crawled()
    return report, store(run.storage, run.shaper, _heard(run, report), run.notes)


def _fetch_and_fold(crawler: Crawler, plan: RunPlan, run: Run) -> tuple[CrawlReport, Written]:
    """An incremental run: read the feed back to the bookmark, crawl what it says changed,
    then fold the rows into the stored ones."""
    feed, fam, storage = plan.feed, run.fam, run.storage
    run.progress.more_crawls(True)
    report = crawler({fam.preflight, *feed.endpoints} & plan.everything, stop=feed.stop)
    changes = feed.changes(plan.bookmark or {}, lambda table, columns: stored_columns(
        storage.target, storage.registry, table, columns))
    second = feed.plan(fam.registry, plan.tables, plan.everything, changes)
    crawler.sink.feed_read = False
    run.progress.more_crawls(False)
    if second.endpoints:
        report.absorb(crawler(second.endpoints, allow=second.allow))
    run.progress.crawled()
    return report, store_incremental(storage, run.shaper, _heard(run, report), second.scope,
                                     run.notes)


def _heard(run: Run, report: CrawlReport) -> set[tuple[str, Any]]:
    """Tell storing what the crawl heard: counts that disagreed, and (returned) the partitions
    failed units feed."""
    run.notes.heard_counts(report.count_mismatches)
    return tainted_partitions(run.fam, report.failures)


def _manifest(run: Run, plan: RunPlan, report: CrawlReport, written: Written,
              rejects: dict[str, int]) -> Manifest:
    config = run.config
    return {
        "run_id": run.run_id,
        "api": config.api,
        "account": config.account_id,
        "base_url": config.base_url,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.now().isoformat(),
        "seconds": run.seconds(),
        "steps": sorted(config.steps) if config.steps else "all",
        "options": sorted(config.options),
        "http": run.stats.as_dict(),
        "units": report.units,
        "pages": report.pages,
        "tables": written,
        "not_written": run.fam.not_written(config.steps),
        "failures": [vars(f) for f in report.failures],
        "incomplete": incomplete_tables(run.fam, report.failures, set(written)),
        "shrink_refused": [r.as_dict() for r in run.notes.refused],
        "rejects": rejects,
        "skipped": [vars(s) for s in report.skipped],
        "warnings": report.warnings,
        "count_mismatches": report.count_mismatches,
        "drift": run.shaper.drift.as_dict(),
        "raw": str(run.spool.root) if run.spool else None,
        "resumed_units": plan.journal.resumed_units,
        "mode": "incremental" if plan.incremental else "full",
    }


def _settle(run: Run, plan: RunPlan, report: CrawlReport, manifest: Manifest) -> None:
    """After the manifest: with every unit answered, the journal goes; the state (bookmark,
    last run) moves on only when no shrink was refused either, so a re-run asks again."""
    if report.failures:
        return
    if not run.notes.refused:
        config, state, feed = run.config, plan.state, plan.feed
        if feed is not None and not config.steps:
            state.bookmarks[feed.name] = feed.bookmark(run.started_at, plan.bookmark)
        if manifest["mode"] == "full" and not config.steps:
            state.last_full = run.started_at.isoformat()
            state.options = sorted(config.options)
        state.last_run = {"run_id": run.run_id, "mode": manifest["mode"],
                          "started_at": run.started_at.isoformat(),
                          "requests": manifest["http"]["requests"],
                          "rows": sum(t.get("rows", 0) for t in manifest["tables"].values())}
        save_state(plan.state_file, state)
    plan.journal.finish()


def shape_from_raw(raw_dir: Path, output: Path | str, api: str, run_id: str | None = None,
                   partition_by: str = TABLE) -> Written:
    """Re-run shape + store from a ``--keep-raw`` spool: no network, the live export's shaping
    (``extract.rows.shape_page``) and storing, in the layout asked."""
    fam = family(api)
    shaper = Shaper(fam.registry, fam.tables_for(None), run_id or new_run_id())
    account: Any = None
    for endpoint_id, ctx, page in spooled(raw_dir):
        account = ctx[fam.account_column]
        shape_page(shaper, fam.catalog[endpoint_id], ctx, page.records, page.fetched_at)
    tree = open_tree(output)
    parquet.ensure_writable(tree)
    target = Target(tree, api, fam.account_column, account or 0, partition_by)
    return store(storage_of(fam, target, frozenset()), shaper, set())
