"""Launchpad sign-in for Basecamp 4: the authorization-code flow on loopback, and the token file.

``login`` runs the browser half of OAuth 2 for a registered Launchpad app: it listens once on
``127.0.0.1`` (never a public interface) at the app's registered ``redirect_uri``, sends the user
to ``/authorization/new`` with a random ``state``, accepts exactly one callback carrying that
state, and trades the code at the token endpoint (``grant_type=authorization_code``).

``TokenStore`` keeps the result in one JSON file (default ``~/.config/basecamp-extract/
bc4-token.json``), written atomically with mode 0600; its ``save_tokens`` is the
``on_refresh`` callback for ``RefreshingBearerAuth`` so rotated refresh tokens are never lost.

No token, code or client secret is ever printed or logged: each is registered with the
``REDACTOR`` the moment it is known, and errors name endpoints by path only.
"""

from __future__ import annotations

import hmac
import html
import json
import logging
import os
import re
import secrets
import socketserver
import stat
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from extract.families.bc4.oauth import (
    LAUNCHPAD,
    TOKEN_TIMEOUT,
    OAuthApp,
    RefreshingBearerAuth,
    Tokens,
    bc3_accounts,
    lifetime,
)
from extract.http import Credentials, HttpSettings, HttpStats, build_session, require_safe_base_url
from transforms.errors import AuthError, ConfigError, RemoteError, SkippedResource
from transforms.redact import REDACTOR

log = logging.getLogger(__name__)

DEFAULT_TOKEN_FILE = "~/.config/basecamp-extract/bc4-token.json"
DEFAULT_PORT = 8976
CALLBACK_PATH = "/callback"
DEFAULT_LOGIN_TIMEOUT = 300.0
DEFAULT_USER_AGENT = "basecamp-extract (https://github.com/basecamp-extract)"
LOOPBACK = "127.0.0.1"
REDIRECT_HOSTS = ("127.0.0.1", "localhost")
LOGIN_HINT = "run `basecamp-extract auth login` again"
POLL_SECONDS = 0.25
_ERROR_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


class LoginError(AuthError):
    """Authorization did not complete or no longer holds (exit 3, like every auth failure)."""

    hint = LOGIN_HINT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


# ---------------------------------------------------------------------------- token file
def default_token_file() -> Path:
    return Path(DEFAULT_TOKEN_FILE).expanduser()


def token_url(launchpad: str) -> str:
    return f"{launchpad.rstrip('/')}/authorization/token"


