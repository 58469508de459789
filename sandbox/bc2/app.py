"""Basecamp 2 (BCX): the app that serves the routing table (``sandbox.bc2.routes``), caching
and paging listings; the handlers (``sandbox.bc2.handlers``) say which rows each GET returns.

Behaviour the docs leave open, decided here:

- ``/projects.json`` and ``/people.json`` ignore ``page`` and always return everything (bcx-api
  issues #224/#210); every other collection pages at 50 and answers ``[]`` past the end.
- Account-wide views (events, topics, to-do lists, documents, forwards, attachments, tags,
  calendar window, assigned to-dos) cover active and archived projects; drafts and templates
  are reachable only through their own project endpoints; a trashed project answers 404
  everywhere and shows up only in ``/people/{id}/projects.json``.
- Members of trashed to-dos and to-do lists are served with ``trashed: true``.
- ``since`` is optional on events (without it, everything); an unparseable one (for instance a
  ``+`` offset sent unencoded, which arrives as a space) is a 400. Date windows longer than six
  weeks are silently clamped to six weeks, as the API documents its limit; ``start_date`` is
  required on the account-wide calendar endpoint.
- An unknown ``sort`` value falls back to the default (newest).
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from sandbox.bc2.handlers.common import Ctx, HttpError, Listing, Rows, not_found
from sandbox.bc2.handlers.files import download
from sandbox.bc2.handlers.projects import launchpad
from sandbox.bc2.model import Bc2Account
from sandbox.bc2.render_base import DUPLICATE_CREATED_AT, Urls
from sandbox.bc2.routes import MEMBER, ROUTER, WHOLE, Endpoint
from sandbox.contract import COLLECTION, TEXT_TYPE, AppResult, Target
from sandbox.httpcache import max_updated_at

PAGE_SIZE = 50
_LISTING_CACHE_SIZE = 512

_ACCOUNT_PATH = re.compile(r"^/(\d+)/api/v1/(.*)$")
_DOWNLOAD = re.compile(r"^projects/(\d+)/attachments/(\d+)/([0-9a-f]+)/original/([^/]+)$")


def encode(data: Any) -> bytes:
    """Compact UTF-8 JSON; turns the duplicate-key placeholder into a real repeated key."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    marker = json.dumps(DUPLICATE_CREATED_AT)
    if marker in text:
        text = text.replace(marker, '"created_at"')
    return text.encode("utf-8")


def text_result(status: int, message: str) -> AppResult:
    """A short plain-text error answer (no error body format is documented)."""
    return AppResult(status=status, body=(message + "\n").encode(), content_type=TEXT_TYPE)


def _routed(rest: str) -> str:
    """The path the table matches: segments decoded, then re-encoded whole (``%2F`` stays)."""
    segments = rest.removesuffix(".json").split("/")
    return "/" + "/".join(quote(unquote(s), safe="") for s in segments)


class Bc2App:
    """The BC2 ``ApiApp``: routes, filters, sorting and pagination over a ``Bc2Account``."""

    def __init__(self, account: Bc2Account) -> None:
        self.account = account
        self.account_id = account.account_id
        self.urls = Urls.for_origin("http://127.0.0.1", "http://localhost", account.account_id)
        self._cache: OrderedDict[tuple, Listing] = OrderedDict()
        self._cache_revision = -1
        self._cache_lock = threading.Lock()

    # ------------------------------------------------------------------ ApiApp protocol
    def bind(self, origin: str, asset_origin: str) -> None:
        self.urls = Urls.for_origin(origin, asset_origin, self.account_id)
        with self._cache_lock:
            self._cache.clear()

    def target(self, path: str) -> Target:
        if path == "/authorization.json":
            return Target(account=None)
        found = _ACCOUNT_PATH.match(path)
        if not found:
            leading = re.match(r"^/(\d+)(?:/|$)", path)
            return Target(account=int(leading.group(1)) if leading else None, status=404)
        account = int(found.group(1))
        if account != self.account_id:
            return Target(account=account, status=404)
        rest = found.group(2)
        if _DOWNLOAD.match(rest) or rest.endswith(".json"):
            return Target(account=account)
        return Target(account=account, status=415)

    def fallback_last_modified(self) -> datetime:
        return self.account.index().data_timestamp or self.account.now

    def respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        try:
            return self._respond(path, query)
        except HttpError as error:
            return text_result(error.status, error.message)

    # ------------------------------------------------------------------ dispatch
    def _respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        ctx = Ctx(self.account, self.urls, query)
        if path == "/authorization.json":
            return self._json(launchpad(ctx), MEMBER)
        found = _ACCOUNT_PATH.match(path)
        if not found:
            raise not_found()
        rest = found.group(2)
        if download_path := _DOWNLOAD.match(rest):
            project, attachment, key, _ = download_path.groups()
            return download(ctx, int(project), int(attachment), key)
        routed = ROUTER.match(_routed(rest))
        if routed is None:
            raise not_found()
        endpoint: Endpoint = routed[0]
        params = routed[1]
        result = endpoint.handler(ctx, **params)
        if endpoint.mode == MEMBER:
            return self._json(result, MEMBER)
        rows = self._cached(ctx, endpoint.name, params, result)
        return self._page(rows, query, whole=endpoint.mode == WHOLE)

    def _cached(self, ctx: Ctx, handler: str, params: dict[str, Any], rows: Rows) -> Listing:
        """The listing, memoised per data revision so deep paging stays cheap."""
        query = tuple(sorted((k, v) for k, v in ctx.query.items() if k != "page"))
        key = (handler, tuple(sorted(params.items())), query)
        revision = ctx.index.revision
        with self._cache_lock:
            if self._cache_revision != revision:
                self._cache.clear()
                self._cache_revision = revision
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        built = rows()
        with self._cache_lock:
            if self._cache_revision == revision:
                self._cache[key] = built
                if len(self._cache) > _LISTING_CACHE_SIZE:
                    self._cache.popitem(last=False)
        return built

    def _json(self, data: Any, kind: str, total: int = 1, whole: bool = False) -> AppResult:
        return AppResult(status=200, body=encode(data), kind=kind, total=total,
                         page_ignored=whole, last_modified=max_updated_at(data))

    def _page(self, listing: Listing, query: Mapping[str, str], whole: bool) -> AppResult:
        total = len(listing.items)
        if whole:
            rows = [listing.render(item) for item in listing.items]
            return self._json(rows, COLLECTION, total=total, whole=True)
        try:
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            page = 1
        start = (page - 1) * PAGE_SIZE
        rows = [listing.render(item) for item in listing.items[start:start + PAGE_SIZE]]
        return self._json(rows, COLLECTION, total=total)
