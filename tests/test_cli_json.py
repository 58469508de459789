"""`--json` on export, step and status: one document on stdout, valid against its versioned
JSON Schema, with the documented exit code, also when the run fails."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest

from extract.summary import schema
from sandbox import Sandbox
from tests.conftest import USER_AGENT, cli_env
from tests.machine_locks import BUILT_IN_SANDBOX_PORT, machine_lock


def run_cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("basecamp-extract")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=cli_env(),
                          timeout=timeout)


def document(proc: subprocess.CompletedProcess[str], name: str) -> dict:
    """stdout as exactly one JSON document, validated against the named schema."""
    doc = json.loads(proc.stdout)  # fails on any human line beside the document
    jsonschema.validate(doc, schema(name))
    return doc


def parquet_rows(output: Path, api: str, account_dir: str) -> int:
    stem = account_dir.replace("=", "-", 1)
    return sum(pq.read_metadata(p).num_rows for p in (output / api).glob(
        f"*/{stem}-*.parquet"))


def box_args(box: Sandbox, output: Path, password: str | None = None) -> list[str]:
    c = box.credentials
    return ["--base-url", box.base_url, "--username", c.username,
            "--password", password or c.password, "--user-agent", USER_AGENT,
            "-o", str(output), "--workers", "2", "--no-rate-limit"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, dict, dict]:
    """A full then an incremental `export --json` of the tiny BC2 sandbox (the built-in one,
    on its fixed port both times, so the second run revalidates from the HTTP cache)."""
    output = tmp_path_factory.mktemp("json")
    docs = []
    with machine_lock(BUILT_IN_SANDBOX_PORT):
        for _ in range(2):
            proc = run_cli("export", "--json", "--sandbox-size", "tiny", "-o", str(output),
                           "--no-rate-limit")
            assert proc.returncode == 0, proc.stderr
            docs.append(document(proc, "export"))
    return output, docs[0], docs[1]


def test_export_json__full_run_is_one_valid_document_with_stored_rows(exported):
    """With `export --json`, expect only the document on stdout, status ok, and rows stored
    equal to the account's rows in the Parquet files."""
    output, full, _ = exported
    assert (full["version"], full["status"], full["exit_code"]) == (1, "ok", 0)
    (account,) = full["accounts"]
    assert account["mode"] == "full" and account["requests"] > 0
    stored = parquet_rows(output, "bc2", f"account_id={account['account']}")
    assert account["rows_stored"] == stored > 0
    assert account["rows_changed"] == stored  # a first full run writes every row it stores
    assert account["tables"]["todos"]["rows_stored"] > 0
    assert Path(account["manifest"]).is_file()


def test_export_json__incremental_run_says_changed_and_stored(exported):
    """With a second run (incremental), expect few rows changed and every row still stored."""
    _, full, incremental = exported
    (account,) = incremental["accounts"]
    assert account["mode"] == "incremental"
    assert account["rows_changed"] < full["accounts"][0]["rows_changed"]
    assert account["rows_stored"] == full["accounts"][0]["rows_stored"]
    assert account["not_modified"] > 0


def test_export_json__auth_failure_is_a_failed_document_and_exit_3(tiny_sandbox, tmp_path):
    """With a wrong password, expect exit 3, the error on stderr and a failed document."""
    proc = run_cli("export", *box_args(tiny_sandbox, tmp_path, "wrong"), "--json")
    assert proc.returncode == 3, proc.stderr
    doc = document(proc, "export")
    assert (doc["status"], doc["exit_code"]) == ("failed", 3)
    assert "401" in doc["error"] and doc["error"] in proc.stderr
    (account,) = doc["accounts"]
    assert (account["status"], account["account"]) == ("failed", tiny_sandbox.account_id)


def test_export_json__bad_option_still_answers_in_json(tmp_path):
    """With a base URL that names no account (exit 2), expect a failed document too."""
    proc = run_cli("--json", "export", "--base-url", "http://127.0.0.1:9/nothing",
                   "--username", "u", "--password", "p", "-o", str(tmp_path))
    assert proc.returncode == 2, proc.stderr
    doc = document(proc, "export")
    assert (doc["status"], doc["exit_code"]) == ("failed", 2) and "account" in doc["error"]


def test_export_json__failed_units_are_partial_exit_7_then_status_says_so(tmp_path):
    """With one listing failing on a first run, expect a partial document (exit 7) naming the
    failure, then `status` saying there is no successful run yet and where the manifest is."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        box.inject("503", r"/people\.json", times=100)
        proc = run_cli("step", "people", *box_args(box, tmp_path), "--retries", "0", "--json")
    assert proc.returncode == 7, proc.stderr
    doc = document(proc, "export")
    assert doc["command"] == "step" and doc["status"] == "partial" and doc["exit_code"] == 7
    (account,) = doc["accounts"]
    assert account["failures"][0]["endpoint"] == "people"
    assert "people" in account["incomplete"]

    status = run_cli("status", "-o", str(tmp_path))
    assert status.returncode == 0, status.stderr
    assert "last run:   no successful run yet; last attempt failed (1 unit(s) failed; " \
           f"see manifest {account['manifest']})" in status.stdout
    assert "0 requests" not in status.stdout

    entry = document(run_cli("status", "-o", str(tmp_path), "--json"), "status")["accounts"][0]
    assert entry["last_run"] is None and entry["last_attempt"]["status"] == "partial"


def test_status_json__after_runs(exported):
    """With `status --json` (the option before or after the command), expect the last run,
    the bookmark and an incremental next run."""
    output = exported[0]
    for args in (["status", "--json"], ["--json", "status"]):
        doc = document(run_cli(*args, "-o", str(output)), "status")
        (entry,) = doc["accounts"]
        assert entry["api"] == "bc2" and entry["last_run"]["mode"] == "incremental"
        assert entry["last_attempt"]["status"] == "ok" and entry["last_full"]
        assert [b["name"] for b in entry["bookmarks"]] == ["events"]
        assert entry["next_run"] == {"mode": "incremental", "resumed_units": 0}


def test_status_json__empty_output(tmp_path):
    """With nothing exported, expect a valid document with no accounts."""
    doc = document(run_cli("status", "--json", "-o", str(tmp_path)), "status")
    assert doc["accounts"] == []
