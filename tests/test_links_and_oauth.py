"""Link-header paging and self-refreshing OAuth, against a small server on loopback.

These are the Basecamp 3/4 building blocks; the server here is a few routes written for the
test, so the behaviour is pinned before the BC4 sandbox and crawl use it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from extract.families.bc4.oauth import OAuthApp, RefreshingBearerAuth, Tokens, bc3_accounts
from extract.pagination import iter_link_pages
from transforms.errors import AuthError, RemoteError

UA = {"User-Agent": "basecamp-extract tests (tests@example.com)"}


class Fake:
    """Routes: /items.json (3 pages, Link + X-Total-Count), /away.json (next link off-site),
    /me.json (needs the current token), /token (rotates tokens), /authorization.json."""

    def __init__(self) -> None:
        self.token = "old-access"
        self.refresh = "refresh-1"
        self.revoked = False
        self.token_calls = 0
        self.origin = ""

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.route(request)(environ, start_response)

    def route(self, request: Request) -> Response:
        path = request.path
        if path == "/items.json":
            page = int(request.args.get("page", 1))
            headers = {"X-Total-Count": "5"}
            if page < 3:
                headers["Link"] = f'<{self.origin}/items.json?page={page + 1}>; rel="next"'
            rows = [{"id": page * 10 + i} for i in range(2 if page < 3 else 1)]
            return Response(json.dumps(rows), headers=headers, content_type="application/json")
        if path == "/away.json":
            return Response("[{\"id\": 1}]", content_type="application/json",
                            headers={"Link": '<https://elsewhere.example/x.json>; rel="next"'})
        if path == "/me.json":
            if request.headers.get("Authorization") != f"Bearer {self.token}":
                return Response("{}", status=401)
            return Response('{"id": 7}', content_type="application/json")
        if path == "/token":
            self.token_calls += 1
            form = request.form
            if self.revoked or form.get("refresh_token") != self.refresh:
                return Response('{"error": "invalid_grant"}', status=400)
            self.token = f"access-{self.token_calls}"
            self.refresh = f"refresh-{self.token_calls + 1}"
            return Response(json.dumps({"access_token": self.token, "token_type": "Bearer",
                                        "expires_in": 1209600, "refresh_token": self.refresh}),
                            content_type="application/json")
        if path == "/token-moved":
            return Response("", status=307, headers={"Location": f"{self.origin}/token"})
        if path == "/authorization.json":
            return Response(json.dumps({"accounts": [
                {"product": "bcx", "id": 1, "href": "https://basecamp.com/1/api/v1"},
                {"product": "bc3", "id": 2, "href": f"{self.origin}/2"}]}),
                content_type="application/json")
        return Response("", status=404)


@pytest.fixture
def fake() -> Iterator[Fake]:
    app = Fake()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.origin = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()


def session() -> requests.Session:
    s = requests.Session()
    s.headers.update(UA)
    return s


def test_links__follows_next_until_absent_and_reads_total(fake):
    """With three linked pages, expect all five rows and X-Total-Count on each page."""
    pages = list(iter_link_pages(session(), f"{fake.origin}/items.json"))
    assert [r["id"] for p in pages for r in p.records] == [10, 11, 20, 21, 30]
    assert {p.total for p in pages} == {5}


def test_links__refuses_a_next_link_on_another_origin(fake):
    """With a next link to another host, expect a refusal before any request goes there."""
    pages = iter_link_pages(session(), f"{fake.origin}/away.json")
    assert next(pages).records == [{"id": 1}]
    with pytest.raises(RemoteError, match="another origin"):
        next(pages)


def test_links__cap_warns(fake):
    """With a cap of two pages on three, expect a warning that names the cap."""
    warnings: list[str] = []
    list(iter_link_pages(session(), f"{fake.origin}/items.json", max_pages=2,
                         warn=warnings.append))
    assert warnings and "page cap of 2" in warnings[0]


def test_oauth__expired_token_is_refreshed_once_and_handed_back(fake):
    """With an expired access token, expect one refresh, the rotated tokens saved, a 200."""
    saved: list[Tokens] = []
    s = session()
    s.auth = RefreshingBearerAuth(Tokens("stale", "refresh-1"),
                                  OAuthApp("client", "secret", f"{fake.origin}/token"),
                                  on_refresh=saved.append)
    assert s.get(f"{fake.origin}/me.json").json() == {"id": 7}
    assert s.get(f"{fake.origin}/me.json").status_code == 200
    assert fake.token_calls == 1
    assert [(t.access_token, t.refresh_token) for t in saved] == [("access-1", "refresh-2")]


@pytest.mark.parametrize(("revoked", "path", "said", "calls"), [
    (True, "/token", "revoked", 1),      # the refresh is refused: AuthError, not a retry loop
    (False, "/token-moved", "307", 0),   # a redirect must not carry the refresh token anywhere
])
def test_oauth__a_refused_or_redirected_refresh_is_an_auth_error(fake, revoked, path, said,
                                                                  calls):
    """With the refresh refused, or the token endpoint answering 307, expect AuthError (one
    line, exit 3) and no second POST of the refresh token and client secret."""
    fake.revoked = revoked
    s = session()
    s.auth = RefreshingBearerAuth(Tokens("stale", "refresh-1"),
                                  OAuthApp("client", "secret", f"{fake.origin}{path}"))
    with pytest.raises(AuthError, match=said):
        s.get(f"{fake.origin}/me.json")
    assert fake.token_calls == calls


def test_oauth__threads_share_one_refresh(fake):
    """With eight threads hitting 401 together, expect a single refresh call."""
    s = session()
    s.auth = RefreshingBearerAuth(Tokens("stale", "refresh-1"),
                                  OAuthApp("client", "secret", f"{fake.origin}/token"))
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(
        s.get(f"{fake.origin}/me.json").status_code)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 8 and fake.token_calls == 1


def test_launchpad__only_bc3_accounts(fake):
    """With Launchpad listing bcx and bc3 accounts, expect only the bc3 one."""
    assert [a["id"] for a in bc3_accounts(session(), fake.origin)] == [2]
