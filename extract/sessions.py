"""The two sessions a factory builds on: the redirect rule, and the conditional-request cache.

``GuardedSession`` follows redirects itself, to the same origin only (``extract.origin``);
``open_cache`` wraps it in requests-cache, outermost, with one cache file per credential.
``extract.http.build_session`` mounts the metered adapter on either.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests_cache import EXPIRE_IMMEDIATELY, CachedSession

from extract.origin import refuse_other_origin
from transforms.errors import RemoteError

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5


class GuardedSession(requests.Session):
    """Follows redirects itself: same origin only, at most ``max_redirects`` hops.

    requests would send the next hop to any host (dropping only the Authorization header); here
    the target is checked before anything is sent, so no request reaches another origin.
    """

    max_redirects = MAX_REDIRECTS

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        follow = kwargs.pop("allow_redirects", True)
        response = super().send(request, allow_redirects=False, **kwargs)
        history: list[requests.Response] = []
        while follow and response.is_redirect and response.next is not None:
            hop = response.next
            refuse_other_origin(response.url, hop.url or "", what="redirect")
            history.append(response)
            if len(history) > self.max_redirects:
                raise RemoteError(f"more than {self.max_redirects} redirects from "
                                  f"{_path(request.url)}")
            response = super().send(hop, allow_redirects=False, **kwargs)
        if history:
            response.history = history
        return response


class GuardedCachedSession(CachedSession, GuardedSession):
    """requests-cache outermost, our redirect rule underneath (cache misses only)."""


def open_cache(cache_file: Path, *, full: bool = False) -> GuardedCachedSession:
    """The conditional-request cache; a damaged file is moved aside and a new one started.

    Reuse rules (requests-cache): a response is stored only when it carries a validator (ETag or
    Last-Modified), expires at once unless the server gave it a freshness lifetime
    (``Cache-Control: max-age`` / ``Expires``), and is then served only after a 304 or while
    that lifetime lasts; ``full`` revalidates everything. Entries without an expiry (written by
    versions that kept responses forever) are dropped when the file is opened.
    """
    try:
        return _open_cache(cache_file, full)
    except sqlite3.DatabaseError as exc:
        aside = cache_file.with_name(
            f"{cache_file.name}.corrupt-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}")
        for suffix in ("", "-wal", "-shm", "-journal"):
            part = cache_file.with_name(cache_file.name + suffix)
            if part.exists():
                part.replace(aside.with_name(aside.name + suffix))
        log.warning("the HTTP cache %s is damaged (%s): moved it to %s and starting a new one",
                    cache_file, exc, aside.name)
        return _open_cache(cache_file, full)


def _open_cache(cache_file: Path, full: bool) -> GuardedCachedSession:
    session = GuardedCachedSession(
        str(cache_file),
        backend="sqlite",
        cache_control=True,
        expire_after=EXPIRE_IMMEDIATELY,
        always_revalidate=full,
        allowable_codes=(200,),
        allowable_methods=("GET",),
        filter_fn=_has_validator,
    )
    try:
        responses = session.cache.responses
        with responses.connection(commit=True) as con:
            found = con.execute("PRAGMA quick_check").fetchall()
            if found != [("ok",)]:
                raise sqlite3.DatabaseError(str(found[0][0]) if found else "quick_check failed")
            con.execute(f"DELETE FROM {responses.table_name} WHERE expires IS NULL")
    except BaseException:
        session.close()
        raise
    return session


def _has_validator(response: requests.Response) -> bool:
    """Only a response the server can confirm with a 304 is worth keeping across runs."""
    return bool(response.headers.get("ETag") or response.headers.get("Last-Modified"))


def _path(url: str | None) -> str:
    return urlsplit(url or "").path
