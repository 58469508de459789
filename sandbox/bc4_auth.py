"""Basecamp 4 OAuth: rotating bearer tokens and the Launchpad token/authorization answers.

BC4 takes Bearer tokens only. Access tokens can be expired on demand (``expire``) so clients
must exercise the refresh path; refreshing rotates the refresh token (the old one stops
working, as the SDK expects), and ``revoke`` makes both the access and refresh tokens useless.
Earlier access tokens stay valid until expired: refreshing does not cut off in-flight work.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ACCESS_TOKEN_LIFETIME = 1_209_600  # two weeks, in seconds


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

    def refresh(self, params: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """Answer a token-endpoint POST: status and JSON body."""
        grant = params.get("grant_type") or params.get("type")
        if grant not in ("refresh_token", "refresh"):
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
