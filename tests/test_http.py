"""The HTTP stack (cache, retry, limiter) against a sandbox on loopback."""

from __future__ import annotations

import time

import pytest
import requests

from extract.http import (
    Credentials,
    HttpSettings,
    HttpStats,
    RateLimit,
    build_session,
    require_safe_base_url,
)
from extract.pagination import fetch, iter_pages
from sandbox import Sandbox
from transforms.errors import ConfigError, RemoteError

UA = "basecamp-extract tests (tests@example.com)"


def session_for(box: Sandbox, tmp_path=None, *, rate=None, retries=4, stats=None, creds=None):
    c = box.credentials
    settings = HttpSettings(
        user_agent=UA,
        credentials=creds or Credentials(username=c.username, password=c.password),
        bucket=f"bc2:{box.account_id}", rate_limit=rate,
        cache_dir=tmp_path, retries=retries, backoff_factor=0.01, backoff_max=0.05,
    )
    return build_session(settings, stats if stats is not None else HttpStats())


def test_user_agent__is_required():
    """With an empty User-Agent, expect a ConfigError before any request."""
    settings = HttpSettings(user_agent=" ", credentials=Credentials(token="t"), bucket="bc2:1")
    with pytest.raises(ConfigError, match="User-Agent is required"):
        build_session(settings, HttpStats())


@pytest.mark.parametrize("url", ["http://basecamp.com/1/api/v1", "ftp://x/1", "basecamp.com/1"])
def test_base_url__https_required_except_loopback(url):
    """With a plain-http or schemeless remote URL, expect a refusal."""
    with pytest.raises(ConfigError, match="HTTPS is required"):
        require_safe_base_url(url)


@pytest.mark.parametrize("url", ["https://basecamp.com/1/api/v1", "http://127.0.0.1:9/1/api/v1",
                                 "http://localhost:8765/1/api/v1", "http://[::1]:9/1"])
def test_base_url__https_and_loopback_allowed(url):
    """With HTTPS or a loopback address, expect no objection."""
    require_safe_base_url(url)


def test_cache__second_request_is_a_304_served_from_cache(tiny_sandbox, tmp_path):
    """With the cache on, expect the repeat request to revalidate (304) and return the body."""
    stats = HttpStats()
    session = session_for(tiny_sandbox, tmp_path, stats=stats)
    url = f"{tiny_sandbox.base_url}/projects.json"
    first = fetch(session, url)
    second = fetch(session, url)
    assert second.records == first.records
    assert second.from_cache and not first.from_cache
    assert stats.as_dict()["not_modified"] == 1
    assert stats.as_dict()["requests"] == 2


def test_cache__one_file_per_credential(tiny_sandbox, tmp_path):
    """With two credentials, expect two cache files and neither named after a secret."""
    c = tiny_sandbox.credentials
    for creds in (Credentials(username=c.username, password=c.password),
                  Credentials(token=c.token)):
        fetch(session_for(tiny_sandbox, tmp_path, creds=creds),
              f"{tiny_sandbox.base_url}/people/me.json")
    files = sorted(p.name for p in tmp_path.glob("*.sqlite"))
    assert len(files) == 2
    assert not any(c.password in f or c.token in f for f in files)


def test_retry__server_errors_are_retried_until_success(tmp_path):
    """With 500, 502, 503 and 504 in a row, expect the fifth attempt to succeed."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        for kind in ("500", "502", "503", "504"):
            box.inject(kind, r"/people/me\.json", times=1)
        stats = HttpStats()
        page = fetch(session_for(box, stats=stats, retries=5), f"{box.base_url}/people/me.json")
        assert page.records[0]["id"]
        assert stats.as_dict()["retries"] == 4


def test_retry__429_waits_retry_after(tmp_path):
    """With a 429 carrying Retry-After: 1, expect one retry about a second later."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        box.inject("429", r"/stars\.json", times=1)
        stats = HttpStats()
        started = time.monotonic()
        fetch(session_for(box, stats=stats), f"{box.base_url}/stars.json")
        assert time.monotonic() - started >= 0.9
        assert stats.as_dict()["throttled_429"] == 1


