"""``ForeignServer``: the "other origin" a hostile redirect points at (``sandbox.hostile``).

It records every request it receives and answers a fake person, so a test can prove nothing
reached it or was stored.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

FOREIGN_ID = 666000666
FOREIGN_PERSON: dict[str, Any] = {
    "id": FOREIGN_ID, "name": "Foreign Person", "email_address": "foreign@evil.example",
    "admin": True, "created_at": "2020-01-01T00:00:00.000Z",
    "updated_at": "2020-01-01T00:00:00.000Z",
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class ForeignServer:
    """Another origin on loopback: records every request, answers ``[FOREIGN_PERSON]``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.received: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                server.received.append({"method": self.command, "path": self.path,
                                        "headers": dict(self.headers.items())})
                body = json.dumps([FOREIGN_PERSON]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", '"foreign"')
                self.end_headers()
                self.wfile.write(body)

        self._server = _Server((host, 0), Handler)

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> ForeignServer:
        threading.Thread(target=self._server.serve_forever, daemon=True,
                         name="foreign-origin").start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
