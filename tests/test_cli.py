"""The command line as a user meets it: help, listings, one-line errors, exit codes."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from extract.cli import cli
from sandbox import Sandbox
from tests.conftest import cli_env
from tests.machine_locks import BUILT_IN_SANDBOX_PORT, machine_lock

UA = "basecamp-extract tests (tests@example.com)"
COMMANDS = ["export", "step", "steps", "tables", "sandbox", "load", "report"]


@pytest.fixture(autouse=True)
def _built_in_sandbox_port() -> Iterator[None]:
    """Tests here start the CLI's built-in sandbox: see tests/machine_locks.py."""
    with machine_lock(BUILT_IN_SANDBOX_PORT):
        yield


def run_cli(*args: str, env_extra: dict[str, str] | None = None, timeout: float = 120):
    """Run the installed console script with a clean environment; return the process."""
    env = cli_env()
    env.update(env_extra or {})
    exe = Path(sys.executable).with_name("basecamp-extract")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def assert_one_line_error(proc, code: int, *needles: str) -> None:
    assert proc.returncode == code, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_help__every_command_has_help(command):
    """With `COMMAND --help`, expect usage text and exit code 0."""
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_readme__mentions_every_command():
    """With the README, expect each command to be documented."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for command in COMMANDS:
        assert f"basecamp-extract {command}" in readme, command


def test_steps__lists_steps_with_their_endpoints():
    """With `steps`, expect the todos step to name the endpoints it runs."""
    result = CliRunner().invoke(cli, ["steps"])
    line = next(x for x in result.output.splitlines() if x.startswith("todos "))
    assert "todos_project" in line and "todo_get" in line


def test_tables__lists_keys_and_columns():
    """With `tables --columns`, expect keys, partitions and typed columns."""
    result = CliRunner().invoke(cli, ["tables", "--columns"])
    assert "todos" in result.output and "partition=(account_id, project_id)" in result.output
    assert "completed_at" in result.output and "timestamp[us, tz=UTC]" in result.output


def test_errors__real_api_without_user_agent(tmp_path):
    """With credentials for a real account but no User-Agent, expect exit 2 and a hint."""
    proc = run_cli("export", "--account", "123", "--token", "abc", "-o", str(tmp_path))
    assert_one_line_error(proc, 2, "User-Agent is required", "BASECAMP_USER_AGENT")


def test_errors__plain_http_remote_is_refused(tmp_path):
    """With an http:// base URL off loopback, expect exit 2 before any request."""
    proc = run_cli("export", "--base-url", "http://basecamp.example/1/api/v1", "--token", "t",
                   "--user-agent", UA, "-o", str(tmp_path))
    assert_one_line_error(proc, 2, "HTTPS is required")


def test_errors__wrong_password_is_401(tiny_sandbox, tmp_path):
    """With a wrong password, expect exit 3 and no output written."""
    proc = run_cli("export", "--base-url", tiny_sandbox.base_url, "--username", "sandbox",
                   "--password", "wrong-password", "--user-agent", UA, "-o", str(tmp_path))
    assert_one_line_error(proc, 3, "401")
    assert "wrong-password" not in proc.stderr
    assert not list(tmp_path.rglob("*.parquet"))


def test_errors__unknown_account_is_404(tiny_sandbox, tmp_path):
    """With an account id the server does not know, expect exit 4 naming the account."""
    base = tiny_sandbox.base_url.replace(str(tiny_sandbox.account_id), "4242")
    c = tiny_sandbox.credentials
    proc = run_cli("export", "--base-url", base, "--username", c.username, "--password",
                   c.password, "--user-agent", UA, "-o", str(tmp_path))
    assert_one_line_error(proc, 4, "account 4242 not found")


def test_errors__unwritable_output(tiny_sandbox, tmp_path):
    """With an output path that cannot be a directory, expect exit 5 before any request."""
    blocker = tmp_path / "file"
    blocker.write_text("keep me")
    tiny_sandbox.reset_log()
    proc = run_cli("export", "--sandbox", "--sandbox-size", "tiny", "-o", str(blocker / "out"))
    assert_one_line_error(proc, 5, "not writable")
    assert blocker.read_text() == "keep me"