def test_retry__gives_up_with_a_one_line_error():
    """With more failures than retries, expect RemoteError naming the path, no traceback text."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        box.inject("503", r"/stars\.json", times=10)
        with pytest.raises(RemoteError) as caught:
            fetch(session_for(box, retries=2), f"{box.base_url}/stars.json")
        assert "/stars.json" in caught.value.one_line()
        assert "\n" not in caught.value.one_line()


def test_retry__connection_reset_is_retried():
    """With the server dropping the connection once, expect the retry to succeed."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        box.inject("reset", r"/stars\.json", times=1)
        assert fetch(session_for(box), f"{box.base_url}/stars.json").records


def test_body__truncated_json_is_refetched_past_the_cache(tmp_path):
    """With a truncated body (same ETag), expect a forced refetch and the full records."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        url = f"{box.base_url}/people.json"
        session = session_for(box, tmp_path)
        good = fetch(session, url).records
        box.inject("truncated", r"/people\.json", times=1)
        assert fetch(session_for(box, tmp_path), url).records == good


def test_body__persistently_malformed_json_is_a_remote_error():
    """With an HTML error page every time, expect RemoteError, not a JSON traceback."""
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        box.inject("truncated", r"/stars\.json", times=10)
        with pytest.raises(RemoteError, match="malformed JSON"):
            fetch(session_for(box), f"{box.base_url}/stars.json")


def test_limiter__keeps_under_the_server_limit():
    """With a 20 req / 2 s server limit and the client at 19/2, expect 45 requests, no 429."""
    with Sandbox(api="bc2", size="tiny", rate_limit=(20, 2.0)) as box:
        stats = HttpStats()
        session = session_for(box, rate=RateLimit(19, 2.0), stats=stats)
        for _ in range(45):
            fetch(session, f"{box.base_url}/people/me.json")
        got = [r["status"] for r in box.requests]
        assert got.count(429) == 0
        assert stats.as_dict()["throttle_wait_s"] > 1.0


def test_pager__stops_on_a_page_that_repeats_the_previous_one(tiny_sandbox):
    """With /people.json (ignores page, 50+ people), expect two requests and no duplicates."""
    tiny_sandbox.reset_log()
    session = session_for(tiny_sandbox)
    pages = list(iter_pages(session, f"{tiny_sandbox.base_url}/people.json"))
    assert len(pages) == 1 and len(pages[0].records) >= 50
    assert len(tiny_sandbox.requests) == 2


def test_pager__page_cap_warns(tiny_sandbox):
    """With a cap of one page on a longer listing, expect a loud warning naming the cap."""
    warnings: list[str] = []
    session = session_for(tiny_sandbox)
    list(iter_pages(session, f"{tiny_sandbox.base_url}/people.json", max_pages=1,
                    warn=warnings.append))
    assert warnings and "page cap of 1" in warnings[0]


def test_auth__wrong_password_is_an_auth_error(tiny_sandbox):
    """With a wrong password, expect AuthError (exit code 3) and no retries."""
    from transforms.errors import AuthError

    stats = HttpStats()
    session = session_for(tiny_sandbox, creds=Credentials(username="x", password="nope"),
                          stats=stats)
    with pytest.raises(AuthError):
        fetch(session, f"{tiny_sandbox.base_url}/people/me.json")
    assert stats.as_dict()["requests"] == 1


def test_plain_session__works_without_cache(tiny_sandbox):
    """With no cache dir, expect a requests.Session without a cache (what cassette tests inject).

    It is our subclass (it follows redirects itself, same origin only), not a cached one.
    """
    session = session_for(tiny_sandbox)
    assert isinstance(session, requests.Session) and not hasattr(session, "cache")
