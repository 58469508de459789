"""The Basecamp 4 front: the generic server plus Launchpad, Bearer challenges and geared oracle.

Launchpad (``/launchpad/...``) lives on another host in production; here it shares the port
under a path prefix. It is not rate limited (the API limit is per account), its POST body is
never logged, and ``authorization.json`` needs a valid bearer token like the API.

``GET /launchpad/authorization/new`` stands in for the browser consent page: it approves at once
and 302s to the (loopback) ``redirect_uri`` with a one-time ``code`` and the given ``state``; the
token endpoint takes that code (``grant_type=authorization_code`` or legacy ``type=web_server``)
as well as refresh tokens. The code never reaches the request log (``code`` is a filtered
parameter and every issued code is one of the credentials' secrets).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.bc4.app import Bc4App, Bc4Result
from sandbox.bc4.auth import Bc4Credentials, authorization
from sandbox.bc4.render_base import stamp
from sandbox.contract import JSON_TYPE, AppResult
from sandbox.requestlog import ResourceShape
from sandbox.server import SandboxServer, _Outcome

LAUNCHPAD = "/launchpad"


def _json(status: int, data: Any, **headers: str) -> Response:
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(body, status=status, content_type=JSON_TYPE, headers=headers)


class Bc4Server(SandboxServer):
    """``SandboxServer`` for BC4: Bearer-only 401s, Launchpad routes, geared page counts."""

    app: Bc4App
    credentials: Bc4Credentials

    @property
    def base_url(self) -> str:
        return f"{self.origin}/{self.app.account_id}"

    def _unauthorized(self) -> Response:
        return _json(401, {"error": "invalid_token"},
                     **{"WWW-Authenticate": 'Bearer realm="Basecamp"'})

    def _shape(self, result: AppResult) -> ResourceShape:
        pages = result.pages if isinstance(result, Bc4Result) else None
        return ResourceShape(result.kind or "member", result.total, result.page_ignored,
                             pages=pages)

    def _special(self, request: Request, path: str, entry: dict[str, Any]) -> _Outcome | None:
        if not path.startswith(LAUNCHPAD + "/"):
            return None
        route = path[len(LAUNCHPAD):]
        if not request.headers.get("User-Agent", "").strip():
            return _Outcome(_json(400, {"error": "a User-Agent header is required"}))
        if route == "/authorization/token" and request.method == "POST":
            params = {**request.args.to_dict(), **request.form.to_dict()}
            status, body = self.credentials.token_endpoint(params)
            return _Outcome(_json(status, body, **{"Cache-Control": "no-store"}))
        if route == "/authorization/new" and request.method == "GET":
            status, answer = self.credentials.authorize(request.args.to_dict())
            if isinstance(answer, str):
                return _Outcome(Response(b"", status=302, headers={
                    "Location": answer, "Cache-Control": "no-store"}))
            return _Outcome(_json(status, answer))
        if route == "/authorization.json" and request.method in ("GET", "HEAD"):
            if not self.credentials.accepts(request.headers.get("Authorization")):
                return _Outcome(self._unauthorized())
            expires = stamp(self.app.account.now + timedelta(weeks=2))
            data = authorization(self.app.account_id, self.app.account.name, self.base_url,
                                 self.origin, expires)
            return _Outcome(_json(200, data))
        if route in ("/authorization/token", "/authorization.json", "/authorization/new"):
            return _Outcome(_json(405, {"error": "method not allowed"}))
        return _Outcome(_json(404, {"error": "Not Found"}))
