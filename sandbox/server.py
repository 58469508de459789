"""Generic HTTP front of every fake API: a threaded werkzeug server in a background thread.

Request pipeline, in order (each step can end the request):

1. artificial ``latency``;
2. method (GET/HEAD only: 405), missing or blank ``User-Agent`` (400);
3. the app classifies the path: unknown account or path shape (404), wrong suffix (415);
4. HTTP Basic or Bearer authentication (401, plain-text body);
5. sliding-window rate limit per account (429 + ``Retry-After``; refused requests don't count);
6. fault injection (status codes, truncated body, HTML error page, reset, slow);
7. the app's answer, with a strong ETag and Last-Modified on every 200 and 304 handling.

Every request, whatever its fate, is appended to the request log (without any header, so no
credential can leak). A reset is logged with status 0 because no response was sent.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wrappers import Request, Response

from sandbox.contract import TEXT_TYPE, ApiApp, AppResult
from sandbox.credentials import Credentials
from sandbox.faults import STATUS_FAULTS, FaultPlan
from sandbox.httpcache import http_date, not_modified, strong_etag
from sandbox.ratelimit import SlidingWindowLimiter
from sandbox.requestlog import RequestLog, ResourceShape

logger = logging.getLogger("sandbox")

_REASONS = {
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "503": "Service Unavailable",
    "504": "Gateway Timeout",
    "429": "Too Many Requests",
}
_HTML_ERROR = (
    "<!DOCTYPE html>\n<html>\n<head><title>We're sorry, but something went wrong (500)</title>"
    "</head>\n<body>\n<div class=\"dialog\"><h1>We're sorry, but something went wrong.</h1>"
    "<p>We've been notified about this issue and we'll take a look at it shortly.</p></div>\n"
    "</body>\n</html>\n"
)
_SECRET_PARAMS = frozenset(
    {"access_token", "token", "password", "client_secret", "refresh_token", "code", "api_key"}
)


class Authenticator(Protocol):
    """What the server needs from credentials (BC4 swaps in rotating OAuth tokens)."""

    def accepts(self, authorization: str | None) -> bool:
        """True when the Authorization header is acceptable."""

    def secrets(self) -> tuple[str, ...]:
        """Values that must never appear in logs."""


class _QuietHandler(WSGIRequestHandler):
    """Request handler without werkzeug's per-request console lines."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error":
            logger.error(message, *args)


class _Server(ThreadedWSGIServer):
    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error":
            logger.error(message, *args)


@dataclass
class _Outcome:
    response: Response | None
    shape: ResourceShape | None = None


