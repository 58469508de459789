"""A loopback HTTP server that answers from a queue, for pinning HTTP behaviour at its seam.

Each scripted answer says status, headers, body, and how to misbehave (cut the body, reset the
connection, stall); every request that reaches the server is kept as a ``Hit``.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

UA = "basecamp-extract tests (tests@example.com)"


# Each request takes the next queued answer (the last repeats once the queue runs out, as the
# conformance README asks) and is logged with its arrival time. Answers use the conformance
# format (status, headers, body, networkError, delay in ms) plus ``truncate``: send that many
# bytes fewer than the Content-Length announces. "{origin}" in a header is the server's origin.
@dataclass
class Hit:
    at: float
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Script:
    """The queue of answers and the log of requests; ``answers`` may be replaced between runs."""

    answers: list[dict[str, Any]]
    hits: list[Hit] = field(default_factory=list)
    origin: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self) -> dict[str, Any]:
        with self._lock:
            index = min(len(self.hits) - 1, len(self.answers) - 1)
            return self.answers[index] if self.answers else {"status": 500}

    def delays_ms(self) -> list[float]:
        return [(b.at - a.at) * 1000 for a, b in zip(self.hits, self.hits[1:], strict=False)]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            with script._lock:
                script.hits.append(Hit(time.monotonic(), self.command, self.path,
                                       dict(self.headers.items())))
            answer = script.take()
            if answer.get("delay"):
                time.sleep(answer["delay"] / 1000)
            if answer.get("networkError"):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            body = answer.get("body", b"")
            if not isinstance(body, bytes | str):
                body = json.dumps(body)
            data = body.encode() if isinstance(body, str) else body
            self.send_response(answer.get("status", 200))
            headers = {"Content-Type": "application/json", **answer.get("headers", {})}
            for name, value in headers.items():
                self.send_header(name, value.replace("{origin}", script.origin))
            self.send_header("Content-Length", str(len(data)))
            cut = answer.get("truncate", 0)
            if cut:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data[:len(data) - cut] if cut else data)

        do_POST = do_GET

    return Handler


@contextmanager
def scripted(answers: list[dict[str, Any]]) -> Iterator[Script]:
    """Serve ``answers`` on 127.0.0.1 (a free port) for the duration of the block."""
    script = Script(list(answers))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    server.daemon_threads = True
    script.origin = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield script
    finally:
        server.shutdown()
        server.server_close()
