"""Crash-safe resume: a run killed with SIGKILL at any moment, then rerun, equals a clean run.

The export runs as a real subprocess against a sandbox in this process; it is killed at a
random moment (during the crawl or while storing), then the same command is run to the end.
Lineage columns (``_run_id``, ``_extracted_at``) aside, every table must equal a clean export's,
with no duplicate keys, and the rerun must not fetch again what the killed run completed.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extract.journal import pending, run_dir
from sandbox import Sandbox
from tests.conftest import cli_env, stored_tables

UA = "basecamp-extract tests (tests@example.com)"
KILLS = 10


def command(box: Sandbox, output: Path) -> list[str]:
    exe = Path(sys.executable).with_name("basecamp-extract")
    c = box.credentials
    return [str(exe), "export", "--base-url", box.base_url, "--username", c.username,
            "--password", c.password, "--user-agent", UA, "-o", str(output), "--workers", "2"]




@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The sandbox, a clean export of it, and how long that export takes."""
    out = tmp_path_factory.mktemp("clean")
    with Sandbox(api="bc2", size="tiny", rate_limit=None, latency=0.004) as box:
        started = time.monotonic()
        done = subprocess.run(command(box, out), env=cli_env(), capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        yield box, stored_tables(out, "bc2"), time.monotonic() - started


def test_resume__killed_runs_end_equal_to_a_clean_run(clean, tmp_path):
    """With ten runs each killed at a random moment and then rerun, expect clean output."""
    box, expected, seconds = clean
    rng = random.Random(7)
    resumed_somewhere = False
    for attempt in range(KILLS):
        out = tmp_path / f"run{attempt}"
        proc = subprocess.Popen(command(box, out), env=cli_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, seconds))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        journal = run_dir(out, "bc2", "account_id", box.account_id)
        completed = pending(journal)
        done = subprocess.run(command(box, out), env=cli_env(), capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        got = stored_tables(out, "bc2")
        assert got.keys() == expected.keys(), attempt
        for name, rows in expected.items():
            assert got[name] == rows, (attempt, name)
        assert not journal.exists()
        resumed_somewhere |= completed > 0
    assert resumed_somewhere


def test_resume__completed_units_are_not_fetched_again(tmp_path):
    """With a journal of completed units, expect the rerun to request only the rest."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        out = tmp_path / "out"
        box.inject("500", r"/todolists/\d+/todos\.json", times=50)
        first = subprocess.run([*command(box, out), "--retries", "0"], env=cli_env(),
                               capture_output=True, text=True, timeout=300)
        assert first.returncode == 7, first.stderr
        units = pending(run_dir(out, "bc2", "account_id", box.account_id))
        assert units > 0
        box.reset_log()
        box._faults.clear()
        second = subprocess.run(command(box, out), env=cli_env(), capture_output=True,
                                text=True, timeout=300)
        assert second.returncode == 0, second.stderr
        paths = {r["path"] for r in box.requests}
        # Only the failed listing and what it leads to (a to-do with comments) are fetched.
        assert paths and all("/todos" in p for p in paths), paths


def test_output__unwritable_mid_run_keeps_the_previous_output(tmp_path, monkeypatch,
                                                               tiny_sandbox, export_to):
    """With the disk full while partitions are written, expect an OutputError (exit 5), every
    partition still readable, no temp file, and a rerun that completes from the journal."""
    import errno

    import pyarrow.parquet as pq

    from transforms.errors import OutputError

    out = tmp_path / "out"
    export_to(tiny_sandbox, out)
    before = {p: pq.read_metadata(p).num_rows for p in out.rglob("[!.]*.parquet")}
    real = pq.write_table
    calls = {"n": 0}

    def full_disk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", full_disk)
    with pytest.raises(OutputError) as failed:
        export_to(tiny_sandbox, out, full=True)
    assert failed.value.exit_code == 5 and "No space left" in failed.value.one_line()
    after = {p: pq.read_metadata(p).num_rows for p in out.rglob("[!.]*.parquet")}
    assert after.keys() == before.keys() and after == before
    assert not [p for p in out.rglob("*.tmp")]
    monkeypatch.setattr(pq, "write_table", real)
    tiny_sandbox.reset_log()
    result = export_to(tiny_sandbox, out, full=True)
    assert result.ok and result.manifest["resumed_units"] > 0
    assert tiny_sandbox.requests == []