class TokenStore:
    """The token file: one grant (tokens, the client that owns them, Launchpad's URL).

    ``load`` and ``save`` remember the client and Launchpad, so ``save_tokens`` can be handed to
    ``RefreshingBearerAuth(on_refresh=...)`` and store rotated tokens alongside them.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path).expanduser() if path else default_token_file()
        self.app: OAuthApp | None = None
        self.launchpad = LAUNCHPAD
        self._lock = threading.Lock()

    def load(self) -> tuple[Tokens, OAuthApp, str] | None:
        """(tokens, client, launchpad URL), or None when there is no token file."""
        try:
            text = self.path.read_text(encoding="utf-8")
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"cannot read token file {self.path} ({exc.strerror})") from None
        try:
            data = json.loads(text)
            tokens = Tokens(_text(data, "access_token"),
                            _text(data, "refresh_token", required=False))
            app = OAuthApp(_text(data, "client_id"), _text(data, "client_secret"),
                           _text(data, "token_url"))
            launchpad = _text(data, "launchpad").rstrip("/")
        except (ValueError, TypeError, KeyError, AttributeError):
            raise ConfigError(f"token file {self.path} is not a basecamp-extract token file "
                              f"({LOGIN_HINT})") from None
        REDACTOR.add(tokens.access_token, tokens.refresh_token, app.client_secret)
        require_safe_base_url(app.token_url)
        require_safe_base_url(launchpad)
        if mode & 0o077:
            log.warning("token file %s is readable by other users: chmod 600 it", self.path)
        self.app, self.launchpad = app, launchpad
        return tokens, app, launchpad

    def save(self, tokens: Tokens, app: OAuthApp, launchpad: str) -> None:
        """Store a new grant (after a login), replacing whatever the file held."""
        self.app, self.launchpad = app, launchpad.rstrip("/")
        self.save_tokens(tokens)

    def save_tokens(self, tokens: Tokens) -> None:
        """Store ``tokens`` for the remembered client: the ``on_refresh`` callback."""
        if self.app is None:
            raise ConfigError("no client to store tokens for: load or save the token file first")
        expires_at = None
        if tokens.expires_in:
            expires_at = (datetime.now(UTC).replace(microsecond=0)
                          + timedelta(seconds=tokens.expires_in)).isoformat()
        data = {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "token_type": "Bearer",
            "expires_at": expires_at,
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
            "token_url": self.app.token_url,
            "launchpad": self.launchpad,
        }
        with self._lock:
            try:
                _write_private(self.path, json.dumps(data, indent=2) + "\n")
            except OSError as exc:
                raise ConfigError(f"cannot write token file {self.path} ({exc.strerror}); if a "
                                  f"token was just rotated the stored one is stale, so "
                                  f"{LOGIN_HINT}") from None
        log.info("tokens stored in %s", self.path)


def load_tokens(path: Path | str | None = None) -> tuple[Tokens, OAuthApp, str] | None:
    """(tokens, client, launchpad URL) from the token file at ``path``, or None if absent."""
    return TokenStore(path).load()


def _text(data: Any, key: str, *, required: bool = True) -> Any:
    value = data[key] if required else data.get(key)
    if not required and value in (None, ""):
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(key)
    return value


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600 via a temp file and a rename (atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    try:
        directory = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)


# ---------------------------------------------------------------------------- login
@dataclass(frozen=True)
class LoginRequest:
    """What ``login`` needs: the registered client and where Launchpad sends the browser back.

    ``redirect_uri`` must be the one registered with the app; without it the callback is
    ``http://127.0.0.1:<port>/callback`` (``port=0`` picks a free port: only for servers that,
    like the sandbox, accept any loopback redirect).
    """

    client_id: str
    client_secret: str = field(repr=False)
    launchpad: str = LAUNCHPAD
    redirect_uri: str | None = None
    port: int = DEFAULT_PORT
    timeout: float = DEFAULT_LOGIN_TIMEOUT
    user_agent: str = DEFAULT_USER_AGENT


@dataclass
class _Callback:
    code: str | None = field(default=None, repr=False)
    error: str | None = None


def authorization_url(launchpad: str, client_id: str, redirect_uri: str, state: str) -> str:
    query = urlencode({"response_type": "code", "client_id": client_id,
                       "redirect_uri": redirect_uri, "state": state})
    return f"{launchpad.rstrip('/')}/authorization/new?{query}"


def callback_address(redirect_uri: str | None, port: int) -> tuple[int, str, str | None]:
    """(port to listen on, callback path, fixed redirect URI or None to build from the port)."""
    if redirect_uri is None:
        return port, CALLBACK_PATH, None
    try:
        parts = urlsplit(redirect_uri)
        uri_port = parts.port
    except ValueError:
        uri_port, parts = None, None
    if (parts is None or parts.scheme != "http" or parts.hostname not in REDIRECT_HOSTS
            or not uri_port or parts.fragment or parts.query):
        raise ConfigError(f"--redirect-uri must look like http://127.0.0.1:{DEFAULT_PORT}"
                          f"{CALLBACK_PATH} (http, 127.0.0.1 or localhost, an explicit port, no "
                          f"query): the callback is served on loopback only")
    return uri_port, parts.path or "/", redirect_uri


def login(request: LoginRequest, *, open_browser: bool = True,
          say: Callable[[str], None] = print) -> tuple[Tokens, OAuthApp, str]:
    """Run the authorization-code flow; (tokens, client, launchpad URL) once the code is traded.

    ``say`` receives the human instructions (the authorization URL, what we wait for).
    """
    launchpad = request.launchpad.rstrip("/")
    require_safe_base_url(launchpad)
    REDACTOR.add(request.client_secret)
    port, path, fixed_uri = callback_address(request.redirect_uri, request.port)
    state = secrets.token_urlsafe(24)
    server = _listen(port, path, state)
    try:
        redirect_uri = fixed_uri or f"http://{LOOPBACK}:{server.server_port}{path}"
        url = authorization_url(launchpad, request.client_id, redirect_uri, state)
        say(f"Open this URL in a browser and approve access:\n\n    {url}\n")
        if open_browser:
            _open_browser(url)
        say(f"Waiting up to {request.timeout:g}s for the redirect to {redirect_uri} "
            "(Ctrl-C to cancel)...")
        code = _wait_for_code(server, request.timeout, redirect_uri)
    finally:
        server.server_close()
    app = OAuthApp(request.client_id, request.client_secret, token_url(launchpad))
    tokens = exchange_code(app, code, redirect_uri, request.user_agent)
    return tokens, app, launchpad


def exchange_code(app: OAuthApp, code: str, redirect_uri: str, user_agent: str) -> Tokens:
    """POST the code to the token endpoint; the tokens, or a one-line error."""
    REDACTOR.add(code)
    require_safe_base_url(app.token_url)
    where = urlsplit(app.token_url).path
    try:
        answer = requests.post(
            app.token_url, timeout=TOKEN_TIMEOUT, allow_redirects=False,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            data={"grant_type": "authorization_code", "code": code,
                  "client_id": app.client_id, "client_secret": app.client_secret,
                  "redirect_uri": redirect_uri})
    except requests.RequestException as exc:
        raise RemoteError(f"could not reach the token endpoint {where} "
                          f"({type(exc).__name__})") from None
    if answer.status_code != 200:
        name = _error_name(answer)
        if answer.status_code == 401 or name == "invalid_client":
            raise LoginError(f"the token endpoint {where} refused the client "
                             f"({answer.status_code} {name or 'error'})",
                             hint="check --client-id and --client-secret")
        raise LoginError(f"the token endpoint {where} refused the authorization code "
                         f"({answer.status_code} {name or 'error'})")
    try:
        data = answer.json()
        tokens = Tokens(_text(data, "access_token"), _text(data, "refresh_token", required=False),
                        expires_in=lifetime(data))
    except (ValueError, TypeError, KeyError, AttributeError):
        raise RemoteError(f"the token endpoint {where} answered without an access token") from None
    REDACTOR.add(tokens.access_token, tokens.refresh_token)
    return tokens


def _error_name(answer: requests.Response) -> str:
    """The OAuth ``error`` code of a refusal, if it is a plain short name (never free text)."""
    try:
        name = answer.json().get("error")
    except (ValueError, AttributeError):
        return ""
    return name if isinstance(name, str) and _ERROR_NAME.fullmatch(name) else ""


def _open_browser(url: str) -> None:
    """Ask for a browser in a side thread: a console browser may block until it exits."""

    def run() -> None:
        try:
            opened = webbrowser.open(url)
        except Exception as exc:  # webbrowser.Error, or a broken $BROWSER
            log.info("could not open a browser (%s)", type(exc).__name__)
            return
        if not opened:
            log.info("no browser available: open the printed URL by hand")

    threading.Thread(target=run, name="open-browser", daemon=True).start()


class _CallbackServer(HTTPServer):
    """One loopback listener that records the first callback carrying the right path."""

    def __init__(self, port: int, path: str, state: str) -> None:
        self.callback_path = path
        self.state = state
        self.result: _Callback | None = None
        super().__init__((LOOPBACK, port), _CallbackHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the FQDN of the address; that can stall on bad DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = LOOPBACK, self.server_address[1]


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer
    timeout = 10  # a client that connects and sends nothing cannot hold the login forever

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.server.callback_path or self.server.result is not None:
            self._page(404, "Not found", "This is not the page you are looking for.")
            return
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        state = query.get("state", "")
        if not hmac.compare_digest(state.encode(), self.server.state.encode()):
            self.server.result = _Callback(error="state")
            self._page(400, "Authorization refused",
                       "The callback did not carry this login's state; nothing was saved. "
                       "Run the login again.")
        elif "error" in query:
            name = query["error"]
            self.server.result = _Callback(
                error=name if _ERROR_NAME.fullmatch(name) else "error")
            self._page(400, "Authorization not granted", "You can close this tab.")
        elif not query.get("code"):
            self.server.result = _Callback(error="no code")
            self._page(400, "Authorization failed", "The callback carried no code.")
        else:
            self.server.result = _Callback(code=query["code"])
            self._page(200, "Authorized", "basecamp-extract is authorized. You can close this "
                                          "tab and return to the terminal.")

    def _page(self, status: int, title: str, text: str) -> None:
        body = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
                f"</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
                "</body></html>\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request line carries the authorization code."""


