"""Backpack's transport: XML reads over POST and GET, envelopes, scheme redirects, time zone.

Backpack answers errors inside HTTP 200 (``<response success='false'><error code='404'>``), so
the envelope, not the status, decides: 404 skips the resource, 500 is retried and then fails.
A wrong http/https scheme answers 302: we follow it ourselves, re-sending the same body, and only
on the same host and never from https to http (``extract.origin``; ``requests`` would turn the
POST into a bodiless GET and lose the token). The
token is put into a body, a path or a header only at the moment of sending, so units, logs and
manifests only ever see the ``{token}`` slot.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import requests

from extract.catalog import TOKEN_SLOT
from extract.crawl import Unit
from extract.http import RetryAfterTooLong, metered, require_safe_base_url
from extract.origin import refuse_other_origin
from extract.page import Page
from extract.pagers import walk
from extract.retrying import RetryPolicy
from extract.timezones import known, zone_named
from transforms.errors import AuthError, RemoteError, SkippedResource
from transforms.xml import BadXml, UnsafeXml, records

log = logging.getLogger(__name__)

REDIRECTS = (301, 302, 303, 307, 308)
ATTEMPTS = 3
ZONE_FIELD = "time_zone_id"


class Transient(Exception):
    """Worth another try: a truncated body or an envelope with error code 500."""


class XmlTransport:
    """Turns catalog units into decoded pages for the Backpack family."""

    def __init__(self, session: requests.Session, token: str, *, zone: ZoneInfo | None = None,
                 page_size: int = 100, max_pages: int = 10_000) -> None:
        self.session = session
        self._token = token
        self.zone = zone
        self.page_size = page_size
        self.max_pages = max_pages
        self._moved: dict[str, str] = {}

    def pages(self, unit: Unit) -> Iterator[Page]:
        """One page, or for offset paging (journal) pages of ``count`` until a short one."""
        endpoint = unit.endpoint

        def get(url: str, params: Mapping[str, str], number: int) -> Page:
            return self.fetch(unit, params, number=number)

        def capped() -> None:
            log.warning("page cap of %s reached for %s", self.max_pages, endpoint.id)

        for page in walk(get, endpoint.pager(self.page_size), unit.url, endpoint.params,
                         max_pages=self.max_pages, on_cap=capped):
            if endpoint.paging != "offset":
                self._learn_zone(page)
            yield page

    def fetch(self, unit: Unit, params: Mapping[str, str], number: int = 1) -> Page:
        """One page; a broken body or an envelope 500 is fetched again, waiting like a retry."""
        adapter = metered(self.session, unit.url)
        policy = adapter.policy if adapter is not None else RetryPolicy()
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._attempt(unit, params, number)
            except Transient as exc:
                if attempt == ATTEMPTS:
                    raise RemoteError(f"{unit.endpoint.id}: {exc}") from None
                log.info("%s; fetching it again", exc)
            if adapter is not None:
                adapter.stats.count_retry()
            time.sleep(policy.backoff(attempt))
        raise AssertionError("unreachable")

    def _attempt(self, unit: Unit, params: Mapping[str, str], number: int) -> Page:
        endpoint = unit.endpoint
        url = self._current(unit.url.replace(TOKEN_SLOT, quote(self._token, safe="")))
        body = endpoint.body.format(token=escape(self._token)).encode() if endpoint.body else None
        headers = {"Content-Type": "application/xml"} if body is not None else {}
        if endpoint.auth == "header":
            headers["X-BP-Token"] = self._token
        response = self._send(endpoint.method, url, body, headers, params, unit)
        where = f"{endpoint.id} {urlsplit(unit.url).path}"
        _check_status(response.status_code, where)
        try:
            found, envelope = records(response.content, self.zone)
        except UnsafeXml as exc:
            raise RemoteError(f"{where}: {exc}") from None
        except BadXml as exc:
            raise Transient(f"{where}: {exc}") from None
        if envelope and envelope.get("success") != "true":
            _raise_for_envelope(envelope, where)
        return Page(number, urlsplit(unit.url).path, found, response.content, 200, False,
                    datetime.now(UTC))

    def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str],
              params: Mapping[str, str], unit: Unit) -> requests.Response:
        """One request, following at most one scheme redirect by hand (``refuse_other_origin``)."""
        for _ in range(2):
            try:
                response = self.session.request(method, url, data=body, headers=headers,
                                                params=params or None, allow_redirects=False)
            except RetryAfterTooLong as exc:
                raise RemoteError(f"{unit.endpoint.id}: {exc}") from None
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:
                raise RemoteError(f"{unit.endpoint.id}: network error after retries "
                                  f"({type(exc).__name__})") from None
            if response.status_code not in REDIRECTS:
                return response
            target = urljoin(url, response.headers.get("Location", ""))
            try:
                refuse_other_origin(url, target, allow_scheme_flip=True)
            except RemoteError as exc:
                raise RemoteError(f"{unit.endpoint.id}: {exc}") from None
            require_safe_base_url(target)
            self._remember(url, target)
            url = target
        raise RemoteError(f"{unit.endpoint.id}: redirected more than once")

    def _remember(self, old: str, new: str) -> None:
        """Learn the account's real scheme once, so later requests go there directly."""
        before, after = urlsplit(old), urlsplit(new)
        self._moved[f"{before.scheme}://{before.netloc}"] = f"{after.scheme}://{after.netloc}"
        log.info("%s answers on %s://%s; using that from now on", before.netloc, after.scheme,
                 after.netloc)

    def _current(self, url: str) -> str:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        moved = self._moved.get(origin)
        return moved + url[len(origin):] if moved else url

    def _learn_zone(self, page: Page) -> None:
        """The account's zone, from ``me.xml``, unless the caller fixed one."""
        if self.zone is not None:
            return
        for record in page.records:
            if ZONE_FIELD not in record:
                continue
            name: Any = record.get(ZONE_FIELD)
            if isinstance(name, str) and known(name):
                self.zone = zone_named(name)
                log.info("naive Backpack timestamps are read in %s (%s)", self.zone, name)
            else:
                self.zone = ZoneInfo("UTC")
                log.warning("account time zone %r is not known; naive timestamps are read as "
                            "UTC (pass --timezone to say otherwise)", name)
            return


def _check_status(status: int, where: str) -> None:
    if status == 401:
        raise AuthError(f"authentication failed (401) for {where}")
    if status in (403, 404):
        raise SkippedResource(f"{status} for {where}")
    if status != 200:
        raise RemoteError(f"HTTP {status} for {where} after retries")


def _raise_for_envelope(envelope: Mapping[str, Any], where: str) -> None:
    """An error answered inside HTTP 200: 404 skips, 401/403 is auth, 500 is worth a retry."""
    code, text = envelope.get("code"), envelope.get("error")
    if code == "404":
        raise SkippedResource(f"{where}: {text} ({code})")
    if code in ("401", "403"):
        raise AuthError(f"{where}: {text} ({code})")
    if code == "500":
        raise Transient(f"{where}: server error in envelope ({text})")
    raise RemoteError(f"{where}: error {code} in envelope ({text})")
