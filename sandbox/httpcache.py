"""Validators for HTTP conditional GET: strong ETags, Last-Modified and 304 decisions.

The reference says clients must use these freshness headers, so the sandbox gives every 200 a
strong ETag over the exact body and a Last-Modified derived from the data, and answers 304
exactly as RFC 9110 orders the checks (If-None-Match wins over If-Modified-Since).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any


def strong_etag(body: bytes) -> str:
    """Quoted MD5 of the body, as Rails computes it."""
    return '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'


def http_date(moment: datetime) -> str:
    """IMF-fixdate (``Sun, 01 Jun 2026 12:00:00 GMT``)."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def max_updated_at(data: Any) -> datetime | None:
    """Latest ``updated_at`` anywhere in a JSON value (None when there is none)."""
    latest: datetime | None = None
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stamp = value.get("updated_at")
            if isinstance(stamp, str):
                try:
                    parsed = datetime.fromisoformat(stamp)
                except ValueError:
                    parsed = None
                if parsed is not None and parsed.tzinfo is not None:
                    latest = parsed if latest is None or parsed > latest else latest
            stack.extend(v for v in value.values() if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, dict | list))
    return latest


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in header.split(","))


def not_modified(headers: Mapping[str, str], etag: str, last_modified: datetime) -> bool:
    """True when the request's validators say the client's copy is current."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match:
        return _etag_matches(if_none_match, etag)
    if_modified_since = headers.get("If-Modified-Since")
    if not if_modified_since:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since >= last_modified.replace(microsecond=0)
