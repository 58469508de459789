"""Done means: a 2-worker Dask cluster exports 6 sandbox accounts (two per family) into the
loopback S3 server, each equal to its single-account export; killing a worker process mid-run
still ends with every account complete and equal (Dask reruns its task, which resumes from the
account's journal in the shared work dir); no credential in any object or printed line."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster

from extract.config import default_work_dir
from extract.families.bc4.local import SANDBOX_OAUTH
from extract.families.family import SANDBOX_LOGIN
from extract.journal import pending, run_dir
from tests.fleet.helpers import EXE, accounts_tables, differences, single_export, write_accounts
from tests.lake.conftest import Bucket
from tests.s3_server import KEY_ID, SECRET
from transforms.tree import open_tree

APIS = ("bc2", "bc4", "backpack")
SEEDS = (1, 2)
ENTRIES = [{"sandbox": api, "size": "tiny", "seed": seed}
           | ({"sandbox_rate_limit": "off"} if api == "bc4" else {})
           for api in APIS for seed in SEEDS]
NEEDLES = [SECRET, KEY_ID, SANDBOX_LOGIN["token"], SANDBOX_OAUTH["refresh_token"],
           SANDBOX_OAUTH["client_secret"],
           base64.b64encode(f"{SANDBOX_LOGIN['username']}:{SANDBOX_LOGIN['password']}"
                            .encode()).decode()]
Singles = dict[tuple[str, int], tuple[Any, dict[str, list[str]]]]


@pytest.fixture(scope="module")
def singles(tmp_path_factory) -> Iterator[Singles]:
    """Each account's single-account export, in this process, into its own folder."""
    base = tmp_path_factory.mktemp("singles")
    yield {(api, seed): single_export(api, seed, base / f"{api}-{seed}")
           for api in APIS for seed in SEEDS}


@pytest.fixture
def fleet_env(s3: Bucket, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The bucket's AWS_* variables, a user cache dir of the test's own (the default work dir
    of an s3:// output); set here too, so a cluster started by the test hands them to its
    workers."""
    env = {**s3.env, "HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def fleet_command(tmp_path: Path, output: str, *engine: str, rate: str) -> list[str]:
    accounts = write_accounts(tmp_path / "accounts.toml", ENTRIES)
    return [EXE, "export", "--accounts", str(accounts), "-o", output, *engine, "--json",
            "--rate-limit", rate, "--workers", "4"]


def assert_complete_and_equal(document: dict[str, Any], output: str, singles: Singles) -> None:
    assert (document["ok"], document["failed"]) == (6, 0), document
    for api in APIS:
        got = accounts_tables(output, api, [singles[(api, seed)][0] for seed in SEEDS])
        for seed in SEEDS:
            account, want = singles[(api, seed)]
            (record,) = [r for r in document["accounts"] if r["name"] == f"{api}-sandbox-{seed}"]
            assert record["account"] == account
            assert differences(got[account], want) == [], record["name"]


def assert_no_secret(s3: Bucket, *printed: str) -> None:
    objects = dict(s3.objects())
    assert any(key.endswith(".parquet") for key in objects)
    for needle in NEEDLES:
        assert not [key for key, data in objects.items() if needle.encode() in data], needle
        assert not [text for text in printed if needle in text], needle


def test_local_cluster__six_accounts_into_s3_each_equal_to_its_single_export(
        s3, fleet_env, singles, tmp_path):
    """Expect `--processes 2 -v` to exit 0 with 6 accounts ok, the dashboard's link said, the
    workers' log lines at -v, the fleet document kept in the bucket, and each account's
    tables equal to its single-account export; no credential in any object or printed
    line."""
    output = s3.uri("fleet")
    proc = subprocess.run(fleet_command(tmp_path, output, "--processes", "2", "-v",
                                        rate="1000/1"),
                          capture_output=True, text=True, cwd=tmp_path, timeout=180,
                          env={**os.environ, **fleet_env})
    assert proc.returncode == 0, proc.stderr
    assert "Dask dashboard: http://" in proc.stderr
    account = singles[("bc2", 1)][0]
    assert f"INFO extract.cli.fleet: fleet: bc2-sandbox-1 (bc2 {account}): exporting" in proc.stderr
    document = json.loads(proc.stdout)
    assert_complete_and_equal(document, output, singles)
    stored_keys = s3.keys()
    assert f"fleet/_fleet/{document['run_id']}.json" in stored_keys
    assert_no_secret(s3, proc.stdout, proc.stderr)


def test_scheduler__a_worker_killed_mid_run_still_ends_with_every_account_equal(
        s3, fleet_env, singles, tmp_path):
    """Run the fleet on an existing 2-worker cluster (--scheduler); once an account's journal
    holds completed units, SIGKILL the worker process running it. Expect exit 0, every
    account ok and equal to its single export, and the killed account's manifest saying its
    rerun resumed the journaled units."""
    output, account = s3.uri("fleet"), singles[("bc2", 1)][0]
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                         dashboard_address=":0") as cluster, Client(cluster) as client:
        argv = fleet_command(tmp_path, output, "--scheduler", cluster.scheduler_address,
                             rate="200/1")
        with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=tmp_path, env={**os.environ, **fleet_env}) as proc:
            killed = kill_mid_run(client, output, "bc2-sandbox-1", "bc2", account)
            stdout, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 0, stderr
    document = json.loads(stdout)
    assert_complete_and_equal(document, output, singles)
    manifest = json.loads(open_tree(output).read_text(
        "bc2", "_manifests", f"account_id={account}", "latest.json"))
    assert manifest["resumed_units"] >= killed > 0
    assert_no_secret(s3, stdout, stderr)


def kill_mid_run(client: Client, output: str, name: str, api: str, account: int) -> int:
    """Wait until the account's journal holds completed units, then SIGKILL the worker
    process running its task; the units journaled then."""
    journal = run_dir(default_work_dir(open_tree(output)), api, "account_id", account)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = pending(journal)
        running = [address for address, keys in client.processing().items()
                   if any(str(key).startswith(f"fleet-{name}-") for key in keys)]
        if done >= 3 and len(running) == 1:
            os.kill(client.run(os.getpid)[running[0]], signal.SIGKILL)
            return done
        time.sleep(0.02)
    raise AssertionError(f"{name} never ran with units journaled")
