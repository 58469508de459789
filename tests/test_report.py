"""The HTML report: self-contained, shows the manifest and counts, charts render in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from extract.export import run_export
from tests.conftest import sandbox_config
from tests.test_cli import run_cli
from transforms.read import dataset
from transforms.report import write_report

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory, tiny_sandbox) -> Path:
    out = tmp_path_factory.mktemp("export")
    assert run_export(sandbox_config(tiny_sandbox, out)).ok
    return out


@pytest.fixture(scope="module")
def report(exported, tmp_path_factory) -> Path:
    path, tables, charts = write_report(exported, tmp_path_factory.mktemp("report") / "r.html")
    assert tables > 30 and charts == 2
    return path


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if not found:
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    return found


def test_report__is_self_contained(report):
    """With the report, expect inline SVG charts and no scripts, links or external sources."""
    text = report.read_text()
    assert text.count("<svg") == 2
    assert not re.search(r"<script|<link|<img|<iframe|src=|url\((?!#)", text, re.I)
    assert not re.search(r"https?://(?!www\.w3\.org/)", re.sub(r"<td>[^<]*</td>", "", text))


def test_report__shows_counts_and_last_manifest(report, exported):
    """With the report, expect the todos row count and the last run's request counters."""
    text = report.read_text()
    manifest = json.loads(next(exported.rglob("latest.json")).read_text())
    todos = dataset(exported, "bc2", "todos").count_rows()
    assert f"<td>todos</td><td class=\"n\">{todos:,}</td>" in text
    assert f"<th>requests</th><td>{manifest['http']['requests']}</td>" in text
    assert manifest["run_id"] in text
    for label in ("304 not modified", "retries", "429 throttled", "waited on the limiter",
                  "failures"):
        assert label in text


def test_report__charts_render_in_headless_chromium(report, tmp_path):
    """With the report opened in headless Chromium, expect both charts' SVG in the DOM."""
    browser = chromium()
    proc = subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         report.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = proc.stdout
    for chart in ("chart-activity", "chart-completion"):
        match = re.search(rf'<figure class="chart" id="{chart}">(.*?)</figure>', dom, re.S)
        assert match, chart
        assert "<svg" in match.group(1) and "<path" in match.group(1)


def test_report__cli_writes_report_html(exported):
    """With `report -o DIR`, expect DIR/report.html and a one-line summary."""
    proc = run_cli("report", "-o", str(exported))
    assert proc.returncode == 0, proc.stderr
    assert (exported / "report.html").is_file()
    assert proc.stdout.strip().endswith(str(exported / "report.html"))
