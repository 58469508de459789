"""The request pipeline every fake API shares; a family's ``Front`` fills in what differs.

In order (each step can end the request):

1. artificial ``latency``;
2. the front admits the request (its routes, methods, User-Agent rule, body and auth) or
   answers it itself (404, 405, 401, BC4's Launchpad, ...);
3. sliding-window rate limit: the front names the window and the key (refused requests don't
   count; the answer is the front's: BC's 429 or Backpack's 503, with ``Retry-After``);
4. fault injection, drawn against the path as logged: the generic kinds here (status codes,
   HTML error page, reset, slow, truncated body), the family's own kinds from the front;
5. the front's answer (validators and 304 handling are the family's policy).

Every request, whatever its fate, is appended to the request log as the front shaped the entry
(without any header, so no credential can leak) with the client's address. A reset is logged
with status 0 because no response was sent.
"""

from __future__ import annotations

import logging
import socket
import struct
import time
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from werkzeug.wrappers import Request, Response

from sandbox.contract import TEXT_TYPE
from sandbox.faults import STATUS_FAULTS, FaultPlan
from sandbox.ratelimit import SlidingWindowLimiter
from sandbox.requestlog import RequestLog, ResourceShape

logger = logging.getLogger("sandbox")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Entry = dict[str, Any]

API_WINDOW = "api"
WRONG_SCHEME = "redirect"  # the side listener standing in for a wrong scheme (Backpack)

REASONS = {
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "503": "Service Unavailable",
    "504": "Gateway Timeout",
    "429": "Too Many Requests",
}
HTML_ERROR = (
    "<!DOCTYPE html>\n<html>\n<head><title>We're sorry, but something went wrong (500)</title>"
    "</head>\n<body>\n<div class=\"dialog\"><h1>We're sorry, but something went wrong.</h1>"
    "<p>We've been notified about this issue and we'll take a look at it shortly.</p></div>\n"
    "</body>\n</html>\n"
)


@dataclass
class Outcome:
    """A response (None: drop the connection) and what the oracle should remember of it."""

    response: Response | None
    shape: ResourceShape | None = None


@dataclass(frozen=True)
class Ticket:
    """A request the front admitted: the rate-limit window and key it counts against, and
    whatever the front needs later to answer it (a matched route, ws parameters)."""

    key: Hashable
    window: str = API_WINDOW
    context: Any = None


class Front(Protocol):
    """What differs per family around the shared steps."""

    limit_refusal: tuple[int, str]  # status and message of a rate-limit refusal
    fault_429_frees_slot: bool  # a 429 fault gives the limiter slot back

    def bind(self, origin: str, asset_origin: str) -> None:
        """Learn the public origins once the port is known."""

    def entry(self, request: Request, path: str) -> Entry:
        """The log entry for a request, before any step ran."""

    def admit(self, request: Request, path: str, entry: Entry) -> Outcome | Ticket:
        """A ticket for the shared steps, or the answer that ends the request now."""

    def fault(self, kind: str, entry: Entry) -> Response | None:
        """The response of a family-only fault kind, None for a kind that lets it go on."""

    def answer(self, request: Request, path: str, ticket: Ticket, entry: Entry,
               conditional: bool) -> Outcome:
        """The app's answer; ``conditional`` False forbids a 304 (the body gets truncated)."""

    def side_apps(self, log: RequestLog, origin: Callable[[], str]) -> dict[str, WsgiApp]:
        """Extra listeners by name (Backpack's wrong-scheme redirect), served alongside."""


def text(status: int, message: str) -> Response:
    """A short plain-text answer."""
    return Response(message + "\n", status=status, content_type=TEXT_TYPE)


def raw_path(environ: Mapping[str, Any]) -> str:
    """The path as the client sent it (still percent-encoded: ``%2F`` in tags matters)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not raw:
        raw = quote(environ.get("PATH_INFO", "/"))
    if "://" in raw.split("?", 1)[0]:
        raw = urlsplit(raw).path
    return raw.split("?", 1)[0] or "/"


def drop_connection(environ: Mapping[str, Any]) -> None:
    """Close without a response (RST on close thanks to zero linger), for the ``reset`` fault."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class Pipeline:
    """The WSGI app of a sandbox's main listener: the shared steps around one ``Front``."""

    def __init__(
        self,
        front: Front,
        *,
        log: RequestLog,
        faults: FaultPlan,
        limiters: Mapping[str, SlidingWindowLimiter | None],
        latency: float = 0.0,
        slow_seconds: float = 5.0,
    ) -> None:
        self.front = front
        self.log = log
        self.faults = faults
        self.limiters = dict(limiters)
        self.latency = latency
        self.slow_seconds = slow_seconds

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        path = raw_path(environ)
        entry = self.front.entry(request, path)
        entry["client"] = request.remote_addr
        if self.latency > 0:
            time.sleep(self.latency)
        try:
            outcome = self._process(request, path, entry)
        except Exception:
            logger.exception("sandbox failed on %s", entry["path"])
            outcome = Outcome(text(500, "Internal Server Error"))
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

    def _process(self, request: Request, path: str, entry: Entry) -> Outcome:
        ticket = self.front.admit(request, path, entry)
        if isinstance(ticket, Outcome):
            return ticket
        refusal = self._limit(ticket)
        if refusal is not None:
            return Outcome(refusal)
        fault = self.faults.draw(entry["path"])
        entry["fault"] = fault
        if fault == "reset":
            return Outcome(None)
        faulted = self._fault(fault, ticket, entry)
        if faulted is not None:
            return Outcome(faulted)
        if fault == "slow":
            time.sleep(self.slow_seconds)
        outcome = self.front.answer(request, path, ticket, entry, conditional=fault != "truncated")
        if fault == "truncated" and outcome.response is not None:
            body = outcome.response.get_data()
            outcome.response.set_data(body[: len(body) // 2])
        return outcome

    def _limit(self, ticket: Ticket) -> Response | None:
        limiter = self.limiters.get(ticket.window)
        if limiter is None:
            return None
        wait = limiter.acquire(ticket.key)
        if wait is None:
            return None
        response = text(*self.front.limit_refusal)
        response.headers["Retry-After"] = str(wait)
        return response

    def _fault(self, fault: str | None, ticket: Ticket, entry: Entry) -> Response | None:
        """The response a drawn fault replaces the answer with, or None when it goes on."""
        if fault is None or fault in ("slow", "truncated"):
            return None
        if fault in STATUS_FAULTS:
            response = text(int(fault), f"{fault} {REASONS[fault]}")
            if fault == "429":
                response.headers["Retry-After"] = "1"
                self._free_slot(ticket)
            return response
        if fault == "html":
            return Response(HTML_ERROR, status=500, content_type="text/html")
        return self.front.fault(fault, entry)

    def _free_slot(self, ticket: Ticket) -> None:
        limiter = self.limiters.get(ticket.window)
        if limiter is not None and self.front.fault_429_frees_slot:
            limiter.release(ticket.key)
