"""HTTP front of the Backpack fake: two listeners, token auth, two 503 limiters, XML faults.

It reuses the BC2 server's werkzeug plumbing, request log, fault plan and limiter, but its
pipeline differs where Backpack differs:

1. artificial ``latency``; unknown path: 404; wrong method: 405 (ws reads are POST, REST GET);
2. ws: the body must be XML (``Content-Type`` mentioning xml, as the docs require). A body
   that doesn't parse, or declares a DTD, is the documented bad-parameter answer: HTTP 200 +
   ``success='false'`` error 500. A body that isn't XML at all carries no token;
3. auth per route (see ``backpack_app``). A missing or wrong token is HTTP 401. On ws routes
   the 401 carries the ws envelope ``<error code='401'>`` so both clients that check the status
   and clients that check ``@success`` see a failure; on REST routes it is plain text;
4. two sliding windows per account and client IP: calendar routes, everything else. Over
   either: 503 with an integer ``Retry-After`` (not 429);
5. faults (the generic kinds, ``bomb``, ``envelope500``), matched against the REDACTED path;
6. the answer; GET 200s get a strong ETag and 304 on a matching ``If-None-Match`` (the docs
   document no validators, this is only a convenience). No Last-Modified.

There is no User-Agent rule: the docs ask for one but don't say what happens without it.

The second listener (``redirect_origin``, same host, other port) stands in for the wrong
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
import logging
import re
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.backpack import render as render
from sandbox.backpack.app import (
    BODY,
    PATH,
    WS,
    XML_TYPE,
    Answer,
    BackpackApp,
    Route,
    internal_error_envelope,
    match,
    redact,
)
from sandbox.backpack.faults import billion_laughs
from sandbox.backpack.xml import serialize
from sandbox.contract import TEXT_TYPE
from sandbox.credentials import Credentials
from sandbox.faults import STATUS_FAULTS, FaultPlan
from sandbox.httpcache import strong_etag
from sandbox.ratelimit import SlidingWindowLimiter
from sandbox.requestlog import RequestLog
from sandbox.server import (
    _HTML_ERROR,
    _REASONS,
    _raw_path,
    _Server,
    drop_connection,
    listen,
    public_host,
    serve_in_thread,
)

logger = logging.getLogger("sandbox")

MAX_BODY = 1 << 20
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_SECRET_PARAMS = frozenset({"token", "access_token", "api_key", "password"})


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


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type=TEXT_TYPE)


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


class BackpackServer:
    """Serves a ``BackpackApp`` plus the wrong-scheme redirect listener."""

    def __init__(
        self,
        app: BackpackApp,
        *,
        credentials: Credentials,
        log: RequestLog,
        faults: FaultPlan,
        rate_limit: tuple[int, float] | None = (100, 5.0),
        calendar_rate_limit: tuple[int, float] | None = (10, 5.0),
        latency: float = 0.0,
        slow_seconds: float = 5.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.app = app
        self.credentials = credentials
        self.log = log
        self.faults = faults
        self.limiter = SlidingWindowLimiter(*rate_limit) if rate_limit else None
        self.calendar_limiter = (
            SlidingWindowLimiter(*calendar_rate_limit) if calendar_rate_limit else None
        )
        self.latency = latency
        self.slow_seconds = slow_seconds
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._redirect: _Server | None = None
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ lifecycle
    @property
    def origin(self) -> str:
        """``http://host:port`` of the account (available once bound)."""
        if self._server is None:
            raise RuntimeError("sandbox is not started")
        return f"http://{public_host(self.host)}:{self._server.port}"

    @property
    def redirect_origin(self) -> str:
        """Origin of the listener that answers everything with 302 to ``origin``."""
        if self._redirect is None:
            raise RuntimeError("sandbox is not started")
        return f"http://{public_host(self.host)}:{self._redirect.port}"

    def bind(self) -> None:
        """Open both listening sockets and tell the app its origin."""
        if self._server is not None:
            return
        self._server = listen(self.host, self.port, self)
        self._redirect = listen(self.host, 0, self._redirect_app)
        self.app.bind(self.origin)

    def start(self) -> None:
        """Serve both listeners in daemon threads."""
        self.bind()
        assert self._server is not None and self._redirect is not None
        if not self._threads:
            self._threads = [serve_in_thread(self._redirect, "sandbox-redirect"),
                             serve_in_thread(self._server, "sandbox-server")]

    def serve_forever(self) -> None:
        """Serve in the calling thread (the redirect listener in a daemon thread)."""
        self.bind()
        assert self._server is not None and self._redirect is not None
        if not self._threads:
            self._threads = [serve_in_thread(self._redirect, "sandbox-redirect")]
        self._server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop both listeners and release their ports."""
        servers = [s for s in (self._redirect, self._server) if s is not None]
        if self._threads:
            for server in servers:
                server.shutdown()
            for thread in self._threads:
                thread.join(timeout=5)
            self._threads = []
        for server in servers:
            server.server_close()
        self._server = self._redirect = None

    # ------------------------------------------------------------------ entries
    def _entry(self, request: Request, path: str, listener: str) -> dict[str, Any]:
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

    def _redirect_app(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        path = _raw_path(environ)
        entry = self._entry(request, path, "wrong_scheme")
        request.get_data()
        query = environ.get("QUERY_STRING", "")
        location = self.origin + path + (f"?{query}" if query else "")
        response = Response("", status=302, headers={"Location": location},
                            content_type=TEXT_TYPE)
        entry["status"] = 302
        self.log.record(entry)
        return response(environ, start_response)

    # ------------------------------------------------------------------ main pipeline
    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        path = _raw_path(environ)
        entry = self._entry(request, path, "main")
        if self.latency > 0:
            time.sleep(self.latency)
        answer: Answer | None = None
        try:
            response, answer = self._process(request, path, entry)
        except Exception:
            logger.exception("sandbox failed on %s", entry["path"])
            response = _text(500, "Internal Server Error")
        if response is None:
            self.log.record(entry)
            drop_connection(environ)
            start_response("500 Internal Server Error", [("Content-Length", "0")])
            return [b""]
        entry["status"] = response.status_code
        entry["bytes"] = 0 if request.method == "HEAD" else len(response.get_data())
        shape = answer.shape if answer is not None and answer.success is not False else None
        self.log.record(entry, shape)
        return response(environ, start_response)

    def _process(
        self, request: Request, path: str, entry: dict[str, Any]
    ) -> tuple[Response | None, Answer | None]:
        route = match(path)
        if route is None:
            return _text(404, "Not Found"), None
        allowed = ("POST",) if route.dialect == WS else ("GET", "HEAD")
        if request.method not in allowed:
            response = _text(405, "Method Not Allowed")
            response.headers["Allow"] = ", ".join(allowed)
            return response, None
        if request.content_length and request.content_length > MAX_BODY:
            return _text(413, "Payload Too Large"), None
        params: dict[str, str] | None = None
        if route.dialect == WS:
            try:
                params = _ws_params(request)
            except _BadBody:
                entry["success"] = False
                return _xml(internal_error_envelope()), None
            if params is not None:
                entry["params"] = self._scrub({k: v for k, v in params.items() if k != "token"})
        if not self._authorized(route, request, params):
            if route.dialect == WS:
                entry["success"] = False
            return self._denied(route), None
        refusal = self._limit(route, request)
        if refusal is not None:
            return refusal, None
        fault = self.faults.draw(entry["path"])
        entry["fault"] = fault
        if fault == "reset":
            return None, None
        faulted = _fault_response(fault)
        if faulted is not None:
            if fault == "envelope500":
                entry["success"] = False
            return faulted, None
        if fault == "slow":
            time.sleep(self.slow_seconds)
        ws_params = {k: v for k, v in (params or {}).items() if k != "token"}
        answer = self.app.respond(route, request.args.to_dict(), ws_params)
        entry["success"] = answer.success
        response = self._conditional(answer, request)
        if fault == "truncated":
            body = response.get_data()
            response.set_data(body[: len(body) // 2])
        return response, answer

    # ------------------------------------------------------------------ steps
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
        response = _text(401, "HTTP Basic: Access denied.")
        if route.auth != PATH:
            response.headers["WWW-Authenticate"] = 'Basic realm="Backpack"'
        return response

    def _limit(self, route: Route, request: Request) -> Response | None:
        limiter = self.calendar_limiter if route.calendar else self.limiter
        if limiter is None:
            return None
        wait = limiter.acquire((self.app.acct.account, request.remote_addr))
        if wait is None:
            return None
        response = _text(503, "Service Unavailable: rate limit exceeded")
        response.headers["Retry-After"] = str(wait)
        return response

    def _conditional(self, answer: Answer, request: Request) -> Response:
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


def _fault_response(fault: str | None) -> Response | None:
    """The response a fault replaces the answer with, or None when the request goes on."""
    if fault in STATUS_FAULTS:
        assert fault is not None
        response = _text(int(fault), f"{fault} {_REASONS[fault]}")
        if fault == "429":
            response.headers["Retry-After"] = "1"
        return response
    if fault == "html":
        return Response(_HTML_ERROR, status=500, content_type="text/html")
    if fault == "bomb":
        return Response(billion_laughs(), status=200, content_type=XML_TYPE)
    if fault == "envelope500":
        return _xml(internal_error_envelope())
    return None


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
