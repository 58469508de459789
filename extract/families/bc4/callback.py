"""The loopback end of the authorization-code flow: one listener, one callback, its state.

The listener binds ``127.0.0.1`` only (never a public interface), answers exactly one callback
on the registered path, and accepts it only with this login's random ``state``.
"""

from __future__ import annotations

import hmac
import html
import re
import socketserver
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from extract.families.bc4.tokens import LoginError
from transforms.errors import ConfigError
from transforms.redact import REDACTOR

DEFAULT_PORT = 8976
CALLBACK_PATH = "/callback"
LOOPBACK = "127.0.0.1"
REDIRECT_HOSTS = ("127.0.0.1", "localhost")
POLL_SECONDS = 0.25
ERROR_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


@dataclass
class _Callback:
    code: str | None = field(default=None, repr=False)
    error: str | None = None


def callback_address(redirect_uri: str | None, port: int) -> tuple[int, str, str | None]:
    """(port to listen on, callback path, fixed redirect URI or None to build from the port)."""
    if redirect_uri is None:
        return port, CALLBACK_PATH, None
    try:
        parts = urlsplit(redirect_uri)
        uri_port = parts.port
    except ValueError:
        uri_port, parts = None, None
    if (parts is None or parts.scheme != "http" or parts.hostname not in REDIRECT_HOSTS
            or not uri_port or parts.fragment or parts.query):
        raise ConfigError(f"--redirect-uri must look like http://127.0.0.1:{DEFAULT_PORT}"
                          f"{CALLBACK_PATH} (http, 127.0.0.1 or localhost, an explicit port, no "
                          f"query): the callback is served on loopback only")
    return uri_port, parts.path or "/", redirect_uri


class _CallbackServer(HTTPServer):
    """One loopback listener that records the first callback carrying the right path."""

    def __init__(self, port: int, path: str, state: str) -> None:
        self.callback_path = path
        self.state = state
        self.result: _Callback | None = None
        super().__init__((LOOPBACK, port), _CallbackHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the FQDN of the address; that can stall on bad DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = LOOPBACK, self.server_address[1]


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _CallbackServer
    timeout = 10  # a client that connects and sends nothing cannot hold the login forever

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.server.callback_path or self.server.result is not None:
            self._page(404, "Not found", "This is not the page you are looking for.")
            return
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        state = query.get("state", "")
        if not hmac.compare_digest(state.encode(), self.server.state.encode()):
            self.server.result = _Callback(error="state")
            self._page(400, "Authorization refused",
                       "The callback did not carry this login's state; nothing was saved. "
                       "Run the login again.")
        elif "error" in query:
            name = query["error"]
            self.server.result = _Callback(
                error=name if ERROR_NAME.fullmatch(name) else "error")
            self._page(400, "Authorization not granted", "You can close this tab.")
        elif not query.get("code"):
            self.server.result = _Callback(error="no code")
            self._page(400, "Authorization failed", "The callback carried no code.")
        else:
            self.server.result = _Callback(code=query["code"])
            self._page(200, "Authorized", "basecamp-extract is authorized. You can close this "
                                          "tab and return to the terminal.")

    def _page(self, status: int, title: str, text: str) -> None:
        body = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
                f"</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
                "</body></html>\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request line carries the authorization code."""


def listen(port: int, path: str, state: str) -> _CallbackServer:
    try:
        return _CallbackServer(port, path, state)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {LOOPBACK}:{port} for the callback "
                          f"({exc.strerror or exc}): free the port, or register another "
                          "redirect URI and pass --port/--redirect-uri") from None


def wait_for_code(server: _CallbackServer, timeout: float, redirect_uri: str) -> str:
    deadline = time.monotonic() + timeout
    while server.result is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LoginError(f"no authorization callback on {redirect_uri} within {timeout:g}s",
                             hint="open the printed URL in a browser, or raise --timeout")
        server.timeout = min(remaining, POLL_SECONDS)
        server.handle_request()
    result = server.result
    if result.error == "state":
        raise LoginError("refused an authorization callback with the wrong state (a stale or "
                         "forged redirect); nothing was saved")
    if result.error == "no code":
        raise LoginError("the authorization callback carried no code")
    if result.error is not None or not result.code:
        raise LoginError(f"authorization was not granted ({result.error})")
    REDACTOR.add(result.code)
    return result.code
