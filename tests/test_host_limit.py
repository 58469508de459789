"""Basecamp 4's budget per host: shared by every process of one host key, separate per key;
connections leave from BASECAMP_SOURCE_ADDRESS; BC2/Backpack limits stay per account."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from extract import hostlimit
from extract.families import family
from extract.http import (
    Credentials,
    HttpSettings,
    HttpStats,
    MeteredAdapter,
    RateLimit,
    build_session,
    metered,
)
from sandbox.fleet import FleetAccount, SandboxFleet, busiest_window

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "host-limit-token"
UA = "host limit tests (tests@example.com)"
SERVER = (8, 1.0)  # the scaled Basecamp 4 limit: 8 requests per second per address
CLIENT = RateLimit(8, 1.0)  # the client's, widened by WINDOW_MARGIN as for every limit
PER_PROCESS = 14

# One exporting process: waits for the common start, then GETs through the session factory.
WORKER = """
import json, sys, time
from extract.http import Credentials, HttpSettings, HttpStats, RateLimit, build_session
url, start, n, budget = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
settings = HttpSettings(user_agent="host limit tests (tests@example.com)",
                        credentials=Credentials(token="host-limit-token"), bucket="bc4:1",
                        rate_limit=RateLimit(8, 1.0), host_budget=budget or None, retries=0)
session = build_session(settings, HttpStats())
time.sleep(max(0.0, start - time.time()))
print(json.dumps([session.get(url).status_code for _ in range(n)]))
"""


@pytest.fixture
def limits_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "limits"
    monkeypatch.setenv(hostlimit.LIMITS_DIR_ENV, str(where))
    monkeypatch.delenv(hostlimit.SOURCE_ADDRESS_ENV, raising=False)
    return where


@pytest.fixture
def fleet() -> Iterator[SandboxFleet]:
    accounts = [FleetAccount("bc4", seed=1), FleetAccount("bc4", seed=2)]
    with SandboxFleet(accounts, token=TOKEN, limits={"bc4": SERVER}) as served:
        yield served


def run_processes(fleet: SandboxFleet, limits: Path, addresses: list[str],
                  budget: str = "bc4") -> list[list[int]]:
    """One process per address, each on its own account, started together."""
    start = time.time() + 3.0  # after every interpreter has started
    procs = []
    for address, name in zip(addresses, ["bc4-1", "bc4-2"], strict=False):
        env = {**os.environ, hostlimit.LIMITS_DIR_ENV: str(limits),
               hostlimit.SOURCE_ADDRESS_ENV: address, "PYTHONPATH": str(ROOT)}
        url = fleet.boxes[name].base_url + "/projects.json"
        procs.append(subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(start), str(PER_PROCESS), budget],
            env=env, stdout=subprocess.PIPE, text=True))
    return [json.loads(p.communicate(timeout=120)[0]) for p in procs]


def test_two_processes_on_one_host_stay_within_its_budget(fleet: SandboxFleet,
                                                          limits_dir: Path) -> None:
    statuses = run_processes(fleet, limits_dir, ["127.0.0.2", "127.0.0.2"])
    assert statuses == [[200] * PER_PROCESS] * 2  # no 429: the server never had to refuse
    assert busiest_window(fleet.requests, SERVER[1]) == {"127.0.0.2": SERVER[0]}
    assert list(limits_dir.glob("*.sqlite")) == [limits_dir / "bc4-127.0.0.2.sqlite"]


def test_two_hosts_are_not_throttled_against_each_other(fleet: SandboxFleet,
                                                        limits_dir: Path) -> None:
    statuses = run_processes(fleet, limits_dir, ["127.0.0.2", "127.0.0.3"])
    assert statuses == [[200] * PER_PROCESS] * 2
    busiest = busiest_window(fleet.requests, SERVER[1])
    assert busiest == {"127.0.0.2": SERVER[0], "127.0.0.3": SERVER[0]}
    together = busiest_window([{**e, "client": "all"} for e in fleet.requests], SERVER[1])
    assert together["all"] > SERVER[0]  # both hosts at full speed at once


def test_without_the_host_budget_two_processes_overrun_the_address(
        fleet: SandboxFleet, limits_dir: Path) -> None:
    """The counter-test: per-account limiters in two processes of one host are refused."""
    statuses = run_processes(fleet, limits_dir, ["127.0.0.2", "127.0.0.2"], budget="")
    assert 429 in statuses[0] + statuses[1]


def test_sessions_of_one_process_share_the_host_limiter(limits_dir: Path) -> None:
    def adapter(bucket: str, budget: str | None) -> MeteredAdapter | None:
        settings = HttpSettings(user_agent=UA, credentials=Credentials(token=TOKEN),
                                bucket=bucket, rate_limit=CLIENT, host_budget=budget)
        return metered(build_session(settings, HttpStats()), "https://example.test/")

    one, two = adapter("bc4:1", "bc4"), adapter("bc4:2", "bc4")
    own = adapter("bc2:1", None)
    assert one is not None and two is not None and own is not None
    assert one.limiter is two.limiter
    assert own.limiter is not one.limiter


def test_source_address_binds_connections(fleet: SandboxFleet, limits_dir: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(hostlimit.SOURCE_ADDRESS_ENV, "127.0.0.3")
    settings = HttpSettings(user_agent=UA, credentials=Credentials(token=TOKEN),
                            bucket="bc4:1", rate_limit=CLIENT, host_budget="bc4")
    session = build_session(settings, HttpStats())
    assert session.get(fleet.boxes["bc4-1"].base_url + "/projects.json").status_code == 200
    assert [e["client"] for e in fleet.requests] == ["127.0.0.3"]
    assert hostlimit.budget_file("bc4") == limits_dir / "bc4-127.0.0.3.sqlite"


def test_only_basecamp_4_counts_per_host() -> None:
    assert family("bc4").host_budget == "bc4"
    assert family("bc2").host_budget is None
    assert family("backpack").host_budget is None


def test_default_host_key_and_safe_file_names(monkeypatch: pytest.MonkeyPatch,
                                              tmp_path: Path) -> None:
    monkeypatch.delenv(hostlimit.SOURCE_ADDRESS_ENV, raising=False)
    monkeypatch.setenv(hostlimit.LIMITS_DIR_ENV, str(tmp_path))
    assert hostlimit.budget_file("bc4") == tmp_path / "bc4-default.sqlite"
    assert hostlimit.budget_file("bc4", "::1") == tmp_path / "bc4-__1.sqlite"
    monkeypatch.delenv(hostlimit.LIMITS_DIR_ENV)
    assert hostlimit.limits_dir().name == "limits"
