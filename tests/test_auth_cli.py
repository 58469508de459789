"""``auth login`` / ``auth accounts`` against the BC4 sandbox's Launchpad, loopback only.

The browser is simulated: ``webbrowser.open`` is replaced by a function that GETs the
authorization URL with requests and follows the sandbox's 302 to our callback listener.
The group is mounted on a throwaway root group, as ``cli.add_command(auth)`` will do.
"""

from __future__ import annotations

import json
import stat
import threading
import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import click
import pytest
import requests
from click.testing import CliRunner, Result

from extract.families.bc4.auth_cli import auth
from sandbox import Bc4Credentials, Sandbox

UA = "basecamp-extract tests (tests@example.com)"
ENV_VARS = ("BASECAMP_CLIENT_ID", "BASECAMP_CLIENT_SECRET", "BASECAMP_LAUNCHPAD",
            "BASECAMP_TOKEN", "BASECAMP_TOKEN_FILE", "BASECAMP_USER_AGENT")


@click.group()
def root() -> None:
    """Stand-in for ``extract.cli.cli``."""


root.add_command(auth)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(api="bc4", size="tiny", seed=0, rate_limit=None) as box:
        yield box


def creds(sb: Sandbox) -> Bc4Credentials:
    assert isinstance(sb.credentials, Bc4Credentials)
    return sb.credentials


class FakeBrowser:
    """``webbrowser.open``: visits the URL (optionally rewritten) and follows redirects."""

    def __init__(self, rewrite: Callable[[str], str] = lambda url: url) -> None:
        self.rewrite = rewrite
        self.opened: list[str] = []
        self._pages: list[requests.Response] = []
        self._done = threading.Event()

    def __call__(self, url: str, *args: Any, **kwargs: Any) -> bool:
        self.opened.append(url)
        try:
            self._pages.append(requests.get(self.rewrite(url), timeout=10,
                                            headers={"User-Agent": "Browser/1.0"}))
        finally:
            self._done.set()
        return True

    @property
    def pages(self) -> list[requests.Response]:
        """What the browser ended up showing (it runs in login's side thread)."""
        assert self._done.wait(10), "the browser never finished"
        return self._pages


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> FakeBrowser:
    fake = FakeBrowser()
    monkeypatch.setattr(webbrowser, "open", fake)
    return fake


def run(*args: str, **env: str) -> Result:
    return CliRunner().invoke(root, ["auth", *args], env=env or None)


def login_args(sb: Sandbox, token_file: Path, *extra: str) -> list[str]:
    c = creds(sb)
    return ["login", "--client-id", c.client_id, "--client-secret", c.client_secret,
            "--launchpad", sb.launchpad_url, "--port", "0", "--timeout", "10",
            "--token-file", str(token_file), "--user-agent", UA, *extra]


def assert_no_secrets(sb: Sandbox, result: Result) -> None:
    text = result.stdout + result.stderr
    for secret in creds(sb).secrets():
        assert secret not in text


def assert_one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: ")
    assert "Traceback" not in result.output
    return lines[-1]


def expected_accounts(sb: Sandbox) -> str:
    return f"{sb.account_id}\t{sb.truth.name}\t{sb.base_url}\n"


@pytest.fixture
def logged_in(sb: Sandbox, browser: FakeBrowser, tmp_path: Path) -> Path:
    token_file = tmp_path / "config" / "bc4-token.json"
    result = run(*login_args(sb, token_file))
    assert result.exit_code == 0, result.output
    return token_file