def test_errors__malformed_json_keeps_written_output(tmp_path):
    """With a listing that keeps answering broken JSON, expect exit 7 and old data intact."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        c = box.credentials
        args = ["export", "--base-url", box.base_url, "--username", c.username, "--password",
                c.password, "--user-agent", UA, "-o", str(tmp_path), "--no-rate-limit",
                "--retries", "1"]
        assert run_cli(*args).returncode == 0
        stars = next(tmp_path.rglob("stars/*.parquet"))
        before = stars.read_bytes()
        box.inject("truncated", r"/stars\.json", times=100)
        proc = run_cli(*args, "--full")
        assert_one_line_error(proc, 7, "stars.json", "malformed JSON")
        assert stars.read_bytes() == before


def test_errors__malformed_json_on_first_call(tmp_path):
    """With the very first answer broken every time, expect exit 6, nothing written."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        box.inject("html", r"/people/me\.json", times=100)
        c = box.credentials
        proc = run_cli("export", "--base-url", box.base_url, "--username", c.username,
                       "--password", c.password, "--user-agent", UA, "-o", str(tmp_path),
                       "--retries", "1")
        assert_one_line_error(proc, 6, "HTTP 500", "people/me.json")
        assert not list(tmp_path.rglob("*.parquet"))


def test_export__no_credentials_means_sandbox(tmp_path):
    """With no credentials at all, expect the sandbox exported and a one-line summary."""
    proc = run_cli("export", "--sandbox-size", "tiny", "-o", str(tmp_path), "--no-rate-limit")
    assert proc.returncode == 0, proc.stderr
    assert "built-in sandbox" in proc.stderr
    summary = proc.stdout.strip().splitlines()[-1]
    assert summary.startswith("bc2 account ") and " ok, " in summary and "minimum" in summary
    assert (tmp_path / "bc2" / "todos").is_dir()


@pytest.mark.parametrize("api", ["bc2", "bc4"])
def test_export__sandbox_summary_requests_equal_the_minimum(tmp_path, api):
    """With the sandbox exported, expect the summary's requests to equal its minimum (for
    bc4 the Launchpad call made before the export counts in neither). BC4 keeps the client
    limiter on: its sandbox enforces 50 requests / 10 s, and retried 429s would count."""
    limit = ["--no-rate-limit"] if api == "bc2" else []
    proc = run_cli("export", "--api", api, "--sandbox-size", "tiny", "-o", str(tmp_path),
                   *limit, timeout=180)
    assert proc.returncode == 0, proc.stderr
    found = re.search(r"([\d,]+) requests \(minimum ([\d,]+)\)", proc.stdout)
    assert found and found.group(1) == found.group(2), proc.stdout


def test_export__backpack_sandbox(tmp_path):
    """With `--api backpack --sandbox`, expect every Backpack table and a one-line summary."""
    proc = run_cli("export", "--api", "backpack", "--sandbox", "--sandbox-size", "tiny", "-o",
                   str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    summary = proc.stdout.strip().splitlines()[-1]
    assert summary.startswith("backpack account sandbox: ok") and "0 throttled" in summary
    assert (tmp_path / "backpack" / "separators" / "account-sandbox-000.parquet").is_file()


def test_step__runs_one_table(tmp_path):
    """With `step stars`, expect only the stars table written."""
    proc = run_cli("step", "stars", "--sandbox", "--sandbox-size", "tiny", "-o", str(tmp_path),
                   "--no-rate-limit")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "bc2").iterdir() if not p.name.startswith("_")) \
        == ["stars"]


def test_step__unknown_step_is_a_config_error(tmp_path):
    """With a step that does not exist, expect exit 2 listing the known steps."""
    proc = run_cli("step", "nope", "--sandbox", "--sandbox-size", "tiny", "-o", str(tmp_path))
    assert_one_line_error(proc, 2, "unknown step(s) nope", "todos")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_sandbox__serves_on_loopback():
    """With `basecamp-extract sandbox`, expect the fake API answering with its credentials."""
    port = free_port()
    exe = Path(sys.executable).with_name("basecamp-extract")
    proc = subprocess.Popen([str(exe), "sandbox", "--size", "tiny", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/999999999/api/v1/people/me.json",
                                        auth=("sandbox", "sandbox"),
                                        headers={"User-Agent": UA}, timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["admin"] is True
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_interrupt__ctrl_c_stops_promptly_without_partial_files(tmp_path):
    """With SIGINT mid-crawl, expect exit 130 within seconds and no temp or partial files."""
    import signal

    env = cli_env()
    exe = Path(sys.executable).with_name("basecamp-extract")
    proc = subprocess.Popen([str(exe), "export", "--sandbox-size", "default", "-o",
                             str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    time.sleep(3)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert time.monotonic() - started < 10
    assert "Error: interrupted" in stderr and "Traceback" not in stderr
    assert not [p for p in tmp_path.rglob(".*") if p.is_file() and p.suffix == ".tmp"]
