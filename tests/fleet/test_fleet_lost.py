"""A task Dask gives up on (its workers kept dying) or a cluster nobody runs: a failed account
or one line, never a traceback, and the other accounts still complete."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from urllib.parse import urlsplit

import dask
import pytest
import requests
from distributed import Client, LocalCluster

from extract.cli.fleet import engine
from extract.cli.fleet.accounts import parse_accounts
from extract.cli.fleet.engine import Engine, run_fleet
from tests.fleet.helpers import EXE, fleet_options, write_accounts
from transforms.errors import ConfigError


def test_lost_task__is_a_failed_account_and_the_others_complete(tmp_path):
    """With no failure allowed, SIGKILL the worker running a (slow: the sandbox's own Basecamp
    4 limit) account: expect exit 7, that account failed with Dask's KilledWorker, the other
    ok."""
    accounts = write_accounts(tmp_path / "accounts.toml", [
        {"name": "slow", "sandbox": "bc4", "size": "tiny"},
        {"name": "quick", "sandbox": "backpack", "size": "tiny"}])
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                         dashboard_address=":0") as cluster, Client(cluster) as client:
        argv = [EXE, "export", "--accounts", str(accounts), "-o", str(tmp_path / "out"),
                "--scheduler", cluster.scheduler_address, "--json"]
        with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path) as proc:
            kill_worker_running(client, "fleet-slow-")
            stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 7, stderr
    document = json.loads(stdout)
    slow, quick = document["accounts"]
    assert (slow["status"], slow["exit_code"]) == ("failed", 1)
    assert slow["error"].startswith("KilledWorker")
    assert quick["status"] == "ok" and quick["rows"] > 100
    assert "Traceback" not in stderr
    assert stderr.splitlines()[-1].startswith("Error: 1 of 2 accounts failed, first: slow: "
                                              "KilledWorker")


def kill_worker_running(client: Client, prefix: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        running = [address for address, keys in client.processing().items()
                   if any(str(key).startswith(prefix) for key in keys)]
        if running:
            time.sleep(0.5)  # well into the export: its sandbox allows 50 requests / 10 s
            os.kill(client.run(os.getpid)[running[0]], signal.SIGKILL)
            return
        time.sleep(0.02)
    raise AssertionError(f"no task {prefix}* ever ran")


def test_scheduler_nobody_runs__one_line_exit_2(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "CONNECT_TIMEOUT", "1s")
    entries = parse_accounts({"accounts": [{"sandbox": "backpack", "size": "tiny"}]})
    nobody = "tcp://127.0.0.1:1"
    with pytest.raises(ConfigError, match=re.escape(f"cannot reach the Dask scheduler {nobody}: ")):
        run_fleet(entries, fleet_options(tmp_path / "out"), None, Engine(scheduler=nobody),
                  "run", on_record=print, on_cluster=print)
    assert not (tmp_path / "out").exists()


def test_dashboard__a_local_cluster_serves_dasks_status_page_while_the_fleet_runs(tmp_path):
    """With --processes, the command is told the dashboard's link: expect Dask's Bokeh status
    page there (accounts running, done and failed are its task stream) while the fleet runs,
    and the fleet's one account exported."""
    entries = parse_accounts({"accounts": [{"name": "one", "sandbox": "backpack",
                                            "size": "tiny"}]})
    pages: list[tuple[int, str]] = []

    def visit(link: str) -> None:
        status = urlsplit(link)._replace(netloc=f"127.0.0.1:{urlsplit(link).port}").geturl()
        answer = requests.get(status, timeout=60)
        pages.append((answer.status_code, answer.text))

    records = run_fleet(entries, fleet_options(tmp_path / "out"), None,
                        Engine(processes=1), "run-dashboard", on_record=lambda r: None,
                        on_cluster=visit)
    (status, text), = pages
    assert status == 200 and "bokeh" in text.lower()
    assert [r["status"] for r in records] == ["ok"]
