"""Backpack's front in the shared pipeline: two listeners, token auth, two 503 windows, XML faults.

The steps are the shared pipeline's (``sandbox.pipeline``); what Backpack does differently:

1. artificial ``latency``; unknown path: 404; wrong method: 405 (ws reads are POST, REST GET);
2. ws: the body must be XML (``Content-Type`` mentioning xml, as the docs require). A body
   that doesn't parse, or declares a DTD, is the documented bad-parameter answer: HTTP 200 +
   ``success='false'`` error 500. A body that isn't XML at all carries no token;
3. auth per route (see ``sandbox.backpack.routes``). A missing or wrong token is HTTP
   401. On ws routes the 401 carries the ws envelope ``<error code='401'>`` so both clients
   that check the status and clients that check ``@success`` see a failure; on REST routes it
   is plain text;
4. two sliding windows per account and client IP: calendar routes, everything else. Over
   either: 503 with an integer ``Retry-After`` (not 429);
5. faults (the generic kinds, ``bomb``, ``envelope500``), matched against the REDACTED path;
6. the answer; GET 200s get a strong ETag and 304 on a matching ``If-None-Match`` (the docs
   document no validators, this is only a convenience). No Last-Modified.

There is no User-Agent rule: the docs ask for one but don't say what happens without it.

The side listener (``redirect``, same host, other port) stands in for the wrong
scheme: it answers every request with 302 Found and ``Location`` = the same path and query on
the main origin, and logs it (``listener: "wrong_scheme"``).

Log entries never hold the token: paths are stored with ``{token}`` in place of the path
segment (and of the real token or anything token-like anywhere else), queries are scrubbed,
and of a ws body only the non-token parameters are kept (``params``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.backpack import render as render
from sandbox.backpack.answers import XML_TYPE, Answer, internal_error_envelope
from sandbox.backpack.app import BackpackApp, Route, match, redact
from sandbox.backpack.faults import billion_laughs
from sandbox.backpack.routes import BODY, PATH, WS
from sandbox.backpack.xml import serialize
from sandbox.contract import TEXT_TYPE
from sandbox.credentials import Credentials
from sandbox.httpcache import strong_etag
from sandbox.pipeline import (
    API_WINDOW,
    WRONG_SCHEME,
    Entry,
    Outcome,
    Ticket,
    WsgiApp,
    raw_path,
    text,
)
from sandbox.requestlog import RequestLog

MAX_BODY = 1 << 20
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_SECRET_PARAMS = frozenset({"token", "access_token", "api_key", "password"})
CALENDAR_WINDOW = "calendar"  # the rate-limit window of the calendar routes


def resource_key(entry: dict[str, Any]) -> Hashable | None:
    """Oracle key: method, path, query without ``n`` and ws params; None if nothing served."""
    if entry.get("listener") != "main" or entry.get("success") is False:
        return None
    if entry.get("fault") not in (None, "slow"):
        return None
    method = "GET" if entry["method"] == "HEAD" else entry["method"]
    query = tuple(sorted((k, v) for k, v in entry["query"].items() if k != "n"))
    params = tuple(sorted((entry.get("params") or {}).items()))
    return method, entry["path"], query, params


def _xml(answer: Answer, status: int | None = None) -> Response:
    return Response(answer.body, status=status or answer.status, content_type=answer.content_type)


class _BadBody(Exception):
    """The ws body is not a well-formed ``<request>`` document."""


def _ws_params(request: Request) -> dict[str, str] | None:
    """The ws body's children by tag (token included), or None when there is no XML body."""
    body = request.get_data(cache=True)
    if not body.strip() or "xml" not in (request.mimetype or ""):
        return None
    if _DTD.search(body):
        raise _BadBody("DTDs are not accepted")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise _BadBody(str(exc)) from exc
    if root.tag != "request":
        raise _BadBody(f"root is <{root.tag}>")
    return {child.tag: "".join(child.itertext()).strip() for child in root}


