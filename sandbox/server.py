"""The listening side of every fake API: threaded werkzeug servers in background threads.

``SandboxServer`` binds the main listener (serving the shared ``Pipeline`` around a family's
``Front``) and any side listeners the front asks for (Backpack's wrong-scheme redirect), and
starts and stops them together.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Mapping
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from sandbox.faults import FaultPlan
from sandbox.pipeline import API_WINDOW, Front, Pipeline, WsgiApp
from sandbox.ratelimit import SlidingWindowLimiter
from sandbox.requestlog import RequestLog

logger = logging.getLogger("sandbox")

Limit = tuple[int, float]


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


def public_host(host: str) -> str:
    """The host clients should dial for a listening address (wildcards become loopback)."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def listen(host: str, port: int, app: WsgiApp) -> _Server:
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


class SandboxServer:
    """Serves one ``Front`` through the pipeline, plus the side listeners it asks for.

    ``limits`` maps a rate-limit window name (``api``; Backpack adds ``calendar``) to
    (requests, seconds), or None for no limit; ``shared`` gives a window a limiter other
    servers use too (a fleet's Basecamp 4 accounts: one budget per client address).
    """

    def __init__(
        self,
        front: Front,
        *,
        log: RequestLog,
        faults: FaultPlan,
        limits: Mapping[str, Limit | None],
        latency: float = 0.0,
        slow_seconds: float = 5.0,
        host: str = "127.0.0.1",
        port: int = 0,
        shared: Mapping[str, SlidingWindowLimiter] | None = None,
    ) -> None:
        self.front = front
        self.log = log
        limiters = {name: SlidingWindowLimiter(*limit) if limit else None
                    for name, limit in limits.items()}
        limiters.update(shared or {})
        self.pipeline = Pipeline(front, log=log, faults=faults, limiters=limiters,
                                 latency=latency, slow_seconds=slow_seconds)
        self.host = host
        self.port = port
        self._server: _Server | None = None
        self._sides: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []

    @property
    def limiter(self) -> SlidingWindowLimiter | None:
        """The account's main window (the one every family has)."""
        return self.pipeline.limiters.get(API_WINDOW)

    # ------------------------------------------------------------------ addresses
    @property
    def origin(self) -> str:
        """``http://host:port`` clients should use (available once bound)."""
        if self._server is None:
            raise RuntimeError("sandbox is not started")
        return f"http://{public_host(self.host)}:{self._server.port}"

    def side_origin(self, name: str) -> str:
        """Origin of the side listener ``name`` (KeyError when the front has none)."""
        if self._server is None:
            raise RuntimeError("sandbox is not started")
        return f"http://{public_host(self.host)}:{self._sides[name].port}"

    def _asset_origin(self) -> str:
        """Same server under another host name, standing in for BC2's asset host."""
        public = public_host(self.host)
        alias = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(public, public)
        assert self._server is not None
        return f"http://{alias}:{self._server.port}"

    # ------------------------------------------------------------------ lifecycle
    def bind(self) -> None:
        """Open the listening sockets and tell the front its public origins."""
        if self._server is not None:
            return
        self._server = listen(self.host, self.port, self.pipeline)
        sides = self.front.side_apps(self.log, lambda: self.origin)
        self._sides = {name: listen(self.host, 0, app) for name, app in sides.items()}
        self.front.bind(self.origin, self._asset_origin())

    def start(self) -> None:
        """Serve every listener in daemon threads."""
        self.bind()
        assert self._server is not None
        if not self._threads:
            self._threads = [*self._serve_sides(),
                             serve_in_thread(self._server, "sandbox-server")]

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (Ctrl-C); side listeners in threads."""
        self.bind()
        assert self._server is not None
        if not self._threads:
            self._threads = self._serve_sides()
        self._server.serve_forever(poll_interval=0.2)

    def _serve_sides(self) -> list[threading.Thread]:
        return [serve_in_thread(server, f"sandbox-{name}") for name, server in self._sides.items()]

    def stop(self) -> None:
        """Stop every listener and release its port."""
        servers = [*self._sides.values(), *([self._server] if self._server else [])]
        if self._threads:
            for server in servers:
                server.shutdown()
            for thread in self._threads:
                thread.join(timeout=5)
            self._threads = []
        for server in servers:
            server.server_close()
        self._server = None
        self._sides = {}
