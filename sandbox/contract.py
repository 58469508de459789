"""The interface between the JSON front (``sandbox.jsonapi``) and a JSON fake API (BC2, BC4).

The pipeline and the front own everything that is the same for these APIs: auth, the
User-Agent rule, rate limiting, conditional GET, latency, faults and the request log. An app
only says which account a path addresses and what the answer is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"

MEMBER = "member"
COLLECTION = "collection"


@dataclass(frozen=True)
class Target:
    """What a raw path addresses before authentication.

    ``account`` is the id parsed from the path (None for account-less routes or paths with no
    id); ``status`` is an early refusal (404 unknown account, 415 wrong suffix) or None.
    """

    account: int | None
    status: int | None = None


@dataclass
class AppResult:
    """An app's answer; ``kind``/``total``/``page_ignored`` feed the request-count oracle."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    kind: str | None = None
    total: int = 0
    page_ignored: bool = False
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiApp(Protocol):
    """What the server needs from a fake API."""

    account_id: int

    def bind(self, origin: str, asset_origin: str) -> None:
        """Learn the public origins once the port is known (payload URLs point there)."""

    def target(self, path: str) -> Target:
        """Classify a raw (still percent-encoded) path before auth runs."""

    def respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        """Answer an authenticated GET for a path ``target`` accepted."""

    def fallback_last_modified(self) -> datetime:
        """Last-Modified for bodies that carry no ``updated_at`` (empty pages, for example)."""
