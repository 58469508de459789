"""One writer per output: a second export of the same account into the same output waits for
the first, or with --no-wait exits 9 at once; it never touches the first's run journal."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from extract.export import run_export
from extract.journal import JOURNAL, run_dir
from extract.lock import lock_path, output_lock
from sandbox import Sandbox
from tests.conftest import cli_env, export_command, sandbox_config, stored_tables
from transforms.errors import BusyError


def command(box: Sandbox, output: Path, *extra: str) -> list[str]:
    return export_command(box, output, *extra, workers=1)


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    """A sandbox slow enough (per-request latency, one worker) that a run lasts seconds, and
    a calm export of it."""
    out = tmp_path_factory.mktemp("calm")
    with Sandbox(api="bc2", size="tiny", rate_limit=None, latency=0.03) as box:
        assert run_export(sandbox_config(box, out)).ok
        yield box, stored_tables(out, "bc2")


def _start_first(box: Sandbox, out: Path) -> tuple[subprocess.Popen[str], Path]:
    """The first export, once it holds the lock and has journalled a unit."""
    first = subprocess.Popen(command(box, out), env=cli_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    journal = run_dir(out, "bc2", "account_id", box.account_id) / JOURNAL
    deadline = time.monotonic() + 60
    while not (journal.is_file() and journal.stat().st_size) and first.poll() is None:
        assert time.monotonic() < deadline, "the first export never journalled a unit"
        time.sleep(0.02)
    assert first.poll() is None, first.communicate()
    return first, journal


def test_lock__no_wait_exits_9_and_leaves_the_first_run_alone(slow, tmp_path):
    """With an export running, expect a second with --no-wait to exit 9 with one line naming
    the lock, the first's journal untouched, and the first to finish ok equal to a calm run
    (was: the second adopted or deleted the first's journal; the first died with exit 5)."""
    box, expected = slow
    out = tmp_path / "out"
    first, journal = _start_first(box, out)
    before = journal.read_bytes()
    second = subprocess.run(command(box, out, "--no-wait"), env=cli_env(), capture_output=True,
                            text=True, timeout=60)
    assert first.poll() is None, "the first export ended before the second was refused"
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert second.returncode == 9, second.stderr
    assert len(lines) == 1 and "another export of bc2 account" in lines[0], lines
    assert str(lock_path(out, "bc2", "account_id", box.account_id)) in lines[0]
    assert journal.read_bytes().startswith(before)
    _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert stored_tables(out, "bc2") == expected


def test_lock__the_second_export_waits_then_runs_after_the_first(slow, tmp_path):
    """Without --no-wait, expect the second to say it waits, then finish after the first,
    both ok, the output equal to a calm run."""
    box, expected = slow
    out = tmp_path / "out"
    first, _ = _start_first(box, out)
    second = subprocess.Popen(command(box, out), env=cli_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    _, second_err = second.communicate(timeout=300)
    assert second.returncode == 0, second_err
    assert "waiting for another export of bc2 account" in second_err
    assert "Traceback" not in first_err + second_err
    folder = out / "bc2" / "_manifests" / f"account_id={box.account_id}"
    runs = sorted((json.loads(p.read_text()) for p in folder.glob("2*.json")),
                  key=lambda m: m["started_at"])
    assert [m["mode"] for m in runs] == ["full", "incremental"]
    assert runs[1]["started_at"] >= runs[0]["finished_at"]  # it ran once the first was done
    assert stored_tables(out, "bc2") == expected


def test_lock__held_lock_with_no_wait_is_busy_error(tiny_sandbox, tmp_path):
    """In process: with the lock held, expect BusyError (exit 9) before any request."""
    out = tmp_path / "out"
    tiny_sandbox.reset_log()
    with (output_lock(out, "bc2", "account_id", tiny_sandbox.account_id),
          pytest.raises(BusyError) as busy):
        run_export(sandbox_config(tiny_sandbox, out, wait_for_lock=False))
    assert busy.value.exit_code == 9
    assert tiny_sandbox.requests == []
    assert run_export(sandbox_config(tiny_sandbox, out, wait_for_lock=False)).ok


def test_lock__another_account_in_the_same_output_is_not_blocked(tiny_sandbox, tmp_path):
    """The lock is per account: another account's lock held does not stop this export, and
    this export's temp-file sweep leaves the other account's temp files alone."""
    out = tmp_path / "out"
    other = out / "bc2" / "todos" / "account_id=1" / ".part-0.parquet.abc.tmp"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"being written")
    mine = out / "bc2" / "todos" / f"account_id={tiny_sandbox.account_id}" / ".part.x.tmp"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"left by a killed run")
    with output_lock(out, "bc2", "account_id", 1):
        assert run_export(sandbox_config(tiny_sandbox, out, wait_for_lock=False)).ok
    assert other.read_bytes() == b"being written"
    assert not mine.exists()
