"""The fleet bench's own pieces: the plan, the simulated hosts' cluster, a run's row, the table.

The end-to-end run (``python -m bench --fleet-only``) needs the ``export --accounts`` CLI and is
left to the bench itself."""

from __future__ import annotations

import os
from pathlib import Path

from distributed import Client

from bench.fleet import Cluster, FleetRun, _first_tables, default_plan, speedups, summarize
from bench.report import _fleet
from extract import hostlimit


def test_plan_spreads_workers_over_hosts() -> None:
    plan = default_plan(8, (1, 4))
    assert [(r.api, r.workers, r.hosts) for r in plan] == [
        ("bc2", 1, 1), ("bc2", 4, 1), ("bc4", 1, 1), ("bc4", 4, 1), ("bc4", 4, 4)]
    assert FleetRun("bc4", 8, 4, hosts=4).addresses() == [
        "127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
    assert FleetRun("bc4", 8, 3, hosts=1).addresses() == ["127.0.0.2"] * 3


def test_cluster_workers_run_with_their_hosts_address(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    with Cluster(["127.0.0.2", "127.0.0.3"], env, tmp_path) as cluster, \
            Client(cluster.address) as client:
        seen = client.run(lambda: os.environ.get(hostlimit.SOURCE_ADDRESS_ENV))
    assert sorted(seen.values()) == ["127.0.0.2", "127.0.0.3"]


def entries(times: list[float], client: str, name: str) -> list[dict]:
    return [{"t": t, "client": client, "name": name, "account": 1, "status": 200}
            for t in times]


def test_summary_floor_and_limit_per_host() -> None:
    seen = entries([0.0, 0.1, 0.2, 1.5], "127.0.0.2", "bc4-0") + \
        entries([0.0, 0.3], "127.0.0.3", "bc4-1")
    document = {"accounts": [{"name": "bc4-0", "status": "ok", "requests": 4},
                             {"name": "bc4-1", "status": "ok", "requests": 2}]}
    row = summarize(FleetRun("bc4", 2, 2, hosts=2), {"document": document, "exit": 0,
                                                     "wall_s": 2.0}, seen, (3, 1.0))
    assert row["floor_s"] == 1.0  # 6 requests at 3/s per host, two hosts at once
    assert row["busiest_window"] == {"127.0.0.2": 3, "127.0.0.3": 2}
    assert row["within_limit"] and row["ok"] == 2 and row["accounts_per_hour"] == 3600.0
    assert row["requests_per_s"] == 3.0 and row["efficiency_pct"] == 50.0


def test_summary_counts_bc2_per_account_and_reports_failures() -> None:
    seen = entries([0.0, 0.1, 0.2, 0.3], "127.0.0.2", "bc2-0")
    document = {"accounts": [{"name": "bc2-0", "status": "ok"},
                             {"name": "bc2-1", "status": "failed", "error": "boom"}]}
    row = summarize(FleetRun("bc2", 2, 4), {"document": document, "exit": 7, "wall_s": 1.0},
                    seen, (3, 1.0))
    assert row["budgets"] == 2 and row["limit_per"] == "account"
    assert row["busiest_window"] == {"bc2-0": 4} and not row["within_limit"]
    assert row["failed"] == 1 and "bc2-1: boom" in row["error"]


def test_speedups_and_table() -> None:
    runs = [{"api": "bc2", "workers": 1, "hosts": 1, "accounts_per_hour": 100.0},
            {"api": "bc2", "workers": 4, "hosts": 1, "accounts_per_hour": 350.0}]
    assert speedups(runs) == {"bc2 1w/1h": 1.0, "bc2 4w/1h": 3.5}
    row = summarize(FleetRun("bc2", 1, 1), {"document": {"accounts": [{"status": "ok"}]},
                                            "exit": 0, "wall_s": 1.0}, [], (500, 10.0))
    text = "\n".join(_fleet({"settings": {"time_scale": 10, "size": "tiny"}, "runs": [row],
                             "speedups": speedups([row])}))
    assert "1w/1h" in text and "500/10s per account" in text


def test_first_tables_keeps_a_prefix_of_the_accounts() -> None:
    text = "[[accounts]]\nname = \"a\"\n\n[[accounts]]\nname = \"b\"\n"
    assert _first_tables(text, 1) == "[[accounts]]\nname = \"a\"\n\n"
