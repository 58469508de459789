"""Credentials the sandbox accepts, and the check of an ``Authorization`` header.

BC2 takes HTTP Basic (username:password) or an OAuth 2 bearer token. Defaults are random per
sandbox instance so no test can pass by accident with a hard-coded secret.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from dataclasses import dataclass, field


def _random_username() -> str:
    return f"sandbox-{secrets.token_hex(4)}@example.com"


def _random_secret() -> str:
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Credentials:
    """One user's secrets; any field left out is generated."""

    username: str = field(default_factory=_random_username)
    password: str = field(default_factory=_random_secret)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs."""
        return (self.password, self.token)

    def accepts(self, authorization: str | None) -> bool:
        """True for a matching ``Basic`` or ``Bearer`` Authorization header."""
        if not authorization:
            return False
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            return hmac.compare_digest(value.encode(), self.token.encode())
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        username, sep, password = decoded.partition(":")
        return bool(sep) and hmac.compare_digest(
            f"{username}\0{password}".encode(), f"{self.username}\0{self.password}".encode()
        )
