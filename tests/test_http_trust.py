"""Trust in the HTTP stack: same origin only, RFC 8288 links, the documented retry policy, and
a cache that never serves what the server did not confirm.

Everything runs against small loopback servers that answer from a queue (``scripted``; the
conformance module uses the same server), so each behaviour is pinned at the seam where it
lives: ``build_session`` + ``pagination.fetch`` / ``iter_link_pages``, as an export reads.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import requests_cache

from extract.http import Credentials, HttpSettings, HttpStats, RateLimit, build_session
from extract.links import next_link
from extract.origin import origin_of, refuse_other_origin
from extract.pagination import fetch, iter_link_pages
from extract.retrying import RetryPolicy, retry_after
from tests.scripted_server import UA, scripted
from transforms.errors import RemoteError, SkippedResource

CREDS = Credentials(token="t")


def session(cache_dir: Path | None = None, stats: HttpStats | None = None,
            **settings: Any):
    values: dict[str, Any] = {"backoff_factor": 0.01, "retry_for": 5.0, **settings}
    return build_session(HttpSettings(user_agent=UA, credentials=CREDS, bucket="trust:1",
                                      cache_dir=cache_dir, **values),
                         stats if stats is not None else HttpStats())


ROWS = {"status": 200, "body": [{"id": 1}]}


# ------------------------------------------------------------------------------------ origin
def test_origin__default_ports_and_host_case_are_normalised():
    """With :443 spelled out and the host upper-cased, expect the same origin."""
    assert origin_of("https://3.BasecampAPI.com:443/9/p.json") == origin_of(
        "https://3.basecampapi.com/9/p.json?page=2")
    refuse_other_origin("https://3.basecampapi.com/9/projects.json",
                        "https://3.basecampapi.com:443/9/projects.json?page=2", what="next link")


@pytest.mark.parametrize(("target", "why"), [
    ("https://evil.example/9/x.json", "another host"),
    ("https://3.basecampapi.com:8443/9/x.json", "another port"),
    ("http://3.basecampapi.com/9/x.json", "https->http downgrade"),
])
def test_origin__other_origins_are_refused_with_one_line(target, why):
    """With another host, port or a downgrade, expect RemoteError naming origin, path, reason."""
    with pytest.raises(RemoteError) as caught:
        refuse_other_origin("https://3.basecampapi.com/9/projects.json", target)
    assert caught.value.one_line() == (
        f"refused a redirect to another origin ({origin_of(target)}) from /9/projects.json "
        f"({why})")


def test_origin__backpack_scheme_flip_upgrades_but_never_downgrades():
    """With Backpack's SSL redirect, expect http->https on the same host allowed, not back."""
    refuse_other_origin("http://acme.backpackit.com/ws/x", "https://acme.backpackit.com/ws/x",
                        allow_scheme_flip=True)
    for target in ("http://acme.backpackit.com/ws/x", "https://evil.backpackit.com/ws/x"):
        with pytest.raises(RemoteError, match="another origin"):
            refuse_other_origin("https://acme.backpackit.com/ws/x", target,
                                allow_scheme_flip=True)


@pytest.mark.parametrize("cached", [False, True])
def test_redirect__to_another_origin_sends_nothing_there(cached, tmp_path):
    """With a 302 to another loopback port, expect a one-line refusal and no request there."""
    with scripted([ROWS]) as other, scripted([]) as ours:
        ours.answers = [{"status": 302, "headers": {"Location": f"{other.origin}/stolen.json"}}]
        with pytest.raises(RemoteError) as caught:
            fetch(session(tmp_path if cached else None), f"{ours.origin}/people.json")
    assert other.hits == []
    assert caught.value.one_line() == (f"refused a redirect to another origin ({other.origin}) "
                                       "from /people.json (another port)")


def test_redirect__same_origin_is_followed():
    """With a 301 to another path on the same origin, expect it followed and its rows read."""
    with scripted([{"status": 301, "headers": {"Location": "{origin}/moved.json"}},
                   ROWS]) as server:
        page = fetch(session(), f"{server.origin}/people.json")
    assert page.records == [{"id": 1}]
    assert [h.path for h in server.hits] == ["/people.json", "/moved.json"]


