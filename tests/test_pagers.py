"""Pagers: each manner of paging is a small object the endpoint chooses; ``walk`` asks it.

These run on made-up pages (no server): what to request next and when to stop is the pager's
decision alone, whatever transport fetched the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, get_args

import pytest

from extract.catalog import Endpoint, Paging
from extract.page import Page
from extract.pagers import LinkPager, OffsetPager, PageNumberPager, SinglePage, walk
from transforms.errors import RemoteError


def page(number: int, url: str, ids: list[int], next_url: str | None = None) -> Page:
    return Page(number, url, [{"id": i} for i in ids], b"", 200, False, datetime.now(UTC),
                next_url=next_url)


class Server:
    """Answers each request from ``answer`` and remembers what was asked."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.asked: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, url: str, params: Mapping[str, Any], number: int) -> Page:
        self.asked.append((url, dict(params)))
        return self.answer(url, dict(params), number)


def pages_of(server: Server, pager: Any, url: str = "https://h/x.json",
             params: Mapping[str, Any] | None = None, max_pages: int = 50) -> list[Page]:
    capped: list[bool] = []
    found = list(walk(server, pager, url, params, max_pages=max_pages,
                      on_cap=lambda: capped.append(True)))
    assert not capped
    return found


def test_page_number__stops_on_a_short_page_and_numbers_from_two():
    sizes = {1: 3, 2: 3, 3: 1}
    server = Server(lambda url, q, n: page(n, url, list(range(n * 10, n * 10 + sizes[n]))))
    found = pages_of(server, PageNumberPager(3), params={"status": "active"})
    assert [p.number for p in found] == [1, 2, 3]
    assert [q for _, q in server.asked] == [{"status": "active"},
                                            {"status": "active", "page": 2},
                                            {"status": "active", "page": 3}]


def test_page_number__an_endpoint_that_ignores_page_ends_on_the_repeat():
    server = Server(lambda url, q, n: page(n, url, [1, 2, 3]))
    found = pages_of(server, PageNumberPager(3))
    assert len(found) == 1 and len(server.asked) == 2


def test_link__follows_next_on_the_same_origin_and_refuses_another():
    links = {"https://h/x.json": "/x.json?page=2", "https://h/x.json?page=2": None}
    server = Server(lambda url, q, n: page(n, url, [n], links[url]))
    assert [p.url for p in pages_of(server, LinkPager())] == list(links)
    assert server.asked[1] == ("https://h/x.json?page=2", {})
    away = Server(lambda url, q, n: page(n, url, [n], "https://elsewhere/x.json"))
    with pytest.raises(RemoteError, match="next link to another origin"):
        pages_of(away, LinkPager())


def test_offset__counts_n_by_the_page_size_until_a_short_page():
    server = Server(lambda url, q, n: page(n, url, list(range(2 if n < 3 else 1))))
    found = pages_of(server, OffsetPager(2), params={"count": "2"})
    assert len(found) == 3
    assert [q["n"] for _, q in server.asked] == ["0", "2", "4"]


def test_offset__an_empty_page_is_not_handed_on():
    server = Server(lambda url, q, n: page(n, url, [] if n == 2 else [1, 2]))
    assert len(pages_of(server, OffsetPager(2))) == 1


def test_walk__says_when_the_cap_cut_a_listing_short():
    server = Server(lambda url, q, n: page(n, url, [n * 10, n * 10 + 1]))
    capped: list[bool] = []
    found = list(walk(server, PageNumberPager(2), "https://h/x.json", None, max_pages=3,
                      on_cap=lambda: capped.append(True)))
    assert len(found) == 3 and capped == [True]


@pytest.mark.parametrize("paging", get_args(Paging))
def test_every_paging_an_endpoint_can_name_has_a_pager(paging: str):
    endpoint = Endpoint("e", "/e.json", "t", paging=paging, params={"count": "7"})
    pager = endpoint.pager(50)
    expected = {"none": SinglePage, "link": LinkPager, "offset": OffsetPager,
                "page_number": PageNumberPager, "ignores_page": PageNumberPager}[paging]
    assert type(pager) is expected
    if isinstance(pager, OffsetPager):
        assert pager.count == 7
    assert endpoint.pager(50) is not pager  # fresh per walk: a pager remembers its last page
