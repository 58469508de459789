"""A fleet in this process (no Dask): a real-account entry whose secret is missing fails with
exit 7 while the others complete; --retry-failed reruns only it; every account then equals its
single-account export; `status --accounts` shows the fleet; no secret anywhere."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from sandbox import Credentials, Sandbox
from tests.conftest import USER_AGENT
from tests.fleet.helpers import (
    account_tables,
    differences,
    export_of,
    run_cli,
    single_export,
    write_accounts,
)

PASSWORD = "fleet-pass-7e1d9c55"
SECRETS = [PASSWORD, base64.b64encode(f"fleet-user:{PASSWORD}".encode()).decode()]


@dataclass
class Runs:
    out: Path
    first: CompletedProcess[str]
    retry: CompletedProcess[str]
    again: CompletedProcess[str]
    status: CompletedProcess[str]
    status_json: CompletedProcess[str]
    singles: dict[str, tuple[object, dict[str, list[str]]]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Iterator[Runs]:
    base = tmp_path_factory.mktemp("fleet-local")
    out = base / "out"
    creds = Credentials(username="fleet-user", password=PASSWORD)
    with Sandbox(api="bc2", size="tiny", seed=0, rate_limit=None, credentials=creds) as box:
        accounts = write_accounts(base / "accounts.toml", [
            {"name": "acme", "family": "bc2", "account": str(box.account_id),
             "base_url": box.base_url, "user_agent": USER_AGENT,
             "username_env": "ACME_FLEET_USER", "password_env": "ACME_FLEET_PASS"},
            {"sandbox": "bc4", "size": "tiny", "sandbox_rate_limit": "off"},
            {"name": "pack", "sandbox": "backpack", "size": "tiny"}])
        fleet = ["--accounts", str(accounts), "-o", str(out), "--rate-limit", "1000/1"]
        first = run_cli(["export", *fleet, "--json"], base)
        env = {"ACME_FLEET_USER": "fleet-user", "ACME_FLEET_PASS": PASSWORD}
        retry = run_cli(["export", *fleet, "--retry-failed", "--json"], base, env)
        again = run_cli(["export", *fleet, "--retry-failed"], base, env)
        status = run_cli(["status", "--accounts", str(accounts), "-o", str(out)], base)
        status_json = run_cli(["status", "--accounts", str(accounts), "-o", str(out),
                               "--json"], base)
        singles = {"bc2": export_of(box, base / "single-bc2")}
    singles |= {api: single_export(api, 0, base / f"single-{api}") for api in ("bc4",
                                                                               "backpack")}
    yield Runs(out, first, retry, again, status, status_json, singles)


def test_first_run__the_account_without_its_secret_fails_alone_with_exit_7(runs):
    """Expect exit 7, the fleet document with acme failed (exit 2: its variable is not set,
    named) and the two sandbox accounts ok with rows and requests; the same document kept as
    _fleet/<run_id>.json."""
    assert runs.first.returncode == 7, runs.first.stderr
    document = json.loads(runs.first.stdout)
    by_name = {a["name"]: a for a in document["accounts"]}
    assert list(by_name) == ["acme", "bc4-sandbox-0", "pack"]
    acme = by_name["acme"]
    assert (acme["status"], acme["exit_code"]) == ("failed", 2)
    assert "ACME_FLEET_USER" in acme["error"]
    for name in ("bc4-sandbox-0", "pack"):
        assert by_name[name]["status"] == "ok" and by_name[name]["rows"] > 100
        assert by_name[name]["requests"] > 10
    assert (document["ok"], document["failed"]) == (2, 1)
    kept = json.loads((runs.out / "_fleet" / f"{document['run_id']}.json").read_text())
    assert kept == document
    assert "1 of 3 accounts failed, first: acme" in runs.first.stderr


def test_retry_failed__reruns_only_the_failed_account(runs):
    """Expect --retry-failed to export acme alone (now that its secret is set), exit 0, the
    new fleet manifest naming the run it retried; a second --retry-failed has nothing to do."""
    assert runs.retry.returncode == 0, runs.retry.stderr
    first, retry = json.loads(runs.first.stdout), json.loads(runs.retry.stdout)
    assert [a["name"] for a in retry["accounts"]] == ["acme"]
    assert retry["accounts"][0]["status"] == "ok" and retry["retry_of"] == first["run_id"]
    assert sorted(p.name for p in (runs.out / "_fleet").iterdir()) == \
        sorted(f"{d['run_id']}.json" for d in (first, retry))
    assert runs.again.returncode == 0, runs.again.stderr
    assert "nothing to retry" in runs.again.stdout


@pytest.mark.parametrize("api", ["bc2", "bc4", "backpack"])
def test_every_account_equals_its_single_account_export(runs, api):
    account, want = runs.singles[api]
    assert differences(account_tables(str(runs.out), api, account), want) == []


def test_status_accounts__each_account_with_its_latest_fleet_run(runs):
    """Expect each entry's latest fleet verdict (acme's from the retry) and its state."""
    assert runs.status.returncode == 0, runs.status.stderr
    retry = json.loads(runs.retry.stdout)["run_id"]
    first = json.loads(runs.first.stdout)["run_id"]
    lines = runs.status.stdout.splitlines()
    assert f"acme (bc2 999999999): fleet run {retry}: ok" in lines
    assert sum(1 for line in lines if line.startswith("  last run:   full")) == 3
    document = json.loads(runs.status_json.stdout)
    assert [(a["name"], a["fleet"]["status"], a["fleet"]["fleet_run"]) for a in
            document["accounts"]] == [("acme", "ok", retry), ("bc4-sandbox-0", "ok", first),
                                      ("pack", "ok", first)]
    assert all(a["state"]["last_run"]["mode"] == "full" for a in document["accounts"])


def test_no_secret_in_any_file_or_line(runs):
    """Scan every file of the output and every line the runs printed for the password and
    the Basic pair: expect none."""
    printed = "".join(p.stdout + p.stderr for p in (runs.first, runs.retry, runs.again,
                                                   runs.status))
    files = [p.read_bytes() for p in runs.out.rglob("*") if p.is_file()]
    assert len(files) > 50
    for secret in SECRETS:
        assert secret not in printed
        assert not [f for f in files if secret.encode() in f]
