"""The Basecamp 4 front: the JSON front plus Launchpad, Bearer challenges and geared oracle.

Launchpad (``/launchpad/...``) lives on another host in production; here it shares the port
under a path prefix. It is not rate limited (the API limit is per client address), its POST body is
never logged, and ``authorization.json`` needs a valid bearer token like the API.

``GET /launchpad/authorization/new`` stands in for the browser consent page: it approves at once
and 302s to the (loopback) ``redirect_uri`` with a one-time ``code`` and the given ``state``; the
token endpoint takes that code (``grant_type=authorization_code`` or legacy ``type=web_server``)
as well as refresh tokens. The code never reaches the request log (``code`` is a filtered
parameter and every issued code is one of the credentials' secrets).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from datetime import timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.bc4.app import Bc4App, Bc4Result
from sandbox.bc4.auth import Bc4Credentials, authorization
from sandbox.bc4.render_base import stamp
from sandbox.contract import JSON_TYPE, AppResult
from sandbox.jsonapi import JsonFront
from sandbox.pipeline import Entry, Outcome
from sandbox.requestlog import ResourceShape

LAUNCHPAD = "/launchpad"


def _json(status: int, data: Any, **headers: str) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(body, status=status, content_type=JSON_TYPE, headers=headers)


class Bc4Front(JsonFront):
    """``JsonFront`` for BC4: Bearer-only 401s, Launchpad routes, geared page counts."""

    app: Bc4App
    credentials: Bc4Credentials

    def __init__(self, app: Bc4App, credentials: Bc4Credentials) -> None:
        super().__init__(app, credentials)
        self.origin = ""
        # Launchpad route -> (method(s) it answers, handler)
        self._launchpad: dict[str, tuple[tuple[str, ...], Callable[[Request], Response]]] = {
            "/authorization/token": (("POST",), self._token),
            "/authorization/new": (("GET",), self._consent),
            "/authorization.json": (("GET", "HEAD"), self._authorization),
        }

    @property
    def base_url(self) -> str:
        return f"{self.origin}/{self.app.account_id}"

    def bind(self, origin: str, asset_origin: str) -> None:
        super().bind(origin, asset_origin)
        self.origin = origin

    def limit_key(self, request: Request, account: Any) -> Hashable:
        """Basecamp 4 limits per IP address, across every account and token: a limiter shared
        by several accounts' fronts (``sandbox.fleet``) gives one address one budget."""
        return ("address", request.remote_addr)

    def unauthorized(self) -> Response:
        return _json(401, {"error": "invalid_token"},
                     **{"WWW-Authenticate": 'Bearer realm="Basecamp"'})

    def shape(self, result: AppResult) -> ResourceShape:
        pages = result.pages if isinstance(result, Bc4Result) else None
        return ResourceShape(result.kind or "member", result.total, result.page_ignored,
                             pages=pages)

    def special(self, request: Request, path: str, entry: Entry) -> Outcome | None:
        if not path.startswith(LAUNCHPAD + "/"):
            return None
        if not request.headers.get("User-Agent", "").strip():
            return Outcome(_json(400, {"error": "a User-Agent header is required"}))
        found = self._launchpad.get(path[len(LAUNCHPAD):])
        if found is None:
            return Outcome(_json(404, {"error": "Not Found"}))
        methods, handler = found
        if request.method not in methods:
            return Outcome(_json(405, {"error": "method not allowed"}))
        return Outcome(handler(request))

    def _token(self, request: Request) -> Response:
        params = {**request.args.to_dict(), **request.form.to_dict()}
        status, body = self.credentials.token_endpoint(params)
        return _json(status, body, **{"Cache-Control": "no-store"})

    def _consent(self, request: Request) -> Response:
        status, answer = self.credentials.authorize(request.args.to_dict())
        if isinstance(answer, str):
            return Response(b"", status=302, headers={
                "Location": answer, "Cache-Control": "no-store"})
        return _json(status, answer)

    def _authorization(self, request: Request) -> Response:
        if not self.credentials.accepts(request.headers.get("Authorization")):
            return self.unauthorized()
        expires = stamp(self.app.account.now + timedelta(weeks=2))
        data = authorization(self.app.account_id, self.app.account.name, self.base_url,
                             self.origin, expires)
        return _json(200, data)