def _listen(port: int, path: str, state: str) -> _CallbackServer:
    try:
        return _CallbackServer(port, path, state)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {LOOPBACK}:{port} for the callback "
                          f"({exc.strerror or exc}): free the port, or register another "
                          "redirect URI and pass --port/--redirect-uri") from None


def _wait_for_code(server: _CallbackServer, timeout: float, redirect_uri: str) -> str:
    deadline = time.monotonic() + timeout
    while server.result is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LoginError(f"no authorization callback on {redirect_uri} within {timeout:g}s",
                             hint="open the printed URL in a browser, or raise --timeout")
        server.timeout = min(remaining, POLL_SECONDS)
        server.handle_request()
    result = server.result
    if result.error == "state":
        raise LoginError("refused an authorization callback with the wrong state (a stale or "
                         "forged redirect); nothing was saved")
    if result.error == "no code":
        raise LoginError("the authorization callback carried no code")
    if result.error is not None or not result.code:
        raise LoginError(f"authorization was not granted ({result.error})")
    REDACTOR.add(result.code)
    return result.code


# ---------------------------------------------------------------------------- accounts
def list_accounts(tokens: Tokens, app: OAuthApp | None, launchpad: str, user_agent: str,
                  on_refresh: Callable[[Tokens], None] | None = None) -> list[dict[str, Any]]:
    """Launchpad's bc3 accounts for ``tokens``, refreshing once on a 401 when ``app`` is known."""
    launchpad = launchpad.rstrip("/")
    require_safe_base_url(launchpad)
    REDACTOR.add(tokens.access_token, tokens.refresh_token)
    settings = HttpSettings(user_agent=user_agent, credentials=Credentials(), bucket="launchpad",
                            retries=3, session_auth=False)
    session = build_session(settings, HttpStats())
    session.auth = RefreshingBearerAuth(tokens, app, on_refresh=on_refresh,
                                        user_agent=user_agent)
    try:
        return bc3_accounts(session, launchpad)
    except LoginError:
        raise
    except AuthError as exc:
        raise LoginError(str(exc)) from None
    except SkippedResource as exc:
        raise ConfigError(f"Launchpad answered {exc}: check --launchpad") from None
    finally:
        session.close()


def account_line(account: dict[str, Any]) -> str:
    """``<id>\\t<name>\\t<href>`` with any tab or line break in the name flattened."""
    name = " ".join(str(account.get("name") or "").split())
    return f"{account.get('id')}\t{name}\t{account.get('href') or ''}"
