"""Global options before or after the command, verbosity levels, and plain-word help."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.cli import cli
from extract.cli.logs import OUR_LOGGERS
from tests.conftest import USER_AGENT, cli_env

LOG_LINE = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL) ([\w.]+): ")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("basecamp-extract")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=cli_env(),
                          timeout=180)


def export_args(box, output: Path) -> list[str]:
    c = box.credentials
    return ["export", "--base-url", box.base_url, "--username", c.username, "--password",
            c.password, "--user-agent", USER_AGENT, "-o", str(output), "--workers", "2",
            "--no-rate-limit", "--no-cache"]


def log_lines(stderr: str) -> tuple[int, int]:
    """(our log lines, library log lines) on stderr."""
    names = [m.group(2) for m in map(LOG_LINE.match, stderr.splitlines()) if m]
    ours = sum(1 for n in names if n.split(".")[0] in OUR_LOGGERS)
    return ours, len(names) - ours


@pytest.mark.parametrize("where", ["before", "after"])
def test_global_options__before_or_after_the_command(tiny_sandbox, tmp_path, where):
    """With `-v --log-file F` before `export` or after its options, expect exit 0, our INFO
    line on stderr and a log file holding it."""
    log_file = tmp_path / "run.log"
    options = ["-v", "--log-file", str(log_file)]
    args = export_args(tiny_sandbox, tmp_path / "out")
    proc = run_cli(*options, *args) if where == "before" else run_cli(*args, *options)
    assert proc.returncode == 0, proc.stderr
    assert "INFO extract: bc2 account" in proc.stderr
    assert "exporting into" in log_file.read_text()


def test_verbosity__library_debug_only_with_three_v(tiny_sandbox, tmp_path):
    """With -vv, expect no library log lines on stderr (the debug log file has them); with
    -vvv, urllib3's DEBUG lines appear on stderr."""
    log_file = tmp_path / "debug.log"
    two = run_cli("-vv", *export_args(tiny_sandbox, tmp_path / "two"), "--log-file",
                  str(log_file))
    assert "DEBUG urllib3.connectionpool: " in log_file.read_text()
    three = run_cli(*export_args(tiny_sandbox, tmp_path / "three"), "-vvv")
    assert two.returncode == 0 and three.returncode == 0, two.stderr[-2000:]
    ours_two, libraries_two = log_lines(two.stderr)
    ours_three, libraries_three = log_lines(three.stderr)
    assert ours_two > 0 and libraries_two == 0, two.stderr[-2000:]
    assert ours_three > 0 and libraries_three > 100
    assert "DEBUG urllib3.connectionpool: " in three.stderr


def test_verbosity__counts_add_up_across_positions(tiny_sandbox, tmp_path):
    """With `-v export -vv` (three in all), expect library DEBUG lines."""
    proc = run_cli("-v", *export_args(tiny_sandbox, tmp_path), "-vv")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert log_lines(proc.stderr)[1] > 0


def test_help__names_all_three_families_and_no_cut_summaries():
    """With the top-level --help, expect Basecamp 2, Basecamp 4 and Backpack named, and every
    command's summary whole (no '...')."""
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    head = result.output.split("Options:")[0]
    assert all(f in head for f in ("Basecamp 2", "Basecamp 4", "Backpack"))
    commands = result.output.split("Commands:")[1]
    assert "..." not in commands and "…" not in commands
    assert len(commands.strip().splitlines()) == len(cli.commands)  # one line each


@pytest.mark.parametrize("api", ["bc2", "bc4", "backpack"])
def test_tables__plain_words(api):
    """With `tables`, expect no internal jargon (trap numbers, spec names, crawl internals)."""
    result = CliRunner().invoke(cli, ["tables", "--api", api])
    assert result.exit_code == 0
    for jargon in ("trap ", "openapi", "row constants", "fixture", "crawled", "bucket.id",
                   ".json"):
        assert jargon not in result.output, jargon


def test_summary__incremental_says_rows_changed_and_stored(tiny_sandbox, tmp_path):
    """With a second (incremental) export, expect 'N rows changed in T tables; S rows stored'
    with S the first run's total."""
    args = export_args(tiny_sandbox, tmp_path)
    first = run_cli(*args).stdout
    second = run_cli(*args).stdout
    total = re.search(r"ok, \d+ tables, ([\d,]+) rows stored, ", first)
    changed = re.search(r"ok, ([\d,]+) rows? changed in (\d+) tables?; ([\d,]+) rows stored, ",
                        second)
    assert total and changed, (first, second)
    assert changed.group(3) == total.group(1)


def test_json__refused_where_there_is_no_json_output():
    """With `--json steps` or `load --json`, expect exit 2 rather than text where JSON was
    asked for."""
    runner = CliRunner()
    assert runner.invoke(cli, ["--json", "steps"]).exit_code == 2
    assert runner.invoke(cli, ["load", "--json"]).exit_code == 2
    assert runner.invoke(cli, ["steps"]).exit_code == 0