# ------------------------------------------------------------------------------------- links
@pytest.mark.parametrize(("header", "expected"), [
    ('</p.json?page=2>; rel="next"', "/p.json?page=2"),
    ('>x</p.json?page=2>; rel="next"', "/p.json?page=2"),
    ('<>; rel="next", </p.json?page=2>; rel="next"', "/p.json?page=2"),
    ('<https://h/a?x=1,2>; title="a, b"; rel="prev next"', "https://h/a?x=1,2"),
    ('</p.json?page=1>; rel="prev", </p.json?page=3>; REL=NEXT', "/p.json?page=3"),
    ('</p.json?page=2>; rel="nextish"', None),
    ('<; rel="next"', None),
    ('</a b>; rel="next"', None),
    ("", None),
])
def test_links__next_is_parsed_per_rfc_8288(header, expected):
    """With well-formed, odd and malformed Link headers, expect the right next or none."""
    assert next_link(header, warn=lambda message: None) == expected


def test_links__a_malformed_next_is_ignored_with_a_warning():
    """With `</a b>; rel=next` (a space in the target), expect no next and one warning."""
    warnings: list[str] = []
    assert next_link('</a b>; rel="next"', where="/p.json", warn=warnings.append) is None
    assert len(warnings) == 1 and "malformed rel=next" in warnings[0]


def test_links__junk_before_the_bracket_never_becomes_a_path():
    """With `>x</p.json?page=2>`, expect page 2 requested at /p.json, never /x%3C/p.json."""
    with scripted([{"status": 200, "body": [{"id": 1}],
                    "headers": {"Link": '>x</p.json?page=2>; rel="next"'}},
                   {"status": 200, "body": [{"id": 2}]}]) as server:
        pages = list(iter_link_pages(session(), f"{server.origin}/999/p.json"))
    assert [r["id"] for p in pages for r in p.records] == [1, 2]
    assert [h.path for h in server.hits] == ["/999/p.json", "/p.json?page=2"]


# ------------------------------------------------------------------------------------- retry
def test_retry__first_retry_waits_a_second_by_default():
    """With a 503 then 200 and the default policy, expect >= 1 s before the first retry."""
    with scripted([{"status": 503}, ROWS]) as server:
        fetch(session(backoff_factor=1.0), f"{server.origin}/p.json")
    assert len(server.hits) == 2 and server.delays_ms()[0] >= 1000


@pytest.mark.parametrize("value", ["-5", "120junk", "0", "Wed, 09 Jun 2021 10:18:14 GMT", ""])
def test_retry__unusable_retry_after_falls_back_to_the_backoff(value):
    """With Retry-After zero, negative, past or malformed, expect a retry after the backoff."""
    with scripted([{"status": 429, "headers": {"Retry-After": value}}, ROWS]) as server:
        page = fetch(session(backoff_factor=0.3), f"{server.origin}/p.json")
    assert page.records == [{"id": 1}]
    assert len(server.hits) == 2 and 300 <= server.delays_ms()[0] < 1000


