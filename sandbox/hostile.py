"""A misbehaving proxy in front of a sandbox: the broken networks, proxies and outages a
nightly export meets, played on loopback so end-to-end tests can prove the client copes.

    with Sandbox(api="bc2", rate_limit=None) as box, HostileProxy(box.origin) as proxy:
        proxy.use(empty(r"/people\\.json$"), fail(r"/todos\\.json$", 503, times=1))
        run the CLI with --base-url proxy.url_for(box.base_url)
        proxy.seen  # every request: when, method, path, status, which rule answered

Every request is forwarded (method, path, query, headers, body) to the upstream origin and its
answer returned, except where a rule matches. Rules are data: a path regex, an action, its
parameters and how many times it fires (the first matching rule with turns left wins). The
upstream origin in ``Link`` and ``Location`` headers is rewritten to the origin the client
dialled, so paging stays on the proxy. A request in absolute form (``GET http://h/x``, as a
client behind ``HTTP_PROXY`` sends it) is served too, which lets a test use a default port.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import urllib3

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
                        "host", "content-length", "accept-encoding"})
VALIDATORS = frozenset({"etag", "last-modified", "cache-control", "expires"})
CONDITIONALS = frozenset({"if-none-match", "if-modified-since"})
HTML_PAGE = b"<!DOCTYPE html><html><body><h1>We're sorry, but something went wrong.</h1>" \
            b"</body></html>\n"
PAST_DATE = formatdate(0, usegmt=True)  # Thu, 01 Jan 1970 00:00:00 GMT
ACTIONS = ("status", "redirect", "empty", "strip", "truncate", "html", "malformed", "link",
           "edit", "delay")



@dataclass(frozen=True)
class Rule:
    """What the proxy does instead of (or to) the upstream answer for matching requests.

    ``action``: ``status`` (answer ``status`` with ``headers``, upstream not asked),
    ``redirect`` (302 to ``target`` + the request's path and query), ``empty`` (upstream
    headers minus validators and Link, X-Total-Count kept, body ``[]``), ``strip``
    (upstream answer minus validators), ``truncate`` (full Content-Length, half the body,
    connection closed), ``html`` (200 with an HTML page), ``malformed`` (200 with JSON cut
    short), ``link`` (``rewrite`` applied to the upstream Link header), ``edit``
    (``rewrite`` applied to the decoded JSON body), ``delay`` (upstream answer after
    ``seconds``). Rules that change an
    answer forward the request without If-None-Match/If-Modified-Since, so the server's
    answer they change is a full 200, never a 304 the client would fill from its cache.
    """

    path: str
    action: str
    times: int | None = None  # None: every matching request
    method: str | None = None
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    target: str = ""
    rewrite: Callable[[Any], Any] | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown action {self.action!r}; expected one of {ACTIONS}")

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and bool(
            re.search(self.path, path))


# ---------------------------------------------------------------------- one-line rules
def fail(path: str, status: int, times: int | None = None, *, retry_after: str | None = None,
         request_id: str | None = None) -> Rule:
    """Answer ``status`` (429, 5xx) without asking upstream, with Retry-After / X-Request-Id."""
    headers = {"Content-Type": "text/plain"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    if request_id is not None:
        headers["X-Request-Id"] = request_id
    return Rule(path, "status", times, status=status, headers=headers)


def redirect(path: str, to: str, times: int | None = None, status: int = 302) -> Rule:
    """Redirect to origin ``to`` (same path and query there)."""
    return Rule(path, "redirect", times, status=status, target=to.rstrip("/"))


def empty(path: str, times: int | None = None) -> Rule:
    return Rule(path, "empty", times)


def strip_validators(path: str = ".*", times: int | None = None) -> Rule:
    return Rule(path, "strip", times)


def truncate(path: str, times: int | None = 1) -> Rule:
    return Rule(path, "truncate", times)


def html(path: str, times: int | None = 1) -> Rule:
    return Rule(path, "html", times)


def malformed(path: str, times: int | None = 1) -> Rule:
    return Rule(path, "malformed", times)


def link(path: str, rewrite: Callable[[str], str], times: int | None = None) -> Rule:
    return Rule(path, "link", times, rewrite=rewrite)


def edit(path: str, rewrite: Callable[[Any], Any], times: int | None = 1) -> Rule:
    return Rule(path, "edit", times, rewrite=rewrite)


def delay(path: str, seconds: float, times: int | None = None) -> Rule:
    return Rule(path, "delay", times, seconds=seconds)


def explicit_default_port(value: str) -> str:
    """``<http://h/x>`` -> ``<http://h:80/x>`` (https: 443): the same origin, written out."""
    def add(match: re.Match[str]) -> str:
        scheme, host = match.group(1), match.group(2)
        return f"<{scheme}://{host}:{443 if scheme == 'https' else 80}/"
    return re.sub(r"<(https?)://([^/:>]+)/", add, value)