# ---------------------------------------------------------------------- login
def test_login__end_to_end_against_sandbox(sb: Sandbox, browser: FakeBrowser,
                                           tmp_path: Path) -> None:
    """With a browser that approves, expect tokens saved 0600 and the bc3 account listed."""
    token_file = tmp_path / "config" / "bc4-token.json"
    result = run(*login_args(sb, token_file))
    assert result.exit_code == 0, result.output
    assert result.stdout == expected_accounts(sb)
    assert [p.status_code for p in browser.pages] == [200]
    assert [r.status_code for r in browser.pages[0].history] == [302]
    (opened,) = browser.opened
    query = parse_qs(urlsplit(opened).query)
    assert opened.startswith(sb.launchpad_url + "/authorization/new?")
    assert query["response_type"] == ["code"] and query["client_id"] == [creds(sb).client_id]
    assert query["redirect_uri"][0].startswith("http://127.0.0.1:")
    assert len(query["state"][0]) >= 20 and opened in result.stderr
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert [p.name for p in token_file.parent.iterdir()] == ["bc4-token.json"]  # no temp left
    stored = json.loads(token_file.read_text())
    c = creds(sb)
    assert stored["access_token"] == c.token and stored["refresh_token"] == c.refresh_token
    assert (stored["client_id"], stored["client_secret"]) == (c.client_id, c.client_secret)
    assert stored["token_url"] == sb.launchpad_url + "/authorization/token"
    assert stored["launchpad"] == sb.launchpad_url and stored["expires_at"]
    assert_no_secrets(sb, result)
    assert requests.get(sb.base_url + "/projects.json", timeout=10, headers={
        "User-Agent": UA, "Authorization": f"Bearer {stored['access_token']}"}).status_code == 200


def test_login__states_differ_between_runs(sb: Sandbox, browser: FakeBrowser,
                                           tmp_path: Path) -> None:
    """With two logins, expect two different random states."""
    for name in ("a.json", "b.json"):
        assert run(*login_args(sb, tmp_path / name)).exit_code == 0
    states = {parse_qs(urlsplit(url).query)["state"][0] for url in browser.opened}
    assert len(states) == 2


def test_login__wrong_state_refused(sb: Sandbox, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    """With a callback carrying another state, expect exit 3, a 400 page, no token file."""

    def forge(url: str) -> str:
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()} | {"state": "forged"}
        return urlunsplit(parts._replace(query=urlencode(query)))

    fake = FakeBrowser(rewrite=forge)
    monkeypatch.setattr(webbrowser, "open", fake)
    token_file = tmp_path / "bc4-token.json"
    result = run(*login_args(sb, token_file))
    line = assert_one_line_error(result, 3)
    assert "wrong state" in line
    assert [p.status_code for p in fake.pages] == [400]
    assert not token_file.exists() and result.stdout == ""
    assert_no_secrets(sb, result)


def test_login__denied_by_user(sb: Sandbox, monkeypatch: pytest.MonkeyPatch,
                               tmp_path: Path) -> None:
    """With the callback carrying error=access_denied and the right state, expect exit 3."""

    def deny(url: str) -> str:
        query = parse_qs(urlsplit(url).query)
        return query["redirect_uri"][0] + "?" + urlencode(
            {"error": "access_denied", "state": query["state"][0]})

    monkeypatch.setattr(webbrowser, "open", FakeBrowser(rewrite=deny))
    result = run(*login_args(sb, tmp_path / "t.json"))
    assert "access_denied" in assert_one_line_error(result, 3)
    assert not (tmp_path / "t.json").exists()


