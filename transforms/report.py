"""A self-contained HTML report of an export: per family, what the last run did, what is there,
what happened in the data over the last two years.

One file, charts as inline SVG, no scripts, no external assets: it can be mailed, archived or
opened offline. Data comes through ``open_export`` (the same typed views notebooks use).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from transforms import report_charts as charts
from transforms.errors import ConfigError
from transforms.notebook import Export
from transforms.parquet import atomic_write_bytes
from transforms.report_charts import clean
from transforms.report_spec import Activity, Completion
from transforms.store.manifest import Manifest
from transforms.tables import table_set
from transforms.tree import Tree, open_tree

REPORT_FILE = "report.html"
MONTHS = 24
TOP_SERIES = 5
TOP_PROJECTS = 15
CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #ccc; }
h3 { margin-top: 1.5rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { padding: .2rem .7rem; border-bottom: 1px solid #eee; text-align: left;
         vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure.chart { margin: 1rem 0; } figure.chart svg { max-width: 100%; height: auto; }
.bad { color: #b00020; } .muted { color: #777; }
"""

# Last-run figures: (label, path into the manifest).
MANIFEST_FIELDS = [
    ("requests", ("http", "requests")),
    ("304 not modified", ("http", "not_modified")),
    ("retries", ("http", "retries")),
    ("429 throttled", ("http", "throttled_429")),
    ("503 unavailable", ("http", "unavailable_503")),
    ("seconds", ("seconds",)),
    ("units", ("units",)),
    ("pages", ("pages",)),
]

@dataclass
class Page:
    """The report being assembled: HTML sections and how many charts went in."""

    sections: list[str] = field(default_factory=list)
    charts: int = 0

    def add(self, text: str) -> None:
        self.sections.append(text)

    def chart(self, chart_id: str, svg: str, caption: str) -> None:
        self.charts += 1
        self.sections.append(f'<figure class="chart" id="{chart_id}">{svg}'
                             f"<figcaption>{esc(caption)}</figcaption></figure>")


def esc(value: Any) -> str:
    """HTML-escaped text without control characters (the data holds NUL bytes)."""
    return html.escape(clean(value))


def write_report(output: Tree | Path | str, to: Path | None = None) -> tuple[Path, int, int]:
    """Render the report of ``output``; return (file written, tables counted, charts drawn).

    A remote export (``s3://...``) is read through ``pyarrow.fs``; its report is written to a
    local ``to``, which must then be given (nothing is written into the store).
    """
    tree = open_tree(output)
    if to is None and tree.folder is None:
        raise ConfigError(f"the report of {tree.shown} needs --to, a local HTML file to write")
    if not tree.is_dir():
        raise ConfigError(f"no export at {tree.shown}: run `basecamp-extract export` first")
    export = Export(tree)
    if not export.apis():
        raise ConfigError(f"no export under {tree.shown}: run `basecamp-extract export` first")
    target = to or Path(tree.shown) / REPORT_FILE
    text, tables, drawn = render(export)
    atomic_write_bytes(target, text.encode())
    return target, tables, drawn


def render(export: Export) -> tuple[str, int, int]:
    page = Page()
    tables = 0
    try:
        for api in export.apis():
            tables += len(export.tables(api))
            family_section(export, api, page)
    finally:
        export.close()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(page.sections)
    text = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>Basecamp export report</title><style>{CSS}</style></head><body>"
            f"<h1>Basecamp export report</h1><p class=\"muted\">{esc(export.root)} · generated "
            f"{stamp}</p>\n{body}\n</body></html>\n")
    return text, tables, page.charts


def family_section(export: Export, api: str, page: Page) -> None:
    """Everything about one family, in a ``<section id="family-<api>">``."""
    spec = table_set(api).report
    manifests = export.manifests(api)
    page.add(f'<section class="family" id="family-{api}">'
             f"<h2>{esc(spec.title)} ({esc(api)})</h2>")
    page.add(f'<h3 id="{api}-last-run">Last run</h3>')
    if not manifests:
        page.add('<p class="muted">No run manifest for this family.</p>')
    for manifest in manifests:
        page.add(manifest_section(manifest))
    page.add(f'<h3 id="{api}-checks">Failures and drift</h3>')
    for manifest in manifests:
        page.add(checks_section(manifest))
    page.add(f'<h3 id="{api}-tables">Tables</h3>')
    page.add(row_counts(export, api))
    if spec.activity is not None:
        page.add(f'<h3 id="{api}-activity">Activity, last {MONTHS} complete months</h3>')
        activity(export, api, spec.activity, run_month(manifests), page)
    if spec.completion is not None:
        page.add(f'<h3 id="{api}-completion">To-do completion per project</h3>')
        completion(export, api, spec.completion, page)
    page.add("</section>")


