"""Backpack sandbox limits: ETags, the general and calendar rate windows, the scheme redirect,
and journal paging with its oracle.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import requests

from sandbox import Sandbox
from tests.sandbox_backpack_support import CREDS, TOKEN, XML, Client, backpack, envelope, root


def test_etag__if_none_match_gives_304(client: Client) -> None:
    """With a GET repeated with its ETag, expect 304 and no body."""
    first = client.rest("/statuses.xml")
    again = requests.get(client.sb.base_url + "/statuses.xml", timeout=10,
                         headers={"X-BP-Token": TOKEN, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_rate_limit__general_window_gives_503_with_retry_after() -> None:
    """With 3 per 5 s, expect the 4th request to get 503 + integer Retry-After, not 429."""
    with backpack(rate_limit=(3, 5.0)) as sandbox:
        client = Client(sandbox)
        codes = [client.ws("/ws/pages/all").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 503]
        refused = client.rest("/statuses.xml")
        assert refused.status_code == 503
        assert re.fullmatch(r"[1-5]", refused.headers["Retry-After"])
        assert client.rest("/calendars.xml").status_code == 200


def test_rate_limit__calendar_window_is_separate() -> None:
    """With a calendar limit of 2 per 5 s, expect the 3rd calendar call 503, others still 200."""
    with backpack(rate_limit=(100, 5.0), calendar_rate_limit=(2, 5.0)) as sandbox:
        client = Client(sandbox)
        calendar = sandbox.truth.calendars[0]
        assert client.rest("/calendars.xml").status_code == 200
        assert client.rest(f"/calendars/{calendar.id}/calendar_events.xml").status_code == 200
        refused = client.rest(f"/calendar_events/{calendar.events[0].id}.xml")
        assert refused.status_code == 503
        assert int(refused.headers["Retry-After"]) >= 1
        assert client.rest("/statuses.xml").status_code == 200


def test_rate_limit__defaults_follow_the_docs() -> None:
    """With no limit arguments, expect 100 general requests then 503; None disables it."""
    with Sandbox(api="backpack", credentials=CREDS) as sandbox:
        client = Client(sandbox)
        session = requests.Session()
        url = sandbox.base_url + "/statuses.xml"
        codes = [session.get(url, headers={"X-BP-Token": TOKEN}, timeout=10).status_code
                 for _ in range(101)]
        assert codes.count(200) == 100 and codes[-1] == 503
        assert [client.rest("/calendars.xml").status_code for _ in range(11)][-1] == 503


def test_redirect__wrong_scheme_gives_302_and_resent_post_works(fresh: Sandbox) -> None:
    """With a POST to wrong_scheme_url, expect 302 to the same path on base_url, then 200."""
    client = Client(fresh)
    moved = client.ws("/ws/pages/all", base=fresh.wrong_scheme_url)
    assert moved.status_code == 302
    location = moved.headers["Location"]
    assert location == fresh.base_url + "/ws/pages/all"
    assert urlsplit(location).hostname == urlsplit(fresh.wrong_scheme_url).hostname
    resent = requests.post(location, data=moved.request.body, headers=XML, timeout=10,
                           allow_redirects=False)
    assert resent.status_code == 200 and envelope(resent) == ("true", None)
    tokened = requests.get(f"{fresh.wrong_scheme_url}/{TOKEN}/me.xml?x=1", timeout=10,
                           allow_redirects=False)
    assert tokened.headers["Location"] == f"{fresh.base_url}/{TOKEN}/me.xml?x=1"
    logged = [(e["listener"], e["status"], e["path"]) for e in fresh.requests]
    assert logged == [("wrong_scheme", 302, "/ws/pages/all"), ("main", 200, "/ws/pages/all"),
                      ("wrong_scheme", 302, "/{token}/me.xml")]


def test_journal_paging__count_and_n_offset(client: Client) -> None:
    """With count=40 and n as an item offset, expect 40+40+25 distinct newest-first entries."""
    me = client.truth.me_id
    expected = [e.id for e in client.truth.journal_of(me)]
    assert len(expected) == 105
    seen: list[int] = []
    sizes = []
    for offset in range(0, 200, 40):
        rows = root(client.rest(f"/users/{me}/journal_entries.xml", count=40, n=offset))
        sizes.append(len(rows))
        seen += [int(r.findtext("id")) for r in rows]
        if len(rows) < 40:
            break
    assert sizes == [40, 40, 25]
    assert seen == expected
    shifted = root(client.rest(f"/users/{me}/journal_entries.xml", count=2, n=1))
    assert [int(r.findtext("id")) for r in shifted] == expected[1:3]


def test_journal_paging__default_is_100_and_count_is_capped(client: Client) -> None:
    """With no count, or count=500, expect 100 entries; past the end, an empty array."""
    assert len(root(client.rest("/journal_entries.xml"))) == 100
    assert len(root(client.rest("/journal_entries.xml", count=500))) == 100
    total = len(client.truth.journal)
    empty = root(client.rest("/journal_entries.xml", n=total))
    assert empty.tag == "journal-entries" and len(empty) == 0


def test_oracle__journal_needs_total_over_count_plus_one(fresh: Sandbox) -> None:
    """With paged journals, distinct searches and a 404 envelope, expect the oracle's sum."""
    client = Client(fresh)
    me = fresh.truth.me_id
    for offset in (0, 100):
        client.rest(f"/users/{me}/journal_entries.xml", n=offset)
    for offset in (0, 50, 100):
        client.rest(f"/users/{me}/journal_entries.xml", count=50, n=offset)
    client.ws("/ws/pages/all")
    client.ws("/ws/pages/all")
    client.ws("/ws/pages/search", "<term>a</term>")
    client.ws("/ws/pages/search", "<term>b</term>")
    client.ws("/ws/page/999999")
    client.tokened("/me.xml")
    # 105 // 100 + 1, 105 // 50 + 1, pages/all, two searches, me.xml
    assert fresh.minimum_requests() == 2 + 3 + 1 + 2 + 1
    fresh.reset_log()
    assert fresh.requests == [] and fresh.minimum_requests() == 0
