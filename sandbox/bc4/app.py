"""Basecamp 4: the app that serves the routing table (``sandbox.bc4.routes``) and pages by
gear; the handlers (``sandbox.bc4.handlers``) say which rows each GET returns.

Behaviour the docs leave open, decided here:

- Paths work with or without ``.json`` and in both the flat form and the legacy
  ``/buckets/{project}/...`` form (whose bucket must match); a few routes exist only in the
  bucket form (message types, client approvals/correspondences/replies).
- Container lists serve active rows only unless the endpoint has ``status``; to-do lists serve
  pending to-dos unless ``completed=true``; ``status=archived|trashed`` returns both.
- ``/projects/recordings.json`` needs ``type`` (400 otherwise), covers active projects unless
  ``bucket`` names others, and sorts by ``created_at`` or ``updated_at``, newest first.
- The BC5 "everything" lists (``/todos/open.json``, ``/cards/not_now.json``, ...) group active
  rows of active projects by project (newest project first, rows in tool order, empty groups
  left out) and page by group, 5 a page; ``assignee_ids[]`` and ``due`` are ignored.
- Everything inside a trashed project answers 404; the project itself is listed by
  ``/projects.json?status=trashed``. Message types and categories are not paged.
- Errors are JSON ``{"error": ...}`` bodies.
- Chatbots are account-wide: every campfire lists all of them, with its own ``url`` and
  keyed ``lines_url``.
- Whole-set routes (webhooks, chatbots, upload versions, Lineup markers, message types) ignore
  ``page`` and send everything with ``X-Total-Count``; the oracle counts them as one page.
- ``/reports/gauges.json`` lists the gauges of active projects, red before yellow before green
  (by latest needle), then by project name; ``bucket_ids`` keeps only those projects, in that
  order. A project without a gauge answers an empty needles list.
- A project whose timesheet is off answers ``[]`` for its timesheet (and its recordings'):
  openapi.json's Project has no ``timesheet_enabled``, so it is not rendered either.
  ``from``/``to`` (ISO dates, inclusive) and ``person_id`` filter entries, oldest date first.
- ``/recordings/{id}/subscription.json`` answers for types that render a ``subscription_url``.
- Last-Modified of a listing is the newest ``updated_at`` of its rows or of what scopes it
  (the parent recording, or for account-wide lists every recording of the type, deleted ones
  included), so trashing or deleting a row moves it forward too. ``lock`` serialises answers
  with ``Sandbox.mutate``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sandbox.bc4.handlers.common import HttpError, Listing, View, latest, live_project
from sandbox.bc4.model import Bc4Account
from sandbox.bc4.paging import (
    DEFAULT_GEAR,
    GROUPED_GEAR,
    page_size,
    page_start,
    pages_needed,
)
from sandbox.bc4.render import Renderer
from sandbox.bc4.routes import GROUPED, MEMBER, ROUTER, WHOLE, Endpoint
from sandbox.contract import COLLECTION, JSON_TYPE, AppResult, Target
from sandbox.httpcache import max_updated_at

_ACCOUNT_PATH = re.compile(r"^/(\d+)(?:/(.*))?$")
_BUCKET = re.compile(r"^buckets/(\d+)/(.+)$")


@dataclass
class Bc4Result(AppResult):
    """An ``AppResult`` that also tells the oracle how many geared pages it needs."""

    pages: int | None = None


def encode(data: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_result(status: int, message: str) -> AppResult:
    """A JSON error body, as the API sends them."""
    return AppResult(status=status, body=encode({"error": message}), content_type=JSON_TYPE)


class Bc4App:
    """The BC4 ``ApiApp``: routes, status filters and geared pagination over a ``Bc4Account``."""

    def __init__(self, account: Bc4Account, gear: tuple[int, ...] = DEFAULT_GEAR) -> None:
        self.account = account
        self.account_id = account.account_id
        self.gear = gear
        self.origin = "http://127.0.0.1"
        self.render = Renderer(account, self.origin)
        self.lock = threading.RLock()
        self._built_at = account.now  # mutations move account.now, not untouched empty lists

    # ------------------------------------------------------------------ ApiApp protocol
    def bind(self, origin: str, asset_origin: str) -> None:
        self.origin = origin
        self.render = Renderer(self.account, origin)

    def target(self, path: str) -> Target:
        found = _ACCOUNT_PATH.match(path)
        if not found:
            return Target(account=None, status=404)
        account = int(found.group(1))
        if account != self.account_id or not found.group(2):
            return Target(account=account, status=404)
        return Target(account=account)

    def fallback_last_modified(self) -> datetime:
        return self._built_at

    def respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        try:
            with self.lock:
                return self._respond(path, query)
        except HttpError as error:
            return error_result(error.status, error.message)

    # ------------------------------------------------------------------ dispatch
    def _respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        found = _ACCOUNT_PATH.match(path)
        if not found or not found.group(2):
            raise HttpError(404, "Not Found")
        view = View(self.account, self.render)
        rest = found.group(2).removesuffix(".json")
        bucket: int | None = None
        if in_bucket := _BUCKET.match(rest):
            bucket = int(in_bucket.group(1))
            live_project(view, bucket)
            rest = in_bucket.group(2)
        routed = ROUTER.match("/" + rest)
        endpoint: Endpoint | None = routed[0] if routed else None
        if routed is None or endpoint is None or (endpoint.bucket_only and bucket is None):
            raise HttpError(404, "Not Found")
        result = endpoint.handler(view, query, bucket, **routed[1])
        if endpoint.mode == MEMBER:
            return self._json(result, MEMBER)
        gear = GROUPED_GEAR if endpoint.mode == GROUPED else self.gear
        return self._page(result, path, query, gear, whole=endpoint.mode == WHOLE)

    def _json(self, data: Any, kind: str, total: int = 1, pages: int | None = None,
              headers: dict[str, str] | None = None,
              modified: datetime | None = None) -> Bc4Result:
        return Bc4Result(status=200, body=encode(data), kind=kind, total=total,
                         last_modified=latest(max_updated_at(data), modified),
                         headers=headers or {}, pages=pages)

    def _page(self, listing: Listing, path: str, query: Mapping[str, str],
              gear: tuple[int, ...], whole: bool) -> Bc4Result:
        total = len(listing.items)
        if whole:
            rows = [listing.render(item) for item in listing.items]
            return self._json(rows, COLLECTION, total, pages=1,
                              headers={"X-Total-Count": str(total)}, modified=listing.modified)
        try:
            page = max(1, int(query.get("page", "1")))
        except ValueError:
            page = 1
        start = page_start(gear, page)
        end = start + page_size(gear, page)
        rows = [listing.render(item) for item in listing.items[start:end]]
        headers = {"X-Total-Count": str(total)}
        if end < total:
            params = {k: v for k, v in query.items() if k != "page"}
            params["page"] = str(page + 1)
            headers["Link"] = f'<{self.origin}{path}?{urlencode(params)}>; rel="next"'
        return self._json(rows, COLLECTION, total, pages=pages_needed(gear, total),
                          headers=headers, modified=listing.modified)
