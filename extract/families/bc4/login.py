"""Launchpad sign-in for Basecamp 4: the authorization-code flow, and the accounts it reaches.

``login`` runs the browser half of OAuth 2 for a registered Launchpad app: it listens once on
``127.0.0.1`` (``callback``) at the app's registered ``redirect_uri``, sends the user to
``/authorization/new`` with a random ``state``, accepts exactly one callback carrying that
state, and trades the code at the token endpoint (``grant_type=authorization_code``); the
caller keeps the result in the token file (``tokens.TokenStore``).

No token, code or client secret is ever printed or logged: each is registered with the
``REDACTOR`` the moment it is known, and errors name endpoints by path only.
"""

from __future__ import annotations

import logging
import secrets
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from extract.families.bc4.callback import (
    DEFAULT_PORT,
    ERROR_NAME,
    LOOPBACK,
    callback_address,
    listen,
    wait_for_code,
)
from extract.families.bc4.oauth import (
    LAUNCHPAD,
    TOKEN_TIMEOUT,
    OAuthApp,
    RefreshingBearerAuth,
    Tokens,
    bc3_accounts,
    lifetime,
)
from extract.families.bc4.tokens import LoginError, text_field, token_url
from extract.http import Credentials, HttpSettings, HttpStats, build_session, require_safe_base_url
from transforms.errors import AuthError, ConfigError, RemoteError, SkippedResource
from transforms.redact import REDACTOR

log = logging.getLogger(__name__)

DEFAULT_LOGIN_TIMEOUT = 300.0
DEFAULT_USER_AGENT = "basecamp-extract (https://github.com/basecamp-extract)"


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


def authorization_url(launchpad: str, client_id: str, redirect_uri: str, state: str) -> str:
    query = urlencode({"response_type": "code", "client_id": client_id,
                       "redirect_uri": redirect_uri, "state": state})
    return f"{launchpad.rstrip('/')}/authorization/new?{query}"


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
    server = listen(port, path, state)
    try:
        redirect_uri = fixed_uri or f"http://{LOOPBACK}:{server.server_port}{path}"
        url = authorization_url(launchpad, request.client_id, redirect_uri, state)
        say(f"Open this URL in a browser and approve access:\n\n    {url}\n")
        if open_browser:
            _open_browser(url)
        say(f"Waiting up to {request.timeout:g}s for the redirect to {redirect_uri} "
            "(Ctrl-C to cancel)...")
        code = wait_for_code(server, request.timeout, redirect_uri)
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
        tokens = Tokens(text_field(data, "access_token"),
                        text_field(data, "refresh_token", required=False),
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
    return name if isinstance(name, str) and ERROR_NAME.fullmatch(name) else ""


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
