"""The report opened in headless Chromium: every family's sections laid out, every chart drawn.

Chromium's own CLI, no driver package: ``--dump-dom`` serialises the page after its load event,
so a copy of the report with a small probe script appended carries the probe's layout
measurements (bounding boxes of each chart's SVG and paths) out in the dumped DOM. The report
itself has no scripts; only the probe copy does. Skipped only when no Chromium binary exists
(``.ci/run`` installs the Debian package).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.test_report import FAMILIES, export_three_families
from transforms.report import write_report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
SECTIONS = ("last-run", "checks", "tables", "activity")
CHARTS = {"bc2": ("activity", "completion"), "bc4": ("activity", "completion"),
          "backpack": ("activity",)}
PROBE = """<script>
const boxes = (nodes) => [...nodes].map((n) => n.getBoundingClientRect())
  .map((b) => ({width: b.width, height: b.height}));
const probe = {sections: {}, charts: {}};
for (const family of document.querySelectorAll("section.family")) {
  probe.sections[family.id] = [...family.querySelectorAll("h3")]
    .filter((h) => h.getBoundingClientRect().height > 0).map((h) => h.id);
}
for (const figure of document.querySelectorAll("figure.chart")) {
  const svg = figure.querySelector("svg");
  const marks = (kind) => boxes(figure.querySelectorAll(`g[id^=axes] > g[id^=${kind}] > path`));
  probe.charts[figure.id] = {svg: boxes(svg ? [svg] : [])[0] || null,
                             lines: marks("line2d"), patches: marks("patch")};
}
const out = document.createElement("pre");
out.id = "probe";
out.textContent = JSON.stringify(probe);
document.body.append(out);
</script>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    if not found:
        pytest.skip("no Chromium binary (apt-get install chromium); .ci/run installs it")
    return found


def browse(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args,
                           page.as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = export_three_families(tmp_path_factory.mktemp("export"))
    path, _, drawn = write_report(out)
    assert drawn == sum(len(c) for c in CHARTS.values())
    return path


@pytest.fixture(scope="module")
def probe(report, tmp_path_factory) -> dict:
    """The layout the probe measured in Chromium."""
    folder = tmp_path_factory.mktemp("probe")
    copy = folder / "probe.html"
    copy.write_text(report.read_text().replace("</body>", PROBE + "</body>"))
    dom = browse(copy, folder / "profile", "--dump-dom").stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(html.unescape(found.group(1)))


@pytest.mark.parametrize("api", FAMILIES)
def test_browser__family_sections_are_laid_out(probe, api):
    """With the report in Chromium, expect each family's sections rendered, in order."""
    expected = [f"{api}-{name}" for name in SECTIONS]
    expected += [f"{api}-completion"] if "completion" in CHARTS[api] else []
    assert probe["sections"][f"family-{api}"] == expected


@pytest.mark.parametrize("api", FAMILIES)
def test_browser__charts_render(probe, api):
    """With the report in Chromium, expect each chart's SVG to take room on the page and its
    marks drawn: data lines across most of the plot, bars besides the axes' background
    (matplotlib's SVG: ``axes_1 > line2d_N`` are the series, ``axes_1 > patch_N`` the
    background, bars and spines)."""
    for name in CHARTS[api]:
        chart = probe["charts"][f"chart-{api}-{name}"]
        width = chart["svg"]["width"]
        assert width > 300 and chart["svg"]["height"] > 100, chart["svg"]
        if name == "activity":
            assert max(line["width"] for line in chart["lines"]) > width / 2, chart["lines"]
        else:
            areas = sorted(p["width"] * p["height"] for p in chart["patches"])
            assert len([a for a in areas[:-1] if a > 1]) >= 1, chart["patches"]


def test_browser__screenshot_is_not_blank(report, tmp_path):
    """With a screenshot of the report's first screen, expect more than a blank page."""
    shot = tmp_path / "report.png"
    browse(report, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1000,1400")
    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 20
