"""The HTML report: a section per family with the last run, checks, counts and charts.

One export holds a tiny account of each family (in-process sandboxes, rate limits off); the
report of it is read as text here and opened in Chromium in ``test_report_browser``.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from extract.export import run_export
from extract.http import HttpStats, RateLimit
from sandbox import Sandbox
from tests.conftest import sandbox_config
from tests.test_backpack_export import config as backpack_config
from tests.test_bc4_export import config as bc4_config
from tests.test_cli import run_cli
from transforms import report_charts as charts
from transforms.notebook import open_export
from transforms.read import dataset
from transforms.report import MONTHS, render, write_report

FAMILIES = ("bc2", "bc4", "backpack")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def export_three_families(out: Path) -> Path:
    """A tiny account of every family exported into ``out``, limits off."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        assert run_export(sandbox_config(box, out)).ok
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        assert run_export(bc4_config(box, out)).ok
    with Sandbox(api="backpack", size="tiny", rate_limit=None, calendar_rate_limit=None) as box:
        assert run_export(backpack_config(box, out)).ok
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    return export_three_families(tmp_path_factory.mktemp("export"))


@pytest.fixture(scope="module")
def report(exported, tmp_path_factory) -> Path:
    path, tables, drawn = write_report(exported, tmp_path_factory.mktemp("report") / "r.html")
    assert tables > 90 and drawn == 5
    return path


def section(text: str, api: str) -> str:
    match = re.search(rf'<section class="family" id="family-{api}">(.*?)</section>', text, re.S)
    assert match, api
    return match.group(1)


def latest(exported: Path, api: str) -> dict[str, Any]:
    return json.loads(next((exported / api / "_manifests").rglob("latest.json")).read_text())


@pytest.mark.parametrize("api", FAMILIES)
def test_manifests__found_for_every_family(exported, api):
    """With an export of each family, expect the notebook API to find its manifest
    (Backpack's folders are ``account=``, Basecamp's ``account_id=``)."""
    found = open_export(exported).manifests(api)
    assert [m["run_id"] for m in found] == [latest(exported, api)["run_id"]]
    assert found[0]["api"] == api


def test_report__is_self_contained(report):
    """With the report, expect inline SVG charts and no scripts, links or external sources."""
    text = report.read_text()
    assert text.count("<svg") == 5
    assert not re.search(r"<script|<link|<img|<iframe|src=|url\((?!#)", text, re.I)
    assert not re.search(r"https?://(?!www\.w3\.org/)", re.sub(r"<td>[^<]*</td>", "", text))


@pytest.mark.parametrize("api", FAMILIES)
def test_report__last_run_figures_per_family(report, exported, api):
    """With the report, expect each family's section to hold its own last run's figures."""
    part = section(report.read_text(), api)
    manifest = latest(exported, api)
    assert manifest["run_id"] in part
    assert f"<th>requests</th><td>{manifest['http']['requests']}</td>" in part
    for label in ("304 not modified", "retries", "429 throttled", "waited on the limiter",
                  "failed units", "incomplete tables", "shrink refused", "rows rejected",
                  "not written", "drift: new columns"):
        assert label in part, label


def test_report__counts_rows_per_table(report, exported):
    """With the report, expect each family's tables with their row counts."""
    text = report.read_text()
    for api, table in (("bc2", "todos"), ("bc4", "todos"),
                       ("backpack", "journal_entries")):
        rows = dataset(exported, api, table).count_rows()
        assert f'<td>{table}</td><td class="n">{rows:,}</td>' in section(text, api)


@pytest.mark.parametrize("api", FAMILIES)
def test_report__activity_over_24_complete_months(report, exported, api):
    """With the report, expect a monthly chart of 24 complete months that ends before the
    run's month, with at most 5 named series plus "other"."""
    part = section(report.read_text(), api)
    chart = re.search(rf'<figure class="chart" id="chart-{api}-activity">(.*?)</figure>',
                      part, re.S)
    assert chart, api
    caption = re.search(r"from (\w{3} \d{4}) to (\w{3} \d{4})", chart.group(1))
    first, last = (pd.Timestamp(caption.group(i)) for i in (1, 2))
    assert (last.year - first.year) * 12 + last.month - first.month == MONTHS - 1
    run = pd.Timestamp(latest(exported, api)["finished_at"]).tz_localize(None)
    assert last < run.to_period("M").to_timestamp()
    assert "<path" in chart.group(1)
    lines = re.search(r"one line per [\w ]+ \((?:the 5 busiest of (\d+) plus other|(\d+))\)",
                      chart.group(1))
    assert lines, chart.group(1)[-300:]
    busiest, few = lines.groups()
    assert int(busiest) > 5 if busiest else int(few) <= 5
    assert busiest or api != "bc4"  # 18 kinds of recording: 5 lines and "other"