class BackpackFront:
    """Admits Backpack's reads per route (method, body, token) and answers them in XML."""

    limit_refusal = (503, "Service Unavailable: rate limit exceeded")
    fault_429_frees_slot = False

    def __init__(self, app: BackpackApp, credentials: Credentials) -> None:
        self.app = app
        self.credentials = credentials

    def bind(self, origin: str, asset_origin: str) -> None:
        self.app.bind(origin)

    def side_apps(self, log: RequestLog, origin: Callable[[], str]) -> dict[str, WsgiApp]:
        """The wrong-scheme stand-in: every request gets a 302 to the same URL on ``origin``."""

        def redirect(environ: dict[str, Any], start_response: Callable[..., Any]
                     ) -> Iterable[bytes]:
            request = Request(environ)
            path = raw_path(environ)
            entry = self._entry(request, path, "wrong_scheme")
            request.get_data()
            query = environ.get("QUERY_STRING", "")
            location = origin() + path + (f"?{query}" if query else "")
            response = Response("", status=302, headers={"Location": location},
                                content_type=TEXT_TYPE)
            entry["status"] = 302
            log.record(entry)
            return response(environ, start_response)

        return {WRONG_SCHEME: redirect}

    # ------------------------------------------------------------------ entries
    def entry(self, request: Request, path: str) -> Entry:
        return self._entry(request, path, "main")

    def _entry(self, request: Request, path: str, listener: str) -> Entry:
        return {
            "t": time.monotonic(), "listener": listener, "method": request.method,
            "path": redact(path, match(path), self.credentials.token),
            "query": self._scrub(request.args.to_dict()), "params": None, "status": 0,
            "success": None, "account": self.app.acct.account, "bytes": 0, "fault": None,
        }

    def _scrub(self, query: dict[str, str]) -> dict[str, str]:
        """Query or ws parameters for the log, with anything holding the token blanked out."""
        token = self.credentials.token
        return {
            k: "[FILTERED]" if k.lower() in _SECRET_PARAMS or (token and token in v) else v
            for k, v in query.items()
        }

    # ------------------------------------------------------------------ admission
    def admit(self, request: Request, path: str, entry: Entry) -> Outcome | Ticket:
        route = match(path)
        if route is None:
            return Outcome(text(404, "Not Found"))
        allowed = ("POST",) if route.dialect == WS else ("GET", "HEAD")
        if request.method not in allowed:
            response = text(405, "Method Not Allowed")
            response.headers["Allow"] = ", ".join(allowed)
            return Outcome(response)
        if request.content_length and request.content_length > MAX_BODY:
            return Outcome(text(413, "Payload Too Large"))
        params = self._params(route, request, entry)
        if isinstance(params, Outcome):
            return params
        if not self._authorized(route, request, params):
            if route.dialect == WS:
                entry["success"] = False
            return Outcome(self._denied(route))
        window = CALENDAR_WINDOW if route.calendar else API_WINDOW
        return Ticket(key=(self.app.acct.account, request.remote_addr), window=window,
                      context=(route, params))

    def _params(self, route: Route, request: Request, entry: Entry
                ) -> dict[str, str] | Outcome | None:
        """A ws call's body parameters (logged without the token); a bad body's envelope."""
        if route.dialect != WS:
            return None
        try:
            params = _ws_params(request)
        except _BadBody:
            entry["success"] = False
            return Outcome(_xml(internal_error_envelope()))
        if params is not None:
            entry["params"] = self._scrub({k: v for k, v in params.items() if k != "token"})
        return params

    def _authorized(
        self, route: Route, request: Request, params: dict[str, str] | None
    ) -> bool:
        expected = self.credentials.token.encode()
        if route.auth == BODY:
            offered = (params or {}).get("token")
        elif route.auth == PATH:
            offered = route.token
        else:
            offered = request.headers.get("X-BP-Token") or _basic_user(
                request.headers.get("Authorization"))
        return offered is not None and hmac.compare_digest(offered.encode(), expected)

    @staticmethod
    def _denied(route: Route) -> Response:
        if route.dialect == WS:
            body = serialize(render.error_envelope(401, "Access denied"), "'")
            return Response(body, status=401, content_type=XML_TYPE)
        response = text(401, "HTTP Basic: Access denied.")
        if route.auth != PATH:
            response.headers["WWW-Authenticate"] = 'Basic realm="Backpack"'
        return response

    # ------------------------------------------------------------------ faults and answer
    def fault(self, kind: str, entry: Entry) -> Response | None:
        if kind == "bomb":
            return Response(billion_laughs(), status=200, content_type=XML_TYPE)
        if kind == "envelope500":
            entry["success"] = False
            return _xml(internal_error_envelope())
        return None

    def answer(self, request: Request, path: str, ticket: Ticket, entry: Entry,
               conditional: bool) -> Outcome:
        """The app's answer; the ETag policy ignores ``conditional`` (Backpack's own)."""
        route, params = ticket.context
        ws_params = {k: v for k, v in (params or {}).items() if k != "token"}
        answer = self.app.respond(route, request.args.to_dict(), ws_params)
        entry["success"] = answer.success
        shape = answer.shape if answer.success is not False else None
        return Outcome(self._conditional(answer, request), shape)

    @staticmethod
    def _conditional(answer: Answer, request: Request) -> Response:
        """ETag on GET/HEAD 200s, and 304 when ``If-None-Match`` matches it."""
        response = _xml(answer)
        if answer.status != 200 or request.method not in ("GET", "HEAD"):
            return response
        etag = strong_etag(answer.body)
        response.headers["ETag"] = etag
        if_none_match = request.headers.get("If-None-Match", "")
        if any(tag.strip().removeprefix("W/") in (etag, "*") for tag in if_none_match.split(",")):
            not_modified = Response(status=304, headers={"ETag": etag})
            del not_modified.headers["Content-Type"]
            return not_modified
        return response


def _basic_user(authorization: str | None) -> str | None:
    """The user name of HTTP Basic credentials (the token; the password is ignored)."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded.partition(":")[0]