# ---------------------------------------------------------------------- the proxy
@dataclass(frozen=True)
class Seen:
    """One request as the proxy saw it (``at`` is ``time.monotonic()`` on arrival)."""

    at: float
    method: str
    path: str
    query: str
    status: int
    rule: str | None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class HostileProxy:
    """Forward to ``upstream`` (an origin such as ``box.origin``) except where a rule matches."""

    def __init__(self, upstream: str, host: str = "127.0.0.1", port: int = 0) -> None:
        self.upstream = upstream.rstrip("/")
        self.seen: list[Seen] = []
        self.arrived = 0  # requests received, answered or not (``seen`` fills on answering)
        self._rules: list[list[Any]] = []  # [rule, turns left or None]
        self._lock = threading.Lock()
        self._pool = urllib3.PoolManager(maxsize=16, retries=False)
        self._server = _Server((host, port), _handler(self))
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url_for(self, upstream_url: str) -> str:
        """The same URL through the proxy (``box.base_url`` -> the proxy's base URL)."""
        return upstream_url.replace(self.upstream, self.origin, 1)

    def use(self, *rules: Rule) -> None:
        """Replace every rule (turns counted afresh)."""
        with self._lock:
            self._rules = [[rule, rule.times] for rule in rules]

    def reset(self) -> None:
        """Forget the rules and the requests seen."""
        with self._lock:
            self._rules = []
            self.seen = []
            self.arrived = 0

    def requests_to(self, pattern: str) -> list[Seen]:
        """Requests whose path matches ``pattern``, in arrival order."""
        with self._lock:
            return [s for s in self.seen if re.search(pattern, s.path)]

    def start(self) -> HostileProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="hostile-proxy")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._pool.clear()

    def __enter__(self) -> HostileProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------------ per request
    def _rule_for(self, method: str, path: str) -> Rule | None:
        with self._lock:
            self.arrived += 1
            for entry in self._rules:
                rule, left = entry
                if left != 0 and rule.matches(method, path):
                    if left is not None:
                        entry[1] = left - 1
                    return rule
        return None

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def _forward(self, method: str, target: str, headers: Mapping[str, str],
                 body: bytes | None) -> tuple[int, list[tuple[str, str]], bytes]:
        sent = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        response = self._pool.request(method, self.upstream + target, body=body, headers=sent,
                                      redirect=False, preload_content=True,
                                      decode_content=False)
        kept = [(k, v) for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP]
        return response.status, kept, response.data


def _handler(proxy: HostileProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            self._serve()

        do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

        def _serve(self) -> None:
            arrived = time.monotonic()
            client_origin, target = _split_target(self.path, self.headers.get("Host", ""))
            path, _, query = target.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            rule = proxy._rule_for(self.command, path)
            status, headers, payload, cut = _answer(proxy, rule, self.command, target,
                                                    dict(self.headers.items()), body,
                                                    client_origin)
            proxy._record(Seen(arrived, self.command, path, query, status,
                               rule.action if rule else None))
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            if cut:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload[: len(payload) // 2] if cut else payload)
            self.wfile.flush()

    return Handler


def _split_target(raw: str, host: str) -> tuple[str, str]:
    """(origin the client dialled, path?query) for origin-form and absolute-form targets."""
    if "://" in raw.split("?", 1)[0]:
        parts = urlsplit(raw)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        return f"{parts.scheme}://{parts.netloc}", target
    return f"http://{host}", raw


Headers = list[tuple[str, str]]
Answer = tuple[int, Headers, bytes, bool]


def _without(headers: Headers, dropped: frozenset[str]) -> Headers:
    return [(k, v) for k, v in headers if k.lower() not in dropped]


def _empty(rule: Rule, status: int, kept: Headers, payload: bytes) -> Answer:
    return status, _without(kept, VALIDATORS | {"link"}), b"[]", False


def _strip(rule: Rule, status: int, kept: Headers, payload: bytes) -> Answer:
    return status, _without(kept, VALIDATORS), payload, False


def _truncate(rule: Rule, status: int, kept: Headers, payload: bytes) -> Answer:
    return status, kept, payload, True


def _malformed(rule: Rule, status: int, kept: Headers, payload: bytes) -> Answer:
    return status, kept, payload[: max(1, len(payload) // 2)], False


def _link(rule: Rule, status: int, kept: Headers, payload: bytes) -> Answer:
    if rule.rewrite is None:
        return status, kept, payload, False
    rewrite = rule.rewrite
    return status, [(k, rewrite(v)) if k.lower() == "link" else (k, v) for k, v in kept], \
        payload, False


def _edit(rule: Rule, status: int, kept: Headers, payload: bytes) -> Answer:
    if rule.rewrite is None:
        return status, kept, payload, False
    edited = json.dumps(rule.rewrite(json.loads(payload))).encode()
    return status, _without(kept, VALIDATORS), edited, False


# What a rule does to an upstream 200 (actions absent here pass it through unchanged).
_REWRITES: dict[str, Callable[[Rule, int, Headers, bytes], Answer]] = {
    "empty": _empty, "strip": _strip, "truncate": _truncate, "malformed": _malformed,
    "link": _link, "edit": _edit,
}


def _instead(rule: Rule | None, target: str) -> Answer | None:
    """The answer of a rule that never asks upstream (status, redirect, html), else None."""
    if rule is None:
        return None
    if rule.action == "status":
        text = f"{rule.status} from the hostile proxy\n".encode()
        return rule.status, list(rule.headers.items()), text, False
    if rule.action == "redirect":
        return rule.status, [("Location", rule.target + target)], b"", False
    if rule.action == "html":
        return 200, [("Content-Type", "text/html; charset=utf-8")], HTML_PAGE, False
    return None


def _answer(proxy: HostileProxy, rule: Rule | None, method: str, target: str,
            headers: dict[str, str], body: bytes | None, client_origin: str) -> Answer:
    """(status, headers, body, cut the body short?) for one request."""
    instead = _instead(rule, target)
    if instead is not None:
        return instead
    if rule is not None and rule.action == "delay":
        time.sleep(rule.seconds)
    elif rule is not None:  # a rule rewrites a full answer, never a 304
        headers = {k: v for k, v in headers.items() if k.lower() not in CONDITIONALS}
    status, kept, payload = proxy._forward(method, target, headers, body)
    kept = [(k, v.replace(proxy.upstream, client_origin)) if k.lower() in ("link", "location")
            else (k, v) for k, v in kept]
    if rule is None or status != 200 or rule.action not in _REWRITES:
        return status, kept, payload, False
    return _REWRITES[rule.action](rule, status, kept, payload)
