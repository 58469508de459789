"""The front of the JSON APIs (Basecamp 2 and 4) in the shared pipeline.

What it adds around the app, in order:

1. method (GET/HEAD only: 405), missing or blank ``User-Agent`` (400);
2. the app classifies the path: unknown account or path shape (404), wrong suffix (415);
3. HTTP Basic or Bearer authentication (401; the challenge is the family's);
4. one rate-limit window per account, refused with 429;
5. the app's answer, with a strong ETag and Last-Modified on every 200 and 304 handling
   (``If-None-Match`` or ``If-Modified-Since``).

BC4 subclasses it (``sandbox.bc4.server``) for Launchpad, Bearer challenges and geared pages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, Protocol

from werkzeug.wrappers import Request, Response

from sandbox.contract import ApiApp, AppResult
from sandbox.httpcache import http_date, not_modified, strong_etag
from sandbox.pipeline import Entry, Outcome, Ticket, WsgiApp, text
from sandbox.requestlog import RequestLog, ResourceShape

SECRET_PARAMS = frozenset(
    {"access_token", "token", "password", "client_secret", "refresh_token", "code", "api_key"}
)
# Early refusals ``ApiApp.target`` may give, and their messages.
TARGET_REFUSALS = {404: "Not Found", 415: "Unsupported Media Type: use the .json suffix"}


class Authenticator(Protocol):
    """What the front needs from credentials (BC4 swaps in rotating OAuth tokens)."""

    def accepts(self, authorization: str | None) -> bool:
        """True when the Authorization header is acceptable."""

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs."""


class JsonFront:
    """Admits GETs the app recognises from authenticated clients; answers with validators."""

    limit_refusal = (429, "Too Many Requests")
    fault_429_frees_slot = True

    def __init__(self, app: ApiApp, credentials: Authenticator) -> None:
        self.app = app
        self.credentials = credentials

    def bind(self, origin: str, asset_origin: str) -> None:
        self.app.bind(origin, asset_origin)

    def side_apps(self, log: RequestLog, origin: Callable[[], str]) -> dict[str, WsgiApp]:
        return {}

    def entry(self, request: Request, path: str) -> Entry:
        return {
            "t": time.monotonic(), "method": request.method, "path": path,
            "query": self._scrub(request.args.to_dict()), "status": 0, "account": None,
            "bytes": 0, "fault": None,
        }

    def _scrub(self, query: dict[str, str]) -> dict[str, str]:
        """Query for the log, with anything credential-like blanked out."""
        secrets = set(self.credentials.secrets())
        return {
            k: "[FILTERED]" if k.lower() in SECRET_PARAMS or v in secrets else v
            for k, v in query.items()
        }

    # ------------------------------------------------------------------ admission
    def special(self, request: Request, path: str, entry: Entry) -> Outcome | None:
        """Routes answered outside the account pipeline (none here; BC4's Launchpad)."""
        return None

    def unauthorized(self) -> Response:
        """The 401 answer; BC2 challenges for HTTP Basic."""
        response = text(401, "HTTP Basic: Access denied.")
        response.headers["WWW-Authenticate"] = 'Basic realm="Application"'
        return response

    def admit(self, request: Request, path: str, entry: Entry) -> Outcome | Ticket:
        special = self.special(request, path, entry)
        if special is not None:
            return special
        if request.method not in ("GET", "HEAD"):
            return Outcome(text(405, "Method Not Allowed"))
        if not request.headers.get("User-Agent", "").strip():
            return Outcome(text(400, "Bad Request: a User-Agent header is required"))
        target = self.app.target(path)
        entry["account"] = target.account
        if target.status is not None and target.status in TARGET_REFUSALS:
            return Outcome(text(target.status, TARGET_REFUSALS[target.status]))
        if not self.credentials.accepts(request.headers.get("Authorization")):
            return Outcome(self.unauthorized())
        return Ticket(key=self.limit_key(request, target.account))

    def limit_key(self, request: Request, account: Any) -> Hashable:
        """What the rate limit counts per: the account (BC2); BC4 counts per client address."""
        return account

    def fault(self, kind: str, entry: Entry) -> Response | None:
        return None

    # ------------------------------------------------------------------ answer
    def shape(self, result: AppResult) -> ResourceShape:
        """What the oracle should remember about a served result."""
        return ResourceShape(result.kind or "member", result.total, result.page_ignored)

    def answer(self, request: Request, path: str, ticket: Ticket, entry: Entry,
               conditional: bool) -> Outcome:
        """Turn the app's result into a response, with validators and 304 handling."""
        result = self.app.respond(path, request.args.to_dict())
        if result.status != 200:
            response = Response(result.body, status=result.status,
                                content_type=result.content_type)
            response.headers.update(result.headers)
            return Outcome(response)
        etag = strong_etag(result.body)
        last_modified = result.last_modified or self.app.fallback_last_modified()
        headers: dict[str, Any] = {
            "ETag": etag,
            "Last-Modified": http_date(last_modified),
            "Cache-Control": "max-age=0, private, must-revalidate",
            **result.headers,
        }
        shape = self.shape(result)
        if conditional and not_modified(request.headers, etag, last_modified):
            response = Response(status=304, headers=headers)
            del response.headers["Content-Type"]
            return Outcome(response, shape)
        response = Response(result.body, status=200, headers=headers,
                            content_type=result.content_type)
        return Outcome(response, shape)