def dig(manifest: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = manifest
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def manifest_section(manifest: Manifest) -> str:
    account = manifest.get("account", manifest.get("account_id"))
    stored = manifest.get("tables") or {}
    counts = [(t or {}).get("rows") or 0 for t in stored.values()]
    rows: list[tuple[str, Any]] = [
        ("account", account), ("run", manifest.get("run_id")), ("mode", manifest.get("mode")),
        ("started", manifest.get("started_at")), ("finished", manifest.get("finished_at")),
        ("rows written", f"{sum(counts):,} in {sum(1 for n in counts if n)} tables")]
    rows += [(label, dig(manifest, path)) for label, path in MANIFEST_FIELDS]
    rows += limiter_rows(manifest)
    rows.append(("failures", len(manifest.get("failures") or [])))
    rows.append(("warnings", len(manifest.get("warnings") or [])))
    out = ['<table class="manifest">']
    out += [f"<tr><th>{esc(k)}</th><td>{esc('' if v is None else v)}</td></tr>" for k, v in rows]
    out.append("</table>")
    return "\n".join(out)


def limiter_rows(manifest: Manifest) -> list[tuple[str, Any]]:
    """Time the run spent waiting on the client limiter: wall-clock when the manifest has it
    (``throttle_wall_s``); the per-request sum, which counts overlapping workers once each,
    only under a label that says so."""
    http = manifest.get("http") or {}
    summed = http.get("throttle_wait_s")
    wall = http.get("throttle_wall_s")
    if wall is None:
        return [("waited on the limiter, summed over concurrent workers (s)", summed)]
    seconds = manifest.get("seconds") or 0
    share = f" ({wall / seconds:.0%} of the run)" if seconds else ""
    return [("waited on the limiter (s, wall-clock)", f"{wall}{share}"),
            ("limiter waits summed over workers (s)", summed)]


# Manifest checks: (label, key, is it a problem when present).
CHECKS = [
    ("failed units", "failures", True),
    ("incomplete tables", "incomplete", True),
    ("shrink refused (tables kept, not replaced)", "shrink_refused", True),
    ("rows rejected (no key, see _rejects)", "rejects", True),
    ("count mismatches", "count_mismatches", True),
    ("skipped", "skipped", False),
    ("warnings", "warnings", False),
    ("not written (opt-in tables not asked for)", "not_written", False),
]
DRIFT = [("new columns", "new_columns"), ("new tables", "new_tables"),
         ("unparsed values", "unparsed_values")]


def describe(value: Any) -> str:
    """A manifest entry in a line a person reads: lists joined, mappings as ``key: value``."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {describe(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(describe(v) for v in value)
    return str(value)


def checks_section(manifest: Manifest) -> str:
    """Failures, incomplete/refused/rejected tables and schema drift of one account's run."""
    account = manifest.get("account", manifest.get("account_id"))
    out = [f'<table class="checks" data-account="{esc(account)}">']
    drift = manifest.get("drift") or {}
    entries = [(label, manifest.get(key), bad) for label, key, bad in CHECKS]
    entries += [(f"drift: {label}", drift.get(key), False) for label, key in DRIFT]
    for label, value, bad in entries:
        if not value:
            out.append(f'<tr><th>{esc(label)}</th><td class="muted">none</td></tr>')
            continue
        count = sum(value.values()) if key_counts(value) else len(value)
        css = ' class="bad"' if bad else ""
        out.append(f"<tr><th{css}>{esc(label)}</th><td{css}>{count:,}: "
                   f"{esc(describe(value))}</td></tr>")
    out.append("</table>")
    failures = manifest.get("failures") or []
    if failures:
        out.append('<table class="failures bad"><tr><th>endpoint</th><th>url</th>'
                   "<th>error</th></tr>")
        out += [f"<tr><td>{esc(f.get('endpoint'))}</td><td>{esc(f.get('url'))}</td>"
                f"<td>{esc(f.get('error'))}</td></tr>" for f in failures]
        out.append("</table>")
    return "\n".join(out)


def key_counts(value: Any) -> bool:
    """A mapping of counts (``rejects``: table -> rows), summed rather than counted."""
    return isinstance(value, dict) and all(isinstance(v, int) for v in value.values())


def row_counts(export: Export, api: str) -> str:
    out = ['<table class="row-counts"><tr><th>table</th><th>rows</th><th>files</th></tr>']
    for table in export.tables(api):
        data = export.dataset(api, table)
        out.append(f'<tr><td>{esc(table)}</td><td class="n">{data.count_rows():,}</td>'
                   f'<td class="n">{len(data.files):,}</td></tr>')
    out.append("</table>")
    return "\n".join(out)


def has(export: Export, api: str, *tables: str) -> bool:
    return set(tables) <= set(export.tables(api))


def run_month(manifests: list[Manifest]) -> pd.Timestamp:
    """First day of the month of the latest run (naive UTC): that month is not complete."""
    stamps = [pd.Timestamp(m["finished_at"]) for m in manifests if m.get("finished_at")]
    latest = max(stamps) if stamps else pd.Timestamp.now(tz="UTC")
    return month_of(latest)


def month_of(stamp: pd.Timestamp) -> pd.Timestamp:
    return stamp.tz_convert("UTC").tz_localize(None).to_period("M").to_timestamp()


def activity(export: Export, api: str, spec: Activity, running: pd.Timestamp,
             page: Page) -> None:
    """Monthly counts over ``MONTHS`` complete months: the busiest ``TOP_SERIES`` series by
    name, the rest summed as "other".

    The window ends before the month the export ran: that month is still under way, so it
    would drop towards zero. A dormant account (nothing since before last month) ends before
    the month its activity stopped instead, for the same reason, and shows its last two
    active years rather than two empty ones.
    """
    what, per = spec.what, spec.per
    query = spec.query(api, lambda table: has(export, api, table))
    if query is None:
        page.add(f'<p class="muted">No table to count {esc(what)} from in this export.</p>')
        return
    latest = export.sql(f"SELECT max(created_at) AS latest FROM ({query})")["latest"].iloc[0]
    if pd.isna(latest):
        page.add(f'<p class="muted">No {esc(what)} in this export.</p>')
        return
    stopped = month_of(pd.Timestamp(latest))
    end = running if stopped >= running - pd.DateOffset(months=1) else stopped
    start = end - pd.DateOffset(months=MONTHS)
    frame = export.sql(
        f"SELECT series, date_trunc('month', created_at) AS month, count(*) AS n "
        f"FROM ({query}) WHERE created_at >= ? AND created_at < ? GROUP BY ALL",
        [start.tz_localize("UTC").to_pydatetime(), end.tz_localize("UTC").to_pydatetime()])
    span = f"{start:%b %Y} to {end - pd.DateOffset(months=1):%b %Y}"
    if frame.empty:
        page.add(f'<p class="muted">No {esc(what)} from {esc(span)}.</p>')
        return
    frame["month"] = pd.to_datetime(frame["month"], utc=True).dt.tz_convert(None)
    frame["series"] = frame["series"].map(clean)
    table = frame.pivot_table(index="month", columns="series", values="n", aggfunc="sum",
                              fill_value=0)
    table = table.reindex(pd.date_range(start, periods=MONTHS, freq="MS"), fill_value=0)
    ranked = table.sum().sort_values(ascending=False).index
    lines = {str(name): table[name] for name in ranked[:TOP_SERIES]}
    if len(ranked) > TOP_SERIES:
        lines["other"] = table[ranked[TOP_SERIES:]].sum(axis=1)
    total = int(table.to_numpy().sum())
    svg = charts.monthly(lines, f"{what.capitalize()} per month, {span}", what)
    shown = (f"the {TOP_SERIES} busiest of {len(ranked)} plus other"
             if len(ranked) > TOP_SERIES else f"{len(ranked)}")
    page.chart(f"chart-{api}-activity", svg,
               f"{total:,} {what} from {span}, one line per {per} ({shown}); the latest "
               f"on {pd.Timestamp(latest):%Y-%m-%d}.")


def completion(export: Export, api: str, spec: Completion, page: Page) -> None:
    """Share of each project's live to-dos that are completed (trashed, archived left out)."""
    query, needs = spec.query, spec.needs
    if not has(export, api, *needs):
        page.add(f'<p class="muted">No {esc(" or ".join(needs))} table in this export.</p>')
        return
    frame = export.sql(query)
    if frame.empty:
        page.add('<p class="muted">No to-dos.</p>')
        return
    frame["project"] = frame["project"].map(clean)
    frame["rate"] = frame["completed"] / frame["todos"]
    top = frame.head(TOP_PROJECTS)
    notes = [f"{c}/{n}" for c, n in zip(top["completed"], top["todos"], strict=True)]
    svg = charts.bars(list(top["project"]), list(top["rate"] * 100),
                      "Completed to-dos, % per project", "% completed", notes, xmax=100)
    total, done = int(frame["todos"].sum()), int(frame["completed"].sum())
    more = f" Chart: the {TOP_PROJECTS} projects with most to-dos." if len(frame) > len(top) \
        else ""
    page.chart(f"chart-{api}-completion", svg, f"{done:,} of {total:,} to-dos completed "
               f"({done / total:.0%}).{more}")
    out = ['<table class="completion"><tr><th>project</th><th>to-dos</th><th>completed</th>'
           "<th>rate</th></tr>"]
    out += [f'<tr><td>{esc(r.project)}</td><td class="n">{r.todos:,}</td>'
            f'<td class="n">{r.completed:,}</td><td class="n">{r.rate:.0%}</td></tr>'
            for r in frame.itertuples()]
    out.append("</table>")
    page.add("\n".join(out))
