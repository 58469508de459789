"""A self-contained HTML report of an export: what is there, what happened, what the last run did.

One file, charts as inline SVG, no scripts, no external assets: it can be mailed, archived or
opened offline. Data comes through ``open_export`` (the same typed views notebooks use).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from extract.errors import ConfigError
from transforms import report_charts as charts
from transforms.notebook import Export, open_export
from transforms.parquet import atomic_write_bytes

REPORT_FILE = "report.html"
TOP_PROJECTS = 6
CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { padding: .2rem .7rem; border-bottom: 1px solid #eee; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure.chart { margin: 1rem 0; } figure.chart svg { max-width: 100%; height: auto; }
.bad { color: #b00020; } .muted { color: #777; }
"""

MANIFEST_FIELDS = [
    ("requests", ("http", "requests")),
    ("304 not modified", ("http", "not_modified")),
    ("retries", ("http", "retries")),
    ("429 throttled", ("http", "throttled_429")),
    ("waited on the limiter (s)", ("http", "throttle_wait_s")),
    ("seconds", ("seconds",)),
    ("units", ("units",)),
    ("pages", ("pages",)),
]


@dataclass
class Page:
    """The report being assembled: HTML sections and how many charts went in."""

    sections: list[str] = field(default_factory=list)
    charts: int = 0

    def chart(self, chart_id: str, svg: str, caption: str) -> None:
        self.charts += 1
        self.sections.append(f'<figure class="chart" id="{chart_id}">{svg}'
                             f"<figcaption>{esc(caption)}</figcaption></figure>")


def esc(value: Any) -> str:
    return html.escape(str(value))


def write_report(output: Path | str, to: Path | None = None) -> tuple[Path, int, int]:
    """Render the report of ``output``; return (file written, tables counted, charts drawn)."""
    output = Path(output)
    if not output.is_dir():
        raise ConfigError(f"no export at {output}: run `basecamp-extract export` first")
    export = open_export(output)
    if not export.apis():
        raise ConfigError(f"no export under {output}: run `basecamp-extract export` first")
    target = to or output / REPORT_FILE
    text, tables, drawn = render(export)
    atomic_write_bytes(target, text.encode())
    return target, tables, drawn


def render(export: Export) -> tuple[str, int, int]:
    page = Page()
    tables = 0
    try:
        for api in export.apis():
            page.sections.append(f"<h2>{esc(api)}: last run</h2>")
            for manifest in export.manifests(api):
                page.sections.append(manifest_section(manifest))
            page.sections.append(f"<h2>{esc(api)}: tables</h2>")
            page.sections.append(row_counts(export, api))
            tables += len(export.tables(api))
            if api == "bc2":
                bc2_activity(export, page)
                bc2_completion(export, page)
    finally:
        export.close()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(page.sections)
    text = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>Basecamp export report</title><style>{CSS}</style></head><body>"
            f"<h1>Basecamp export report</h1><p class=\"muted\">{esc(export.root)} · generated "
            f"{stamp}</p>\n{body}\n</body></html>\n")
    return text, tables, page.charts


def manifest_section(manifest: dict[str, Any]) -> str:
    account = manifest.get("account", manifest.get("account_id"))
    rows = [("account", account), ("run", manifest.get("run_id")),
            ("started", manifest.get("started_at")), ("finished", manifest.get("finished_at"))]
    for label, path in MANIFEST_FIELDS:
        value: Any = manifest
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        rows.append((label, value))
    failures = manifest.get("failures") or []
    rows.append(("failures", len(failures)))
    rows.append(("warnings", len(manifest.get("warnings") or [])))
    out = ['<table class="manifest">']
    out += [f"<tr><th>{esc(k)}</th><td>{esc('' if v is None else v)}</td></tr>" for k, v in rows]
    out.append("</table>")
    if failures:
        out.append('<table class="failures bad"><tr><th>endpoint</th><th>url</th>'
                   "<th>error</th></tr>")
        out += [f"<tr><td>{esc(f.get('endpoint'))}</td><td>{esc(f.get('url'))}</td>"
                f"<td>{esc(f.get('error'))}</td></tr>" for f in failures]
        out.append("</table>")
    for warning in manifest.get("warnings") or []:
        out.append(f'<p class="muted">warning: {esc(warning)}</p>')
    drift = manifest.get("drift") or {}
    if any(drift.values()):
        out.append(f'<p class="muted">drift: {esc(drift)}</p>')
    return "\n".join(out)


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


def bc2_activity(export: Export, page: Page) -> None:
    """Events per month for the busiest projects (the account-wide feed, by bucket)."""
    page.sections.append("<h2>Activity over time per project</h2>")
    if not has(export, "bc2", "events"):
        page.sections.append('<p class="muted">No events table in this export.</p>')
        return
    frame = export.sql(
        "SELECT bucket__name AS project, date_trunc('month', created_at) AS month, "
        "count(*) AS events FROM bc2.events WHERE bucket__type = 'Project' "
        "GROUP BY ALL")
    if frame.empty:
        page.sections.append('<p class="muted">No project events.</p>')
        return
    frame["month"] = pd.to_datetime(frame["month"], utc=True).dt.tz_convert(None)
    table = frame.pivot_table(index="month", columns="project", values="events",
                              aggfunc="sum", fill_value=0)
    table = table.reindex(pd.date_range(table.index.min(), table.index.max(), freq="MS"),
                          fill_value=0)
    top = table.sum().sort_values(ascending=False).index[:TOP_PROJECTS]
    svg = charts.lines({str(p): table[p] for p in top}, "Events per month, busiest projects",
                       "events")
    page.chart("chart-activity", svg, f"Events per month for the {len(top)} busiest projects "
               f"of {table.shape[1]}.")


def bc2_completion(export: Export, page: Page) -> None:
    """Share of each project's to-dos that are completed (trashed to-dos left out)."""
    page.sections.append("<h2>To-do completion per project</h2>")
    if not has(export, "bc2", "todos", "projects"):
        page.sections.append('<p class="muted">No todos or projects table in this export.</p>')
        return
    frame = export.sql(
        "SELECT coalesce(p.name, 'project ' || t.project_id) AS project, count(*) AS todos, "
        "count(*) FILTER (WHERE t.completed) AS completed "
        "FROM bc2.todos t LEFT JOIN bc2.projects p ON p.id = t.project_id "
        "WHERE NOT coalesce(t.trashed, false) GROUP BY ALL ORDER BY todos DESC, project")
    if frame.empty:
        page.sections.append('<p class="muted">No to-dos.</p>')
        return
    frame["rate"] = frame["completed"] / frame["todos"]
    notes = [f"{c}/{n}" for c, n in zip(frame["completed"], frame["todos"], strict=True)]
    svg = charts.bars(list(frame["project"]), list(frame["rate"] * 100),
                      "Completed to-dos, % per project", "% completed", notes)
    total, done = int(frame["todos"].sum()), int(frame["completed"].sum())
    page.chart("chart-completion", svg, f"{done:,} of {total:,} to-dos completed "
               f"({done / total:.0%}).")
    out = ['<table class="completion"><tr><th>project</th><th>to-dos</th><th>completed</th>'
           "<th>rate</th></tr>"]
    out += [f'<tr><td>{esc(r.project)}</td><td class="n">{r.todos:,}</td>'
            f'<td class="n">{r.completed:,}</td><td class="n">{r.rate:.0%}</td></tr>'
            for r in frame.itertuples()]
    out.append("</table>")
    page.sections.append("\n".join(out))
