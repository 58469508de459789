"""Basecamp 4 OAuth: rotating bearer tokens and the Launchpad token/authorization answers.

BC4 takes Bearer tokens only. Access tokens can be expired on demand (``expire``) so clients
must exercise the refresh path; refreshing rotates the refresh token (the old one stops
working, as the SDK expects), and ``revoke`` makes both the access and refresh tokens useless.
Earlier access tokens stay valid until expired: refreshing does not cut off in-flight work.

The authorization-code grant is here too: ``authorize`` auto-approves a Launchpad
``/authorization/new`` request from the known client to a loopback ``redirect_uri`` and mints a
one-time code; the token endpoint (``token_endpoint``) exchanges it for the *current* grant's
tokens, so a test's ``sb.credentials.token`` keeps working after a login.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ACCESS_TOKEN_LIFETIME = 1_209_600  # two weeks, in seconds
CODE_LIFETIME = 600.0  # an unused authorization code expires after ten minutes
CODE_GRANTS = ("authorization_code", "web_server")  # standard name, then Launchpad's legacy one
REFRESH_GRANTS = ("refresh_token", "refresh")


def _token() -> str:
    return secrets.token_urlsafe(32)


@dataclass
class Bc4Credentials:
    """One OAuth grant; ``token`` is always the newest access token."""

    token: str = field(default_factory=_token)
    refresh_token: str = field(default_factory=_token)
    client_id: str = field(default_factory=lambda: secrets.token_hex(20))
    client_secret: str = field(default_factory=lambda: secrets.token_hex(20))

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._valid: set[str] = {self.token}
        self._issued: list[str] = [self.token, self.refresh_token, self.client_secret]
        self._revoked = False
        self._codes: dict[str, tuple[str, float]] = {}  # code -> (redirect_uri, issued at)

    @property
    def username(self) -> str:
        """Launchpad identity e-mail (kept for parity with BC2 ``Credentials``)."""
        return "sandbox-owner@example.com"

    def secrets(self) -> tuple[str, ...]:
        """Every token or secret ever issued: none may appear in logs."""
        with self._lock:
            return tuple(self._issued)

    def accepts(self, authorization: str | None) -> bool:
        """True for ``Bearer <a valid, unexpired access token>``."""
        if not authorization:
            return False
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        value = value.strip().encode()
        with self._lock:
            return any(hmac.compare_digest(value, t.encode()) for t in self._valid)

    def expire(self) -> None:
        """Every access token issued so far now answers 401; refresh still works."""
        with self._lock:
            self._valid.clear()

    def revoke(self) -> None:
        """Access and refresh tokens all stop working (the user revoked the app)."""
        with self._lock:
            self._valid.clear()
            self._revoked = True

    def token_endpoint(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """Answer any token-endpoint POST: a code exchange or a refresh."""
        grant = params.get("grant_type") or params.get("type")
        if grant in CODE_GRANTS:
            return self.exchange_code(params)
        return self.refresh(params)

    def authorize(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any] | str]:
        """Answer ``GET /authorization/new``: 302 with ``Location`` (a str), or status and error.

        The user is taken to have approved at once. An unknown ``client_id`` or a missing or
        non-loopback ``redirect_uri`` is a 400 shown to the user (never a redirect), as OAuth
        requires; a bad ``response_type`` is redirected back as ``error=``.
        """
        if not hmac.compare_digest(params.get("client_id", ""), self.client_id):
            return 400, {"error": "invalid_client", "error_description": "unknown client_id"}
        redirect_uri = params.get("redirect_uri", "")
        if not _loopback_http(redirect_uri):
            return 400, {"error": "invalid_request",
                         "error_description": "redirect_uri must be http on loopback"}
        extra = {"state": params["state"]} if "state" in params else {}
        kind = params.get("response_type") or params.get("type")
        if kind not in ("code", "web_server"):
            return 302, _with_query(redirect_uri, error="unsupported_response_type", **extra)
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = (redirect_uri, time.monotonic())
            self._issued.append(code)
        return 302, _with_query(redirect_uri, code=code, **extra)

    def exchange_code(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """Trade a one-time code for the grant's current tokens (fresh ones if those are dead)."""
        if not self._client_ok(params):
            return 401, {"error": "invalid_client"}
        with self._lock:
            issued = self._codes.pop(params.get("code", ""), None)
            if issued is None or time.monotonic() - issued[1] > CODE_LIFETIME:
                return 400, {"error": "invalid_grant",
                             "error_description": "the code is unknown, used or expired"}
            if not hmac.compare_digest(params.get("redirect_uri", ""), issued[0]):
                return 400, {"error": "invalid_grant",
                             "error_description": "redirect_uri does not match the code's"}
            if self._revoked or self.token not in self._valid:
                self.token, self.refresh_token = _token(), _token()
                self._valid.add(self.token)
                self._issued += [self.token, self.refresh_token]
                self._revoked = False
            return 200, {"access_token": self.token, "token_type": "Bearer",
                         "expires_in": ACCESS_TOKEN_LIFETIME,
                         "refresh_token": self.refresh_token}

    def _client_ok(self, params: Mapping[str, str]) -> bool:
        return hmac.compare_digest(params.get("client_id", ""), self.client_id) and (
            hmac.compare_digest(params.get("client_secret", ""), self.client_secret))

    def refresh(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """Answer a refresh POST to the token endpoint: status and JSON body."""
        grant = params.get("grant_type") or params.get("type")
        if grant not in REFRESH_GRANTS:
            return 400, {"error": "unsupported_grant_type"}
        client_ok = hmac.compare_digest(params.get("client_id", ""), self.client_id) and (
            hmac.compare_digest(params.get("client_secret", ""), self.client_secret))
        if not client_ok:
            return 401, {"error": "invalid_client"}
        with self._lock:
            given = params.get("refresh_token", "")
            if self._revoked or not hmac.compare_digest(given, self.refresh_token):
                return 400, {"error": "invalid_grant",
                             "error_description": "refresh token is invalid or revoked"}
            self.token, self.refresh_token = _token(), _token()
            self._valid.add(self.token)
            self._issued += [self.token, self.refresh_token]
            return 200, {"access_token": self.token, "token_type": "Bearer",
                         "expires_in": ACCESS_TOKEN_LIFETIME,
                         "refresh_token": self.refresh_token}


def _loopback_http(uri: str) -> bool:
    """``http://`` to 127.0.0.0/8, ::1 or localhost, with no fragment (RFC 8252 section 7.3)."""
    try:
        parts = urlsplit(uri)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    if parts.scheme != "http" or parts.fragment:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _with_query(uri: str, **params: str) -> str:
    """``uri`` with ``params`` appended to whatever query it already has."""
    parts = urlsplit(uri)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def authorization(account_id: int, account_name: str, base_url: str, origin: str,
                  expires_at: str) -> dict[str, Any]:
    """Launchpad's ``authorization.json``: identity plus accounts of several products.

    The bc3 account is deliberately not first: clients must filter on ``product``.
    """
    return {
        "expires_at": expires_at,
        "identity": {"id": 9_876_543, "first_name": "Victor", "last_name": "Cooper",
                     "email_address": "victor@honchodesign.example"},
        "accounts": [
            {"product": "bcx", "id": 2_223_334, "name": "Honcho Classic",
             "href": f"{origin}/2223334/api/v1", "app_href": "https://basecamp.com/2223334"},
            {"product": "bc3", "id": account_id, "name": account_name, "href": base_url,
             "app_href": f"https://3.basecamp.com/{account_id}"},
            {"product": "hey", "id": 5_556_667, "name": "HEY",
             "href": "https://app.hey.com", "app_href": "https://app.hey.com"},
        ],
    }
