"""`basecamp-extract export --api bc4` as a user runs it: stored grant, discovery, refresh, errors.

Each test runs the real console script in a subprocess against a tiny sandbox on loopback, with
a token file written the way `auth login` writes it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from extract.families.bc4.oauth import OAuthApp, Tokens
from extract.families.bc4.tokens import TokenStore
from sandbox import Sandbox
from tests.conftest import cli_env

UA = "basecamp-extract tests (tests@example.com)"


def store_grant(box: Sandbox, path: Path) -> None:
    c = box.credentials
    app = OAuthApp(c.client_id, c.client_secret, f"{box.launchpad_url}/authorization/token")
    TokenStore(path).save(Tokens(c.token, c.refresh_token), app, box.launchpad_url)


def export(tmp_path: Path, token_file: Path, *extra: str) -> subprocess.CompletedProcess:
    env = cli_env()
    exe = Path(sys.executable).with_name("basecamp-extract")
    return subprocess.run(
        [str(exe), "--log-file", str(tmp_path / "debug.log"), "export", "--api", "bc4",
         "--token-file", str(token_file), "--user-agent", UA, "-o", str(tmp_path / "out"),
         "--no-rate-limit", "--keep-raw", *extra],
        capture_output=True, text=True, env=env, timeout=300)


def test_cli__discovers_the_account_and_refreshes_an_expired_token(tmp_path):
    """With an expired access token in the token file, expect discovery, a refresh stored
    in the file, every account exported, and no secret in any artefact or output."""
    token_file = tmp_path / "grant.json"
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        store_grant(box, token_file)
        box.expire_token()
        proc = export(tmp_path, token_file, "--steps", "people,todos,comments")
        assert proc.returncode == 0, proc.stderr
        secrets = box.credentials.secrets()
        stored = json.loads(token_file.read_text())
        assert stored["access_token"] == box.credentials.token
    assert f"bc4 account {box.account_id}: ok" in proc.stdout
    assert (tmp_path / "out" / "bc4" / "todos" / f"account_id-{box.account_id}-000.parquet"
            ).is_file()
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()] + [tmp_path / "debug.log"]
    assert {".parquet", ".json", ".sqlite", ".log"} <= {p.suffix for p in files}
    leaks = [(p, s) for p in files for s in secrets if s.encode() in p.read_bytes()]
    assert leaks == []
    assert not any(s in proc.stdout + proc.stderr for s in secrets)


def test_cli__revoked_grant_is_one_line_and_exit_3(tmp_path):
    """With the grant revoked, expect exactly one Error line, exit code 3, no traceback."""
    token_file = tmp_path / "grant.json"
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        store_grant(box, token_file)
        box.revoke()
        proc = export(tmp_path, token_file, "--account", str(box.account_id),
                      "--base-url", box.base_url)
    assert proc.returncode == 3, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and "revoked" in lines[0]
    assert "Traceback" not in proc.stderr


def test_cli__no_grant_is_a_config_error(tmp_path):
    """With a base URL but no token file and no token, expect exit 2 naming `auth login`."""
    proc = export(tmp_path, tmp_path / "absent.json", "--base-url",
                  "http://127.0.0.1:9/999")
    assert proc.returncode == 2
    assert "auth login" in proc.stderr and "Traceback" not in proc.stderr
