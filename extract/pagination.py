"""Fetching JSON pages: the one place a response becomes records, and the walk over a listing.

``fetch`` gets and decodes one page (re-fetching a broken body); ``fetch_pages`` walks a listing
as its pager (``extract.pagers``) asks, and a hard cap warns loudly if the pager never stops.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from extract.decode import loads
from extract.http import RetryAfterTooLong, metered
from extract.links import next_link
from extract.page import Page
from extract.pagers import LinkPager, PageNumberPager, Pager, walk
from extract.retrying import RetryPolicy
from transforms.errors import AuthError, ConfigError, RemoteError, SkippedResource

log = logging.getLogger(__name__)

DEFAULT_MAX_PAGES = 2000
BODY_ATTEMPTS = 3
NOT_PRINTABLE = re.compile(r"[^\x21-\x7e]")


class MalformedBody(Exception):
    """The body did not decode: truncated, HTML instead of JSON, or cut mid-transfer."""


def fetch(session: requests.Session, url: str, params: Mapping[str, Any] | None = None,
          *, number: int = 1) -> Page:
    """GET one URL and decode it, re-fetching (bypassing the cache) if the body is broken.

    A re-fetch waits like any retry (the session's policy) and counts as one in the manifest.
    """
    adapter = metered(session, url)
    policy = adapter.policy if adapter is not None else RetryPolicy()
    refresh = False
    for attempt in range(1, BODY_ATTEMPTS + 1):
        response = _get(session, url, params, force=refresh)
        _raise_for_status(response, url)
        try:
            return _decode(response, url, number)
        except MalformedBody as exc:
            _forget(session, response)
            if attempt == BODY_ATTEMPTS:
                raise RemoteError(str(exc), request_id=_request_id(response)) from None
            log.info("%s; fetching it again", exc)
        refresh = True
        if adapter is not None:
            adapter.stats.count_retry()
        time.sleep(policy.backoff(attempt))
    raise AssertionError("unreachable")


def _decode(response: requests.Response, url: str, number: int) -> Page:
    try:
        payload = loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedBody(f"malformed JSON from {_path(url)}: {exc}") from exc
    records = payload if isinstance(payload, list) else [payload]
    if not all(isinstance(r, dict) for r in records):
        raise MalformedBody(f"unexpected JSON shape from {_path(url)}")
    return Page(number, response.url, records, response.content, response.status_code,
                bool(getattr(response, "from_cache", False)), datetime.now(UTC),
                total=_total(response),
                next_url=next_link(response.headers.get("Link"), where=_path(url)))


def fetch_pages(session: requests.Session, url: str, params: Mapping[str, Any] | None,
                pager: Pager, *, max_pages: int = DEFAULT_MAX_PAGES,
                warn: Callable[[str], None] = log.warning) -> Iterator[Page]:
    """The pages ``pager`` asks for, each fetched and decoded by ``fetch``; warn if capped."""
    def get(target: str, query: Mapping[str, Any], number: int) -> Page:
        return fetch(session, target, query, number=number)

    def capped() -> None:
        warn(f"page cap of {max_pages} reached for {_path(url)}: later pages were NOT fetched "
             "(raise --max-pages)")

    yield from walk(get, pager, url, params, max_pages=max_pages, on_cap=capped)


def iter_pages(session: requests.Session, url: str, params: Mapping[str, Any] | None = None,
               *, page_size: int = 50, max_pages: int = DEFAULT_MAX_PAGES,
               warn: Callable[[str], None] = log.warning) -> Iterator[Page]:
    """Yield pages 1, 2, ... until a short, empty or repeated page; warn if capped."""
    return fetch_pages(session, url, params, PageNumberPager(page_size), max_pages=max_pages,
                       warn=warn)


def iter_link_pages(session: requests.Session, url: str,
                    params: Mapping[str, Any] | None = None, *,
                    max_pages: int = DEFAULT_MAX_PAGES,
                    warn: Callable[[str], None] = log.warning) -> Iterator[Page]:
    """Follow ``Link: <…>; rel="next"`` (never build page URLs) on the same origin only."""
    return fetch_pages(session, url, params, LinkPager(), max_pages=max_pages, warn=warn)


def _total(response: requests.Response) -> int | None:
    """``X-Total-Count`` when the server sends it (absent is not zero)."""
    value = response.headers.get("X-Total-Count")
    return int(value) if value and value.strip().isdigit() else None


def _get(session: requests.Session, url: str, params: Mapping[str, Any] | None,
         *, force: bool) -> requests.Response:
    kwargs: dict[str, Any] = {"params": params}
    if force and hasattr(session, "cache"):
        kwargs["force_refresh"] = True
    try:
        return session.get(url, **kwargs)
    except RetryAfterTooLong as exc:
        raise RemoteError(f"{_path(url)}: {exc}") from None
    except requests.exceptions.TooManyRedirects:
        raise RemoteError(f"{_path(url)}: too many redirects") from None
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError) as exc:
        raise RemoteError(f"{_path(url)}: network error after retries ({_reason(exc)})") from None


def _raise_for_status(response: requests.Response, url: str) -> None:
    status = response.status_code
    if status == 200:
        return
    where, rid = _path(url), _request_id(response)
    if status == 401:
        raise AuthError(f"authentication failed (401) for {where}", request_id=rid)
    if status in (403, 404):
        raise SkippedResource(f"{status} for {where}", request_id=rid)
    if status == 400:
        raise ConfigError(f"server refused the request (400) for {where}: is the User-Agent set?",
                          request_id=rid)
    if status == 415:
        raise ConfigError(f"server refused the media type (415) for {where}", request_id=rid)
    raise RemoteError(f"HTTP {status} for {where} after retries", request_id=rid)


def _request_id(response: requests.Response) -> str | None:
    """The server's ``X-Request-Id``: the one thing its support can find a failure by."""
    value = NOT_PRINTABLE.sub("", response.headers.get("X-Request-Id") or "")
    return value[:120] or None


def _forget(session: requests.Session, response: requests.Response) -> None:
    """A broken body must not live on in the cache, or revalidation would serve it forever."""
    cache = getattr(session, "cache", None)
    if cache is not None:
        cache.delete(requests=[response.request])


def _path(url: str) -> str:
    """The URL without scheme, host or query: enough to find the resource, nothing secret."""
    return urlsplit(url).path


def _reason(exc: BaseException) -> str:
    text = str(exc.args[0] if exc.args else exc)
    inner = getattr(exc.args[0], "reason", None) if exc.args else None
    return type(inner).__name__ if inner is not None else text.split(":")[0][:80]