def test_retry__retry_after_seconds_and_dates_are_honoured():
    """With Retry-After 2 and a date 3 s ahead, expect those waits rather than the backoff."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after("2") == 2.0
    assert retry_after(format_datetime(now + timedelta(seconds=3), usegmt=True), now) == 3.0
    assert RetryPolicy(first=1, cap=30).wait(1, {"Retry-After": "2"}) == 2.0
    with scripted([{"status": 429, "headers": {"Retry-After": "1"}}, ROWS]) as server:
        fetch(session(backoff_factor=0.01), f"{server.origin}/p.json")
    assert server.delays_ms()[0] >= 1000


def test_retry__backoff_doubles_with_jitter_up_to_the_cap():
    """With the default policy, expect 1, 2, 4 ... s (+ <= 10% jitter), capped near 30 s."""
    policy = RetryPolicy()
    for retry, base in [(1, 1), (2, 2), (3, 4), (4, 8), (9, 30)]:
        assert base <= policy.backoff(retry) <= base * 1.1


def test_retry__cut_body_reset_and_timeout_are_retried_alike():
    """With a body short of its Content-Length, a reset and a timeout, expect the 4th to win."""
    stats = HttpStats()
    with scripted([{"status": 200, "body": '[{"id": 1}, {"id": 2}]', "truncate": 5},
                   {"networkError": True}, {"status": 200, "body": [], "delay": 800},
                   ROWS]) as server:
        page = fetch(session(stats=stats, timeout=(2.0, 0.3)), f"{server.origin}/p.json")
    assert page.records == [{"id": 1}]
    assert len(server.hits) == 4 and stats.as_dict()["retries"] == 3


def test_retry__a_storm_is_outlasted_within_the_time_budget():
    """With ten 429/502 answers before a 200, expect the request to keep trying and succeed."""
    storm = [{"status": 429 if i % 2 else 502} for i in range(10)]
    stats = HttpStats()
    with scripted([*storm, ROWS]) as server:
        page = fetch(session(stats=stats, retry_for=20.0), f"{server.origin}/p.json")
    assert page.records == [{"id": 1}] and len(server.hits) == 11
    assert stats.as_dict()["retries"] == 10


def test_retry__spent_budget_fails_with_one_line_and_the_request_id():
    """With 503 for ever, expect RemoteError after the budget, quoting X-Request-Id."""
    with scripted([{"status": 503, "headers": {"X-Request-Id": "req-abc"}}]) as server:
        started = time.monotonic()
        with pytest.raises(RemoteError) as caught:
            fetch(session(retry_for=0.5), f"{server.origin}/p.json")
    assert 0.5 <= time.monotonic() - started < 3
    assert caught.value.one_line() == "HTTP 503 for /p.json after retries (request id req-abc)"
    assert len(server.hits) > 2


def test_retry__a_host_name_that_does_not_resolve_fails_at_once():
    """With a name no resolver knows, expect one attempt and a network error: a typo in
    --base-url must not spend the whole retry budget."""
    stats = HttpStats()
    with pytest.raises(RemoteError, match="network error"):
        fetch(session(stats=stats, retry_for=60.0), "https://no-such-host.invalid/p.json")
    assert stats.as_dict()["requests"] == 1 and stats.as_dict()["retries"] == 0


def test_retry__a_404_quotes_the_request_id_and_is_not_retried():
    """With a 404 carrying X-Request-Id, expect one request and the id on the skip."""
    with scripted([{"status": 404, "headers": {"X-Request-Id": "req-404"}}]) as server, \
            pytest.raises(SkippedResource) as caught:
        fetch(session(), f"{server.origin}/p.json")
    assert len(server.hits) == 1 and caught.value.request_id == "req-404"


def test_retry__every_resend_waits_for_the_rate_limiter():
    """With 2 requests/s allowed and four 503s first, expect the five sends spread over time."""
    stats = HttpStats()
    with scripted([{"status": 503}] * 4 + [ROWS]) as server:
        fetch(session(stats=stats, rate_limit=RateLimit(2, 1.0)), f"{server.origin}/p.json")
    assert len(server.hits) == 5
    assert server.hits[-1].at - server.hits[0].at >= 1.0
    assert stats.as_dict()["throttle_wait_s"] > 0.5


def test_retry__refetch_of_a_bad_body_counts_as_a_retry():
    """With HTML in a 200 and then JSON, expect the rows and one retry in the stats."""
    stats = HttpStats()
    with scripted([{"status": 200, "body": "<html>oops</html>"}, ROWS]) as server:
        page = fetch(session(stats=stats), f"{server.origin}/p.json")
    assert page.records == [{"id": 1}] and len(server.hits) == 2
    assert stats.as_dict()["retries"] == 1


def test_retry__count_cap_still_applies_when_given():
    """With --retries 0, expect exactly one request even on a retryable status."""
    with scripted([{"status": 503}]) as server, pytest.raises(RemoteError):
        fetch(session(retries=0), f"{server.origin}/p.json")
    assert len(server.hits) == 1


# ------------------------------------------------------------------------------------- cache
def test_cache__a_response_without_validators_is_not_reused_across_runs(tmp_path):
    """With no ETag/Last-Modified and rows added between runs, expect the new rows next run."""
    with scripted([ROWS]) as server:
        url = f"{server.origin}/todos.json"
        assert fetch(session(tmp_path), url).records == [{"id": 1}]
        server.answers = [{"status": 200, "body": [{"id": 1}, {"id": 2}]}]
        second = fetch(session(tmp_path), url)
    assert second.records == [{"id": 1}, {"id": 2}] and not second.from_cache
    assert len(server.hits) == 2


def test_cache__a_freshness_lifetime_is_used_and_full_revalidates(tmp_path):
    """With ETag + max-age=3600, expect the next run to reuse it and a --full run to ask."""
    fresh = {"status": 200, "body": [{"id": 1}],
             "headers": {"ETag": '"v1"', "Cache-Control": "max-age=3600"}}
    with scripted([fresh]) as server:
        url = f"{server.origin}/todos.json"
        fetch(session(tmp_path), url)
        assert fetch(session(tmp_path), url).from_cache and len(server.hits) == 1
        fetch(session(tmp_path, full=True), url)
    assert len(server.hits) == 2 and server.hits[1].headers.get("If-None-Match") == '"v1"'


def test_cache__entries_kept_forever_by_older_versions_are_dropped(tmp_path):
    """With a validator-less entry an older version stored without expiry, expect a request."""
    with scripted([ROWS]) as server:
        url = f"{server.origin}/people.json"
        session(tmp_path)  # creates the file under its name
        (cache_file,) = tmp_path.glob("*.sqlite")
        old = requests_cache.CachedSession(str(cache_file), backend="sqlite", expire_after=-1)
        old.get(url, headers={"User-Agent": UA, "Accept": "application/json"})
        old.close()
        server.answers = [{"status": 200, "body": [{"id": 2}]}]
        assert fetch(session(tmp_path), url).records == [{"id": 2}]
    assert len(server.hits) == 2


def test_cache__a_damaged_file_is_moved_aside_and_rebuilt(tmp_path, caplog):
    """With random bytes over the cache file, expect a warning, the file kept aside, no error."""
    with scripted([{**ROWS, "headers": {"ETag": '"v1"'}}]) as server:
        url = f"{server.origin}/people.json"
        fetch(session(tmp_path), url)
        (cache_file,) = tmp_path.glob("*.sqlite")
        cache_file.write_bytes(os.urandom(cache_file.stat().st_size))
        with caplog.at_level(logging.WARNING):
            page = fetch(session(tmp_path), url)
    assert page.records == [{"id": 1}]
    assert any("damaged" in r.message for r in caplog.records)
    assert len(list(tmp_path.glob("*.sqlite.corrupt-*"))) == 1
    assert cache_file.exists()


def test_cache__a_damaged_file_does_not_stop_an_export(tiny_sandbox, tmp_path, export_to):
    """With the cache file garbled between two exports, expect the second to end ok."""
    assert export_to(tiny_sandbox, tmp_path).ok
    for cache_file in (tmp_path / ".cache").glob("*.sqlite"):
        cache_file.write_bytes(b"\0garbage" * 4096)
    again = export_to(tiny_sandbox, tmp_path, full=True)
    assert again.ok, again.manifest["failures"]
    assert list((tmp_path / ".cache").glob("*.corrupt-*"))


# --------------------------------------------------------------------------------------- cli
@pytest.mark.parametrize(("args", "retries", "retry_for"), [
    ([], None, 300.0), (["--retry-for", "7.5", "--retries", "2"], 2, 7.5)])
def test_cli__retry_budget_options_reach_the_export(args, retries, retry_for, monkeypatch,
                                                    tmp_path):
    """With and without --retry-for/--retries, expect them (or the defaults) in ExportConfig."""
    from click.testing import CliRunner

    from extract.cli import cli, export_cmd

    seen: list[Any] = []

    def fake_export(config: Any) -> Any:
        seen.append(config)
        raise SystemExit(0)

    monkeypatch.setattr(export_cmd, "run_export", fake_export)
    CliRunner().invoke(cli, ["export", "--base-url", "http://127.0.0.1:9/999/api/v1",
                             "--username", "u", "--password", "p", "--user-agent", UA,
                             "-o", str(tmp_path), *args])
    assert [(c.retries, c.retry_for) for c in seen] == [(retries, retry_for)]
