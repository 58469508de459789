"""Tokens and passwords never reach an artefact: cache, Parquet, manifest, raw pages, logs."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import Credentials, Sandbox
from tests.conftest import cli_env

UA = "basecamp-extract tests (tests@example.com)"
TOKEN = "tok-5ecret-d0-not-leak-8a1f"
PASSWORD = "pw-5ecret-d0-not-leak-71c2"
USER = "leaky-user"


def forms_of(*secrets: str) -> list[bytes]:
    out = [s.encode() for s in secrets]
    out.append(base64.b64encode(f"{USER}:{PASSWORD}".encode()))
    return out


def scan(paths: list[Path], needles: list[bytes]) -> list[str]:
    hits = []
    for path in paths:
        data = path.read_bytes()
        hits += [f"{path}: {n.decode()}" for n in needles if n in data]
    return hits


@pytest.mark.parametrize("auth", ["token", "basic"])
def test_secrets__never_in_any_artefact(tmp_path, auth):
    """With a debug-logged export (cache, raw pages kept), expect no secret in any file."""
    creds = Credentials(username=USER, password=PASSWORD, token=TOKEN)
    with Sandbox(api="bc2", size="tiny", rate_limit=None, credentials=creds) as box:
        login = (["--token", TOKEN] if auth == "token"
                 else ["--username", USER, "--password", PASSWORD])
        log = tmp_path / "debug.log"
        env = cli_env()
        exe = Path(sys.executable).with_name("basecamp-extract")
        proc = subprocess.run(
            [str(exe), "-vv", "--log-file", str(log), "export", "--base-url", box.base_url,
             *login, "--user-agent", UA, "-o", str(tmp_path / "out"), "--keep-raw",
             "--no-rate-limit", "--steps", "people,todos,comments,stars"],
            capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()] + [log]
    kinds = {p.suffix for p in files}
    assert {".parquet", ".json", ".sqlite", ".log"} <= kinds
    assert log.stat().st_size > 10_000
    assert scan(files, forms_of(TOKEN, PASSWORD)) == []
    assert TOKEN not in proc.stderr + proc.stdout and PASSWORD not in proc.stderr + proc.stdout


def test_secrets__never_in_cassettes():
    """With every recorded cassette, expect no Authorization value and no recording secret."""
    from tests.test_cassettes import RECORDING_CREDENTIALS as rec

    cassettes = list((Path(__file__).resolve().parents[1] / "cassettes").rglob("*.yaml"))
    assert cassettes, "no cassettes recorded"
    pair = base64.b64encode(f"{rec.username}:{rec.password}".encode())
    needles = [rec.password.encode(), rec.token.encode(), pair]
    assert scan(cassettes, needles) == []
    for cassette in cassettes:
        text = cassette.read_text()
        assert "Basic " not in text and "Bearer " not in text


def test_secrets__backpack_token_never_in_any_artefact(tmp_path):
    """With a debug-logged Backpack export (token in bodies, paths, headers), expect it nowhere."""
    token = "fedcba9876543210fedcba9876543210fedcba98"
    creds = Credentials(username="u", password="p", token=token)
    with Sandbox(api="backpack", size="tiny", rate_limit=None, credentials=creds) as box:
        log = tmp_path / "debug.log"
        env = cli_env()
        exe = Path(sys.executable).with_name("basecamp-extract")
        proc = subprocess.run(
            [str(exe), "-vv", "--log-file", str(log), "export", "--api", "backpack",
             "--base-url", box.wrong_scheme_url, "--account", box.account, "--token", token,
             "--user-agent", UA, "-o", str(tmp_path / "out"), "--keep-raw"],
            capture_output=True, text=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()] + [log]
    assert log.stat().st_size > 5_000
    assert scan(files, [token.encode(), base64.b64encode(f"{token}:X".encode())]) == []
    assert token not in proc.stderr + proc.stdout