def test_login__timeout_without_browser(sb: Sandbox, monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    """With --no-browser and nobody visiting, expect the URL printed, then exit 3 on timeout."""

    def never(*args: Any, **kwargs: Any) -> bool:
        raise AssertionError("--no-browser must not open a browser")

    monkeypatch.setattr(webbrowser, "open", never)
    args = login_args(sb, tmp_path / "t.json", "--no-browser")
    args[args.index("--timeout") + 1] = "0.5"
    result = run(*args)
    line = assert_one_line_error(result, 3)
    assert "no authorization callback" in line and "0.5s" in line
    assert sb.launchpad_url + "/authorization/new?response_type=code" in result.stderr
    assert not (tmp_path / "t.json").exists()


def test_login__wrong_client_secret(sb: Sandbox, browser: FakeBrowser, tmp_path: Path) -> None:
    """With a wrong client secret, expect the code exchange refused: exit 3, secret unshown."""
    args = login_args(sb, tmp_path / "t.json")
    args[args.index("--client-secret") + 1] = "not-the-secret-at-all"
    result = run(*args)
    line = assert_one_line_error(result, 3)
    assert "invalid_client" in line and "not-the-secret-at-all" not in result.output
    assert not (tmp_path / "t.json").exists()


def test_login__credentials_from_env(sb: Sandbox, browser: FakeBrowser, tmp_path: Path) -> None:
    """With client id/secret, Launchpad and token file from the environment, expect a login."""
    c = creds(sb)
    token_file = tmp_path / "env-token.json"
    result = run("login", "--port", "0", "--timeout", "10",
                 BASECAMP_CLIENT_ID=c.client_id, BASECAMP_CLIENT_SECRET=c.client_secret,
                 BASECAMP_LAUNCHPAD=sb.launchpad_url, BASECAMP_TOKEN_FILE=str(token_file),
                 BASECAMP_USER_AGENT=UA)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected_accounts(sb) and token_file.exists()


def test_login__redirect_uri_must_be_loopback(sb: Sandbox, browser: FakeBrowser,
                                              tmp_path: Path) -> None:
    """With a non-loopback --redirect-uri, expect exit 2 before any browser is opened."""
    result = run(*login_args(sb, tmp_path / "t.json", "--redirect-uri",
                             "http://example.com:8976/callback"))
    assert "redirect-uri" in assert_one_line_error(result, 2)
    assert browser.opened == []


def test_login__http_launchpad_off_loopback_refused(tmp_path: Path, browser: FakeBrowser) -> None:
    """With a plain-http Launchpad on a public host, expect exit 2 (HTTPS required)."""
    result = run("login", "--client-id", "id", "--client-secret", "secret", "--launchpad",
                 "http://launchpad.example.com", "--token-file", str(tmp_path / "t.json"))
    assert "HTTPS" in assert_one_line_error(result, 2)
    assert browser.opened == []


# ---------------------------------------------------------------------- accounts
def test_accounts__lists_exactly_the_bc3_account(sb: Sandbox, logged_in: Path) -> None:
    """With the saved token file, expect one line: id, name, href of the sandbox's bc3 account."""
    result = run("accounts", "--token-file", str(logged_in), "--user-agent", UA)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected_accounts(sb)
    assert_no_secrets(sb, result)


def test_accounts__token_file_from_env(sb: Sandbox, logged_in: Path) -> None:
    """With BASECAMP_TOKEN_FILE set, expect that file used."""
    result = run("accounts", BASECAMP_TOKEN_FILE=str(logged_in))
    assert result.exit_code == 0, result.output
    assert result.stdout == expected_accounts(sb)


def test_accounts__expired_token_refreshed_and_rotation_stored(sb: Sandbox,
                                                               logged_in: Path) -> None:
    """With the access token expired, expect the listing to work and the file to hold the
    rotated tokens (still mode 0600)."""
    before = json.loads(logged_in.read_text())
    sb.expire_token()
    result = run("accounts", "--token-file", str(logged_in), "--user-agent", UA)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected_accounts(sb)
    after = json.loads(logged_in.read_text())
    c = creds(sb)
    assert after["access_token"] == c.token != before["access_token"]
    assert after["refresh_token"] == c.refresh_token != before["refresh_token"]
    assert after["client_secret"] == before["client_secret"] and after["expires_at"]
    assert stat.S_IMODE(logged_in.stat().st_mode) == 0o600
    assert_no_secrets(sb, result)
    again = run("accounts", "--token-file", str(logged_in), "--user-agent", UA)
    assert again.stdout == expected_accounts(sb)


def test_accounts__revoked_is_one_line_exit_3(sb: Sandbox, logged_in: Path) -> None:
    """With the grant revoked, expect one ``Error:`` line and exit code 3."""
    sb.revoke()
    result = run("accounts", "--token-file", str(logged_in), "--user-agent", UA)
    line = assert_one_line_error(result, 3)
    assert "revoked" in line and "auth login" in line
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert_no_secrets(sb, result)


def test_accounts__bare_token(sb: Sandbox) -> None:
    """With --token (no file), expect the listing; once expired, exit 3 (no refresh)."""
    c = creds(sb)
    result = run("accounts", "--token", c.token, "--launchpad", sb.launchpad_url)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected_accounts(sb)
    sb.expire_token()
    expired = run("accounts", BASECAMP_TOKEN=c.token, BASECAMP_LAUNCHPAD=sb.launchpad_url)
    assert "401" in assert_one_line_error(expired, 3)
    assert_no_secrets(sb, expired)


def test_accounts__no_token_file(tmp_path: Path) -> None:
    """With no token file and no --token, expect exit 2 pointing at ``auth login``."""
    result = run("accounts", "--token-file", str(tmp_path / "missing.json"))
    assert "auth login" in assert_one_line_error(result, 2)


def test_accounts__corrupt_token_file(tmp_path: Path) -> None:
    """With a token file that is not ours, expect exit 2 and no contents echoed."""
    path = tmp_path / "t.json"
    path.write_text('{"access_token": "sekrit-value"}')
    result = run("accounts", "--token-file", str(path))
    assert "not a basecamp-extract token file" in assert_one_line_error(result, 2)
    assert "sekrit-value" not in result.output


# ---------------------------------------------------------------------- sandbox Launchpad
def authorize(sb: Sandbox, **params: str) -> requests.Response:
    return requests.get(sb.launchpad_url + "/authorization/new", params=params,
                        headers={"User-Agent": UA}, allow_redirects=False, timeout=10)


def exchange(sb: Sandbox, **params: str) -> requests.Response:
    return requests.post(sb.launchpad_url + "/authorization/token", data=params,
                         headers={"User-Agent": UA}, timeout=10)


def test_sandbox__authorize_redirects_with_code_and_state(sb: Sandbox) -> None:
    """With a known client and a loopback redirect, expect 302 carrying code and state."""
    c = creds(sb)
    redirect = "http://127.0.0.1:9/cb"
    response = authorize(sb, response_type="code", client_id=c.client_id,
                         redirect_uri=redirect, state="s1")
    assert response.status_code == 302
    location = response.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(redirect + "?") and query["state"] == ["s1"]
    code = query["code"][0]
    assert code in c.secrets()
    ok = exchange(sb, grant_type="authorization_code", code=code, client_id=c.client_id,
                  client_secret=c.client_secret, redirect_uri=redirect)
    assert ok.status_code == 200 and ok.json()["access_token"] == c.token
    again = exchange(sb, grant_type="authorization_code", code=code, client_id=c.client_id,
                     client_secret=c.client_secret, redirect_uri=redirect)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    logged = json.dumps(sb.requests)
    assert all(secret not in logged for secret in c.secrets())


def test_sandbox__authorize_refusals(sb: Sandbox) -> None:
    """With an unknown client or a non-loopback redirect, expect 400 and no redirect."""
    c = creds(sb)
    assert authorize(sb, response_type="code", client_id="nope",
                     redirect_uri="http://127.0.0.1:9/cb").status_code == 400
    for uri in ("https://example.com/cb", "http://10.0.0.1:9/cb", ""):
        assert authorize(sb, response_type="code", client_id=c.client_id,
                         redirect_uri=uri).status_code == 400


def test_sandbox__legacy_web_server_and_redirect_mismatch(sb: Sandbox) -> None:
    """With legacy type=web_server, expect it to work; a different redirect_uri is refused."""
    c = creds(sb)

    def new_code() -> str:
        response = authorize(sb, type="web_server", client_id=c.client_id,
                             redirect_uri="http://localhost:9/cb")
        return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]

    mismatch = exchange(sb, type="web_server", code=new_code(), client_id=c.client_id,
                        client_secret=c.client_secret, redirect_uri="http://localhost:9/other")
    assert mismatch.status_code == 400
    ok = exchange(sb, type="web_server", code=new_code(), client_id=c.client_id,
                  client_secret=c.client_secret, redirect_uri="http://localhost:9/cb")
    assert ok.status_code == 200 and ok.json()["refresh_token"] == c.refresh_token


def test_sandbox__login_after_revoke_mints_new_tokens(sb: Sandbox, browser: FakeBrowser,
                                                      tmp_path: Path) -> None:
    """With the grant revoked, expect a fresh login to work again with new tokens."""
    revoked = creds(sb).token
    sb.revoke()
    token_file = tmp_path / "t.json"
    result = run(*login_args(sb, token_file))
    assert result.exit_code == 0, result.output
    assert result.stdout == expected_accounts(sb)
    assert json.loads(token_file.read_text())["access_token"] not in ("", revoked)