def _raw_path(environ: dict[str, Any]) -> str:
    """The path as the client sent it (still percent-encoded: ``%2F`` in tags matters)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        raw = quote(environ.get("PATH_INFO", "/"))
    if "://" in raw.split("?", 1)[0]:
        raw = urlsplit(raw).path
    return raw.split("?", 1)[0] or "/"


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type=TEXT_TYPE)


def public_host(host: str) -> str:
    """The host clients should dial for a listening address (wildcards become loopback)."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def listen(host: str, port: int, app: Callable[..., Iterable[bytes]]) -> _Server:
    """A threaded werkzeug server on a fresh socket (IPv6 when the host says so)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=256)
    try:
        return _Server(host, port, app, handler=_QuietHandler, fd=listener.fileno())
    finally:
        listener.close()


def serve_in_thread(server: _Server, name: str) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=name, daemon=True)
    thread.start()
    return thread


def drop_connection(environ: dict[str, Any]) -> None:
    """Close without a response (RST on close thanks to zero linger), for the ``reset`` fault."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class SandboxServer:
    """Serves one ``ApiApp`` with auth, limits, caching, faults and logging around it."""

    def __init__(
        self,
        app: ApiApp,
        *,
        credentials: Credentials | Authenticator,
        log: RequestLog,
        faults: FaultPlan,
        rate_limit: tuple[int, float] | None = (500, 10.0),
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
        self.latency = latency
        self.slow_seconds = slow_seconds
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def origin(self) -> str:
        """``http://host:port`` clients should use (available once bound)."""
        if self._server is None:
            raise RuntimeError("sandbox is not started")
        return f"http://{public_host(self.host)}:{self._server.port}"

    def _asset_origin(self) -> str:
        """Same server under another host name, standing in for BC2's asset host."""
        public = public_host(self.host)
        alias = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(public, public)
        assert self._server is not None
        return f"http://{alias}:{self._server.port}"

    def bind(self) -> None:
        """Open the listening socket and tell the app its public origins."""
        if self._server is not None:
            return
        self._server = listen(self.host, self.port, self)
        self.app.bind(self.origin, self._asset_origin())

    def start(self) -> None:
        """Serve in a daemon thread."""
        self.bind()
        assert self._server is not None
        if self._thread is None:
            self._thread = serve_in_thread(self._server, "sandbox-server")

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (Ctrl-C)."""
        self.bind()
        assert self._server is not None
        self._server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
        self._server = None

    # ------------------------------------------------------------------ WSGI entry point
    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.monotonic()
        request = Request(environ)
        path = _raw_path(environ)
        entry: dict[str, Any] = {
            "t": started, "method": request.method, "path": path,
            "query": self._scrub(request.args.to_dict()), "status": 0, "account": None,
            "bytes": 0, "fault": None,
        }
        if self.latency > 0:
            time.sleep(self.latency)
        try:
            outcome = self._process(request, path, entry)
        except Exception:
            logger.exception("sandbox failed on %s", path)
            outcome = _Outcome(_text(500, "Internal Server Error"))
        if outcome.response is None:
            self.log.record(entry)
            drop_connection(environ)
            start_response("500 Internal Server Error", [("Content-Length", "0")])
            return [b""]
        response = outcome.response
        entry["status"] = response.status_code
        entry["bytes"] = 0 if request.method == "HEAD" else len(response.get_data())
        self.log.record(entry, outcome.shape)
        return response(environ, start_response)

    def _scrub(self, query: dict[str, str]) -> dict[str, str]:
        """Query for the log, with anything credential-like blanked out."""
        secrets = set(self.credentials.secrets())
        return {
            k: "[FILTERED]" if k.lower() in _SECRET_PARAMS or v in secrets else v
            for k, v in query.items()
        }

    # ------------------------------------------------------------------ pipeline
    def _special(self, request: Request, path: str, entry: dict[str, Any]) -> _Outcome | None:
        """Routes an API answers outside the account pipeline (none here; BC4's Launchpad)."""
        return None

    def _unauthorized(self) -> Response:
        """The 401 answer; BC2 and Backpack challenge for HTTP Basic."""
        response = _text(401, "HTTP Basic: Access denied.")
        response.headers["WWW-Authenticate"] = 'Basic realm="Application"'
        return response

    def _process(self, request: Request, path: str, entry: dict[str, Any]) -> _Outcome:
        special = self._special(request, path, entry)
        if special is not None:
            return special
        if request.method not in ("GET", "HEAD"):
            return _Outcome(_text(405, "Method Not Allowed"))
        if not request.headers.get("User-Agent", "").strip():
            return _Outcome(_text(400, "Bad Request: a User-Agent header is required"))
        target = self.app.target(path)
        entry["account"] = target.account
        if target.status == 404:
            return _Outcome(_text(404, "Not Found"))
        if target.status == 415:
            return _Outcome(_text(415, "Unsupported Media Type: use the .json suffix"))
        if not self.credentials.accepts(request.headers.get("Authorization")):
            return _Outcome(self._unauthorized())
        if self.limiter is not None:
            wait = self.limiter.acquire(target.account)
            if wait is not None:
                response = _text(429, "Too Many Requests")
                response.headers["Retry-After"] = str(wait)
                return _Outcome(response)
        fault = self.faults.draw(path)
        entry["fault"] = fault
        if fault in STATUS_FAULTS:
            response = _text(int(fault), f"{fault} {_REASONS[fault]}")
            if fault == "429":
                response.headers["Retry-After"] = "1"
                if self.limiter is not None:
                    self.limiter.release(target.account)
            return _Outcome(response)
        if fault == "html":
            return _Outcome(Response(_HTML_ERROR, status=500, content_type="text/html"))
        if fault == "reset":
            return _Outcome(None)
        if fault == "slow":
            time.sleep(self.slow_seconds)
        result = self.app.respond(path, request.args.to_dict())
        outcome = self._answer(result, request, conditional=fault != "truncated")
        if fault == "truncated" and outcome.response is not None:
            body = outcome.response.get_data()
            outcome.response.set_data(body[: len(body) // 2])
        return outcome

    def _shape(self, result: AppResult) -> ResourceShape:
        """What the oracle should remember about a served result."""
        return ResourceShape(result.kind or "member", result.total, result.page_ignored)

    def _answer(self, result: AppResult, request: Request, conditional: bool) -> _Outcome:
        """Turn an app result into a response, with validators and 304 handling."""
        if result.status != 200:
            response = Response(result.body, status=result.status,
                                content_type=result.content_type)
            response.headers.update(result.headers)
            return _Outcome(response)
        etag = strong_etag(result.body)
        last_modified = result.last_modified or self.app.fallback_last_modified()
        headers = {
            "ETag": etag,
            "Last-Modified": http_date(last_modified),
            "Cache-Control": "max-age=0, private, must-revalidate",
            **result.headers,
        }
        shape = self._shape(result)
        if conditional and not_modified(request.headers, etag, last_modified):
            response = Response(status=304, headers=headers)
            del response.headers["Content-Type"]
            return _Outcome(response, shape)
        response = Response(result.body, status=200, headers=headers,
                            content_type=result.content_type)
        return _Outcome(response, shape)