def test_report__bc4_to_do_completion(report, exported):
    """With the BC4 section, expect the completion chart and the totals of live to-dos."""
    todos = open_export(exported).df("bc4", "todos")
    live = todos[todos["status"] == "active"]
    done = int(live["completed"].fillna(False).sum())
    part = section(report.read_text(), "bc4")
    assert 'id="chart-bc4-completion"' in part
    assert f"{done:,} of {len(live):,} to-dos completed" in part


def test_report__checks_and_control_characters(tmp_path):
    """With a manifest reporting every kind of trouble and data holding NUL bytes, expect each
    check listed with its count, and no control character anywhere in the page."""
    folder = tmp_path / "bc2" / "_manifests" / "account_id=1"
    folder.mkdir(parents=True)
    manifest = {
        "run_id": "r1", "api": "bc2", "account": 1, "finished_at": "2026-03-02T00:00:00+00:00",
        "seconds": 10.0, "http": {"requests": 5, "throttle_wait_s": 40.0},
        "failures": [{"endpoint": "todos", "url": "/todos\x00.json", "error": "boom\x00\x07"}],
        "incomplete": {"todos": [{"endpoint": "todos", "url": "/todos.json"}]},
        "shrink_refused": [{"table": "people", "before": 10, "after": 2}],
        "rejects": {"comments": 3, "todos": 2}, "not_written": ["todos__subscribers"],
        "warnings": ["odd\x00warning"],
        "drift": {"new_columns": {"todos": ["created_at\x00"]}, "new_tables": [],
                  "unparsed_values": {}}}
    (folder / "latest.json").write_text(json.dumps(manifest))
    text, _, _ = render(open_export(tmp_path))
    assert not CONTROL.search(text)
    assert "boom" in text and "created_at" in text and "oddwarning" in text
    assert re.search(r'<th class="bad">rows rejected[^<]*</th><td class="bad">5: ', text)
    assert re.search(r'<th class="bad">shrink refused[^<]*</th><td class="bad">1: ', text)
    assert re.search(r'<th class="bad">incomplete tables</th><td class="bad">1: todos', text)
    assert "<th>not written (opt-in tables not asked for)</th><td>1: todos__subscribers" in text
    assert "summed over concurrent workers" in text  # an older manifest: no wall-clock figure


def test_charts__no_warning_and_no_control_character():
    """With labels holding NUL and a glyph DejaVu Sans lacks, expect a clean SVG, no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svg = charts.bars(["a\x00b", "\u6f22\u5b57 project"], [50.0, 25.0], "t\x07", "%")
    assert "ab" in svg and not CONTROL.search(svg)


def test_limiter__wall_clock_is_the_union_of_waits():
    """With waits [0, 10] and [1, 2] overlapping (two workers) then [20, 23], expect 13 s
    wall-clock (the sum would be 14): the clock is read only when the first worker starts
    waiting and when the last one stops."""
    ticks = iter([0.0, 10.0, 20.0, 23.0])
    stats = HttpStats(clock=lambda: next(ticks))
    with stats.waiting(), stats.waiting():
        pass
    with stats.waiting():
        pass
    assert stats.as_dict()["throttle_wall_s"] == 13.0


def test_limiter__wall_clock_within_the_run(tmp_path):
    """With 4 workers behind a client limit, expect the wall-clock wait no longer than the
    run, and shorter than the per-request sum (workers wait together). The tiny account's
    160 requests need 4 s at 40/s, so the limiter is waited on even when a loaded machine
    slows the crawl (at 80/s it sometimes was not)."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        result = run_export(sandbox_config(box, tmp_path, rate_limit=RateLimit(40, 1.0)))
    http, seconds = result.manifest["http"], result.manifest["seconds"]
    assert 0.5 < http["throttle_wall_s"] <= seconds
    assert http["throttle_wall_s"] < http["throttle_wait_s"]
    text, _, _ = render(open_export(tmp_path))
    assert f"<th>waited on the limiter (s, wall-clock)</th><td>{http['throttle_wall_s']} (" \
        in text


def test_report__cli_writes_report_html_and_prints_no_warning(exported):
    """With `report -o DIR`, expect DIR/report.html, a one-line summary and an empty stderr."""
    proc = run_cli("report", "-o", str(exported))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert (exported / "report.html").is_file()
    assert proc.stdout.strip().endswith(str(exported / "report.html"))
    assert not CONTROL.search((exported / "report.html").read_text())
