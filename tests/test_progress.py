"""Progress as an operator meets it: counts that never go backwards, a bar whose percentage only
grows, and log lines for a run without a terminal."""

from __future__ import annotations

import io
import random
import re
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from extract.catalog import Catalog, Endpoint
from extract.crawl import Crawl, Unit
from extract.families import family
from extract.page import Page
from extract.progress import (
    LogTicker,
    PhaseCount,
    Progress,
    Snapshot,
    TerminalBar,
    reach,
)
from sandbox import Sandbox
from tests.conftest import cli_env, export_command

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d progress bc2 \d+: \d+:\d\d:\d\d "
                      r"(crawling|storing), [\d,]+/[\d,]+\+? units \(account .*\), "
                      r"[\d,]+ requests \([\d.]+/s(, limit \d+/[\d.]+s)?\), [\d,]+ retries, "
                      r"[\d,]+ throttled "
                      r"\(429/503\), limiter wait \d+%"
                      r"(, discovering|, \d+%(, ETA \d+:\d\d:\d\d)?)?$")


def _page(unit: Unit, records: list[dict[str, Any]]) -> Page:
    return Page(1, unit.url, records, b"", 200, False, datetime.now(UTC))


def _random_catalog(rng: random.Random) -> Catalog:
    """Roots, nested listings and members, with a gathered request and a deferred member read:
    every way the crawl finds units."""
    entries = [Endpoint("root0", "/root0.json", "t"), Endpoint("whole", "/whole.json", "t")]
    for i in range(1, rng.randint(2, 4)):
        entries.append(Endpoint(f"root{i}", f"/root{i}.json", "t",
                                kind=rng.choice(["collection", "member"]), paging="none"))
    for i in range(rng.randint(3, 7)):
        name = f"e{i}"
        parent = rng.choice([e.id for e in entries if e.id != "whole"])
        entries.append(Endpoint(name, f"/{name}/{{{name}_id}}.json", "t",
                                kind=rng.choice(["collection", "member"]), paging="none",
                                parents=(parent,), bind={f"{name}_id": "id"}))
    lists = [e.id for e in entries if e.id != "whole"]
    entries.append(Endpoint("gathered", "/gathered.json", "t", parents=(rng.choice(lists),),
                            bind={"ids": "id"}, params={"ids": "{ids}"}, gather=True,
                            paging="none"))
    entries.append(Endpoint("deferred", "/deferred/{d_id}.json", "t", kind="member",
                            paging="none", parents=(rng.choice(lists),), bind={"d_id": "id"},
                            unless_in=("whole",)))
    return Catalog("toy", "http://toy", 50, tuple(entries))


