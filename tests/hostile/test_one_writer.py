"""Case 7, one writer: a second export waits for the output lock or exits 9."""

from __future__ import annotations

from pathlib import Path

from sandbox.hostile import delay
from tests.hostile.cases import Target, assert_one_line_error, tables, wait_for


def _slow_first_export(bc2: Target, output: Path):
    """An export that is inside its lock (it has sent a request) and held there for 3 s."""
    bc2.proxy.use(delay(".*", 3.0, times=1))
    first = bc2.start_export(output)
    wait_for(lambda: bc2.proxy.arrived >= 1)
    return first


def test_lock__second_export_with_no_wait_exits_9(bc2, bc2_calm, tmp_path):
    """With an export running, expect a second one with --no-wait to exit 9 with one line,
    and the first to end ok with every table calm."""
    output = tmp_path / "out"
    first = _slow_first_export(bc2, output)
    second = bc2.export(output, "--no-wait")
    _, first_err = first.communicate(timeout=120)
    line = assert_one_line_error(second, 9)
    assert "another export" in line or ".lock" in line, line
    assert first.returncode == 0, first_err[-3000:]
    assert tables(output, "bc2") == bc2_calm


def test_lock__second_export_waits_then_both_end_ok(bc2, bc2_calm, tmp_path):
    """With an export running, expect a second one to say it waits for the lock, then both to
    end ok (neither touching the other's journal) with every table calm."""
    output = tmp_path / "out"
    first = _slow_first_export(bc2, output)
    second = bc2.start_export(output)
    _, first_err = first.communicate(timeout=120)
    _, second_err = second.communicate(timeout=120)
    assert first.returncode == 0, first_err[-3000:]
    assert second.returncode == 0, second_err[-3000:]
    assert "waiting for another export" in second_err
    assert "Traceback" not in first_err + second_err
    assert tables(output, "bc2") == bc2_calm
