"""Basecamp 4 sandbox requests: headers and auth, geared paging, ETags, rate limit and faults."""

from __future__ import annotations

import requests

from sandbox import Sandbox
from sandbox.bc4.paging import pages_needed
from tests.sandbox_walks import UA, Client, page_sizes, showcase_list


def test_user_agent__missing(sb: Sandbox, client: Client) -> None:
    """With no User-Agent, expect 400."""
    headers = {"Authorization": f"Bearer {sb.credentials.token}", "User-Agent": ""}
    assert requests.get(sb.base_url + "/projects.json", headers=headers).status_code == 400


def test_auth__missing_token(sb: Sandbox) -> None:
    """With no Authorization header, expect 401 with a Bearer challenge."""
    response = requests.get(sb.base_url + "/projects.json", headers={"User-Agent": UA})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_auth__basic_refused(sb: Sandbox) -> None:
    """With HTTP Basic (even carrying the token), expect 401: BC4 is Bearer only."""
    response = requests.get(sb.base_url + "/projects.json", headers={"User-Agent": UA},
                            auth=("me", sb.credentials.token))
    assert response.status_code == 401


def test_auth__wrong_token(sb: Sandbox) -> None:
    """With an unknown bearer token, expect 401."""
    headers = {"User-Agent": UA, "Authorization": "Bearer nope"}
    assert requests.get(sb.base_url + "/projects.json", headers=headers).status_code == 401


def test_addresses__shape(sb: Sandbox) -> None:
    """With a bc4 sandbox, expect base_url = origin/account_id and launchpad under origin."""
    assert sb.base_url == f"{sb.origin}/{sb.account_id}"
    assert sb.launchpad_url == f"{sb.origin}/launchpad"
    assert isinstance(sb.account_id, int)


def test_paging__geared_link_and_total(sb: Sandbox, client: Client) -> None:
    """With a long to-do list, expect pages of 15, 30, 50..., absolute Links, X-Total-Count."""
    sizes, total = page_sizes(client, showcase_list(sb, client))
    assert sum(sizes) == total
    assert len(sizes) >= 3 and sizes[:-1] == [15, 30, 50, 100][: len(sizes) - 1]
    assert len(sizes) == pages_needed((15, 30, 50, 100), total)


def test_paging__custom_gear() -> None:
    """With page_gear=(2, 3), expect pages of 2, 3, 3, ... and an oracle that agrees."""
    with Sandbox(api="bc4", rate_limit=None, page_gear=(2, 3)) as sb:
        client = Client(sb)
        rows = client.walk("/people.json")
        sizes = [len(page) for _, page in client.collections]
        assert sizes[:2] == [2, 3] and sum(sizes) == len(rows)
        assert sb.minimum_requests() == len(sizes)


def test_paging__past_end(sb: Sandbox, client: Client) -> None:
    """With a page beyond the last, expect an empty array and no Link."""
    response = client.get("/people.json", page="50")
    assert response.json() == [] and "Link" not in response.headers


def test_oracle__counts_gears(sb: Sandbox, client: Client) -> None:
    """With one geared walk and an empty list, expect the oracle to count pages, empties as 1."""
    url = showcase_list(sb, client)
    sb.reset_log()
    rows = client.walk(url)
    client.walk(url, status="trashed")
    expected = pages_needed((15, 30, 50, 100), len(rows)) + 1
    assert sb.minimum_requests() == expected


def test_etag__not_modified(sb: Sandbox, client: Client) -> None:
    """With If-None-Match of the previous ETag, expect 304 and an empty body."""
    first = client.get("/projects.json")
    etag = first.headers["ETag"]
    second = client.session.get(sb.base_url + "/projects.json",
                                headers={**client.headers(), "If-None-Match": etag})
    assert second.status_code == 304 and second.content == b""


def test_rate_limit__retry_after() -> None:
    """With a 3-per-10s limit, expect the 4th request to get 429 with Retry-After."""
    with Sandbox(api="bc4", rate_limit=(3, 10.0)) as sb:
        client = Client(sb)
        statuses = [client.get("/people.json").status_code for _ in range(4)]
        assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
        assert int(client.get("/people.json").headers["Retry-After"]) >= 1


def test_rate_limit__default_is_50_per_10s() -> None:
    """With no rate_limit given, expect BC4's documented 50 requests per 10 s."""
    with Sandbox(api="bc4") as sb:
        assert sb._server.limiter is not None
        assert (sb._server.limiter.limit, sb._server.limiter.window) == (50, 10.0)


def test_faults__injected(sb: Sandbox, client: Client) -> None:
    """With an injected 503 on projects, expect one 503 then success."""
    sb.inject("503", r"/projects\.json$", times=1)
    assert client.get("/projects.json").status_code == 503
    assert client.get("/projects.json").status_code == 200
