"""One fetched page: what the transports make and the crawl, journal, feeds and pagers read.

Its own module so that a pager (``extract.pagers``) can read pages without importing the walk
(``extract.pagination``) that makes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Page:
    """One decoded response: its records, the bytes they came from, and when."""

    number: int
    url: str
    records: list[dict[str, Any]]
    body: bytes
    status: int
    from_cache: bool
    fetched_at: datetime
    total: int | None = None
    next_url: str | None = None