class _Recording(Progress):
    """A tracker that keeps a snapshot after every unit found or finished, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.snapshots: list[Snapshot] = []
        self._order = threading.Lock()

    def found(self, endpoint_id: str) -> None:
        with self._order:
            super().found(endpoint_id)
            self.snapshots.append(self.snapshot())

    def finished(self, endpoint_id: str, *, failed: bool = False) -> None:
        with self._order:
            super().finished(endpoint_id, failed=failed)
            self.snapshots.append(self.snapshot())

    def sample(self) -> None:
        with self._order:
            self.snapshots.append(self.snapshot())


def _random_crawl(seed: int) -> tuple[list[Snapshot], Progress, int]:
    """A crawl of a random catalog over a random page source: a snapshot after every event
    and from a busy reader in between."""
    rng = random.Random(seed)
    catalog = _random_catalog(rng)
    progress = _Recording()

    def pages(unit: Unit) -> list[Page]:
        local = random.Random(f"{seed} {unit.url} {sorted(unit.params.items())}")
        time.sleep(local.random() / 500)
        if unit.endpoint.is_member:
            return [_page(unit, [{"id": local.randint(1, 30)}])]
        return [_page(unit, [{"id": local.randint(1, 30)} for _ in range(local.randint(0, 6))])]

    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            progress.sample()
            time.sleep(0)

    reader = threading.Thread(target=sample)
    reader.start()
    try:
        report = Crawl(None, catalog, "http://toy", {},  # type: ignore[arg-type]
                       endpoints={e.id for e in catalog.endpoints}, sink=lambda u, p: None,
                       workers=4, pages=pages, progress=progress).run()
    finally:
        stop.set()
        reader.join()
    progress.crawled()
    progress.sample()
    return progress.snapshots, progress, report.units


@pytest.mark.parametrize("seed", range(30))
def test_progress__figures_never_go_backwards(seed):
    """With a random catalog crawled by four workers and snapshots read throughout, expect
    every count to only grow, a settled phase's count to stay final, no percentage while
    the total can grow and a percentage that only grows after, ending at every unit run."""
    snapshots, _, units = _random_crawl(seed)
    last: Snapshot | None = None
    for snap in snapshots:
        assert snap.done <= snap.found
        assert (snap.percent is None) == snap.discovering
        if last is not None:
            for before, now in zip(last.phases, snap.phases, strict=True):
                assert now.done >= before.done and now.found >= before.found
                if before.settled:
                    assert now.settled and now.found == before.found, (before, now)
            assert snap.requests >= last.requests
            if not last.discovering:
                assert not snap.discovering and snap.found == last.found
                assert snap.percent is not None and last.percent is not None
                assert snap.percent >= last.percent
        last = snap
    assert last is not None and not last.discovering
    assert last.done == last.found == units and last.percent == 100


def test_progress__discovery_ends_while_members_are_still_read():
    """With a listing that names three members whose reads are held back, expect
    "discovering" and an unsettled members phase while the listing runs, then a fixed total,
    a percentage and a settled members phase before any member is read."""
    catalog = Catalog("toy", "http://toy", 50, (
        Endpoint("all", "/all.json", "t"),
        Endpoint("get", "/t/{t_id}.json", "t", kind="member", paging="none", parents=("all",),
                 bind={"t_id": "id"}),
    ))
    progress = Progress()
    listing, members = threading.Event(), threading.Event()
    seen: dict[str, Snapshot] = {}

    def pages(unit: Unit) -> list[Page]:
        if unit.endpoint.id == "all":
            listing.wait(10)
            return [_page(unit, [{"id": 1}, {"id": 2}, {"id": 3}])]
        members.wait(10)
        return [_page(unit, [{"id": unit.ctx["t_id"]}])]

    def watch() -> None:
        while not progress.snapshot().found:
            time.sleep(0.001)
        seen["listing"] = progress.snapshot()
        listing.set()
        while progress.snapshot().discovering:
            time.sleep(0.001)
        seen["members"] = progress.snapshot()
        members.set()

    watcher = threading.Thread(target=watch)
    watcher.start()
    Crawl(None, catalog, "http://toy", {}, endpoints={"all", "get"},  # type: ignore[arg-type]
          sink=lambda u, p: None, workers=4, pages=pages, progress=progress).run()
    watcher.join()
    during = seen["listing"]
    assert during.discovering and during.percent is None
    assert [(p.name, p.found) for p in during.phases] == [
        ("account", 1), ("lists", 0), ("members", 0)]
    assert not during.phases[2].settled
    after = seen["members"]
    assert [(p.name, p.done, p.found, p.settled) for p in after.phases] == [
        ("account", 1, 1, True), ("lists", 0, 0, True), ("members", 0, 3, True)]
    assert after.percent == 25 and after.eta is not None


def test_progress__reach_follows_children_gathers_and_deferred_reads():
    """With the real catalogs, expect listings of projects to lead to nested listings and
    member reads, a leaf listing to lead to nothing, and a listing that deferred reads wait
    for to lead to those reads."""
    bc2 = family("bc2").catalog
    found = reach(bc2, {e.id for e in bc2.crawled})
    assert found["projects_active"] == {"lists", "members"}
    assert found["people"] == frozenset()
    assert found["todos_project"] == {"members"}
    bc4 = family("bc4").catalog
    assert reach(bc4, {e.id for e in bc4.crawled})["projects"] == {"lists", "members"}
    toy = Catalog("toy", "http://toy", 50, (
        Endpoint("all", "/all.json", "t"), Endpoint("whole", "/whole.json", "t"),
        Endpoint("get", "/t/{t_id}.json", "t", kind="member", paging="none", parents=("all",),
                 bind={"t_id": "id"}, unless_in=("whole",))))
    assert reach(toy, {"all", "whole", "get"})["whole"] == {"members"}
    assert reach(toy, {"all", "whole"})["all"] == frozenset()


def _snapshot(done: int, found: int, discovering: bool, requests: int = 0) -> Snapshot:
    return Snapshot(elapsed=1.0, stage="crawling",
                    phases=(PhaseCount("account", done, found, not discovering),
                            PhaseCount("lists", 0, 0, not discovering),
                            PhaseCount("members", 0, 0, not discovering)),
                    discovering=discovering, failed=0, requests=requests, not_modified=0,
                    retries=0, throttled=0, request_rate=2.0, unit_rate=1.0, limiter_share=0.0)


def _percentages(text: str) -> list[int]:
    return [int(m) for frame in text.split("\r") for m in re.findall(r"(\d+)%\|", frame)]


def test_terminal_bar__percentage_only_grows_while_the_total_is_discovered():
    """With snapshots whose found units grow (as BC4's 577 -> 605), expect the bar to show a
    count and no percentage while discovering, then a fixed total and a percentage that only
    grows."""
    out = io.StringIO()
    bar = TerminalBar(out, "bc4 1")
    for done, found in [(10, 20), (100, 300), (330, 577), (340, 590), (360, 605)]:
        bar.show(_snapshot(done, found, discovering=True))
    assert bar.total is None and _percentages(out.getvalue()) == []
    assert "360/605+" in out.getvalue().split("\r")[-1]
    for done in (400, 500, 605):
        bar.show(_snapshot(done, 605, discovering=False))
    bar.close()
    shown = _percentages(out.getvalue())
    assert bar.total == 605 and shown == sorted(shown) and shown[-1] == 100


def test_terminal_bar__fed_by_a_random_crawl_never_shows_a_falling_percentage():
    """With every snapshot of a random crawl fed to the bar, expect its percentages to grow."""
    snapshots, _, units = _random_crawl(7)
    out = io.StringIO()
    bar = TerminalBar(out, "toy")
    for snap in snapshots[:: max(1, len(snapshots) // 200)] + snapshots[-1:]:
        bar.show(snap)
    bar.close()
    shown = _percentages(out.getvalue())
    assert shown == sorted(shown) and shown[-1] == 100 and bar.total == units


def test_log_ticker__says_discovering_then_an_eta():
    """With a snapshot while discovering and one after, expect the first line to say
    "discovering" and the second to give a percentage and an ETA."""
    out = io.StringIO()
    ticker = LogTicker(out, "bc2 1", now=lambda: datetime(2026, 1, 2, 3, 4, 5))
    ticker.show(_snapshot(10, 20, discovering=True, requests=1234))
    ticker.show(_snapshot(15, 20, discovering=False, requests=1500))
    first, second = out.getvalue().splitlines()
    assert first == ("2026-01-02 03:04:05 progress bc2 1: 0:00:01 crawling, 10/20+ units "
                     "(account 10/20+, lists 0/0+, members 0/0+), 1,234 requests (2.0/s), "
                     "0 retries, 0 throttled (429/503), limiter wait 0%, discovering")
    assert second.endswith("15/20 units (account 15/20, lists 0/0, members 0/0), 1,500 "
                           "requests (2.0/s), 0 retries, 0 throttled (429/503), limiter wait "
                           "0%, 75%, ETA 0:00:05")


def test_cli__without_a_terminal_prints_progress_lines(tmp_path: Path):
    """With stderr a pipe, a server answering slowly and --progress-every 0.2, expect at least
    two progress lines with units, requests and rate, without -v; none with --no-progress."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None, latency=0.02) as box:
        proc = subprocess.run(export_command(box, tmp_path / "a", "--no-cache",
                                             "--progress-every", "0.2"),
                              capture_output=True, text=True, env=cli_env(), timeout=120)
        quiet = subprocess.run(export_command(box, tmp_path / "b", "--no-cache",
                                              "--no-progress"),
                               capture_output=True, text=True, env=cli_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if " progress " in line]
    assert len(lines) >= 2, proc.stderr
    for line in lines:
        assert LOG_LINE.match(line), line
    assert int(re.search(r"([\d,]+) requests", lines[-1])[1].replace(",", "")) > 0
    assert quiet.returncode == 0 and " progress " not in quiet.stderr, quiet.stderr


def _sampled_export(run: Any, box: Any, output: Path) -> tuple[Any, list[Snapshot]]:
    progress = Progress()
    snapshots: list[Snapshot] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            snapshots.append(progress.snapshot())
            time.sleep(0.0005)

    reader = threading.Thread(target=sample)
    reader.start()
    try:
        result = run(box, output, progress=progress)
    finally:
        stop.set()
        reader.join()
    snapshots.append(progress.snapshot())
    return result, snapshots


def test_progress__an_incremental_run_keeps_discovering_until_its_last_crawl(
        export_to, tmp_path):
    """With an incremental export (a feed read, then a read of what changed), expect the
    counts to only grow across both crawls, a total fixed once discovery ends, and a final
    count equal to the manifest's units and requests."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        export_to(box, tmp_path)
        box.mutate(12, seed=5)
        result, snapshots = _sampled_export(export_to, box, tmp_path)
    assert result.manifest["mode"] == "incremental"
    assert result.manifest["units"] > 2  # the feed read is two units; the rest read changes
    ended = next(i for i, s in enumerate(snapshots) if not s.discovering)
    assert all(s.found == snapshots[ended].found for s in snapshots[ended:])
    assert [s.done for s in snapshots] == sorted(s.done for s in snapshots)
    assert snapshots[-1].stage == "storing"
    assert snapshots[-1].done == snapshots[-1].found == result.manifest["units"]
    assert snapshots[-1].requests == result.manifest["http"]["requests"]


def test_progress__rates_and_limiter_wait_come_from_the_last_window():
    """With a moved clock, two workers and HTTP counters fed by hand, expect the request rate,
    the share of worker time spent waiting for the limiter and the 429/503 count of the last
    window, and an ETA from the units finished in it."""
    from extract.http import HttpStats, RateLimit

    now = [100.0]
    progress = Progress(clock=lambda: now[0], window=10.0)
    stats = HttpStats()
    progress.watch(stats, workers=2, rate_limit=RateLimit(475, 100))
    catalog = Catalog("toy", "http://toy", 50, (Endpoint("all", "/all.json", "t"),))
    with progress.setting_up(catalog, {"all"}):
        for _ in range(10):
            progress.found("all")
    for _ in range(40):
        stats.record(200, 0.0)
    now[0] = 110.0
    first = progress.snapshot()
    for _ in range(20):
        stats.record(200, 0.5)
    stats.record(429, 0.0)
    stats.record(503, 0.0)
    for _ in range(4):
        progress.finished("all")
    now[0] = 120.0
    second = progress.snapshot()
    assert first.request_rate == 4.0 and first.limiter_share == 0.0
    assert (second.requests, second.throttled) == (62, 2)
    assert second.request_rate == pytest.approx(2.2) and second.limiter_share == 0.5
    assert second.unit_rate == pytest.approx(0.4) and second.eta == pytest.approx(15.0)
    assert not second.discovering and second.percent == 40
    line = LogTicker(io.StringIO(), "bc4 1").line(second)
    assert "62 requests (2.2/s, limit 475/100s), 0 retries, 2 throttled (429/503), limiter wait " \
           "50%, 40%, ETA 0:00:15" in line
