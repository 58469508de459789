"""Pagers: how a listing's next request follows from the page just read.

One small object per manner of paging, after dlt's ``rest_client`` paginators; an endpoint
names its manner (``Endpoint.paging``), ``Endpoint.pager`` makes a fresh one for each walk, and
``walk`` asks it, page by page, whether to hand the page on and what to request next. The
transport (JSON ``fetch``, Backpack's XML) only fetches.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin

from extract.origin import refuse_other_origin
from extract.page import Page


@dataclass(frozen=True)
class Request:
    url: str
    params: Mapping[str, Any]


GetPage = Callable[[str, Mapping[str, Any], int], Page]


class Pager(Protocol):
    def start(self, url: str, params: Mapping[str, Any]) -> Request:
        """The first request."""
        ...

    def keep(self, page: Page) -> bool:
        """Hand this page on; False ends the walk without it."""
        ...

    def follow(self, page: Page, request: Request) -> Request | None:
        """The request after this page, or None when it was the last."""
        ...


class SinglePage:
    """A member, or a listing that comes whole: one request."""

    def start(self, url: str, params: Mapping[str, Any]) -> Request:
        return Request(url, dict(params))

    def keep(self, page: Page) -> bool:
        return True

    def follow(self, page: Page, request: Request) -> Request | None:
        return None


class PageNumberPager(SinglePage):
    """``?page=N`` (Basecamp 2): stop on an empty, short or repeated page.

    Some endpoints ignore ``page`` and answer the whole list every time, so a loop "until
    empty" never ends there: a page whose ids repeat the previous page's ends it too.
    """

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self._previous: tuple[Any, ...] | None = None

    def keep(self, page: Page) -> bool:
        fingerprint = tuple(_identity(r) for r in page.records)
        repeated = fingerprint == self._previous
        self._previous = fingerprint
        return bool(page.records) and not repeated

    def follow(self, page: Page, request: Request) -> Request | None:
        if len(page.records) < self.page_size:
            return None
        return Request(request.url, {**request.params, "page": page.number + 1})


class LinkPager(SinglePage):
    """``Link: <…>; rel="next"`` (Basecamp 4): followed as given, never built, same origin."""

    def __init__(self) -> None:
        self._first = ""

    def start(self, url: str, params: Mapping[str, Any]) -> Request:
        self._first = url
        return Request(url, dict(params))

    def follow(self, page: Page, request: Request) -> Request | None:
        if not page.next_url:
            return None
        target = urljoin(page.url, page.next_url)
        refuse_other_origin(self._first, target, what="next link")
        return Request(target, {})


class OffsetPager(SinglePage):
    """``n=`` offsets in steps of ``count`` (Backpack's journal): stop on an empty or short page."""

    def __init__(self, count: int) -> None:
        self.count = count

    def start(self, url: str, params: Mapping[str, Any]) -> Request:
        return Request(url, {**params, "n": "0"})

    def keep(self, page: Page) -> bool:
        return bool(page.records)

    def follow(self, page: Page, request: Request) -> Request | None:
        if len(page.records) < self.count:
            return None
        return Request(request.url, {**request.params, "n": str(page.number * self.count)})


PagerFactory = Callable[[Mapping[str, str], int], Pager]
# Endpoint.paging -> a fresh pager for one walk, from the endpoint's params and the page size.
PAGERS: dict[str, PagerFactory] = {
    "none": lambda params, size: SinglePage(),
    "link": lambda params, size: LinkPager(),
    "offset": lambda params, size: OffsetPager(int(params.get("count", size))),
    "page_number": lambda params, size: PageNumberPager(size),
    "ignores_page": lambda params, size: PageNumberPager(size),  # the repeat check stops it
}


def walk(get: GetPage, pager: Pager, url: str, params: Mapping[str, Any] | None, *,
         max_pages: int, on_cap: Callable[[], None]) -> Iterator[Page]:
    """The pages ``pager`` asks for, at most ``max_pages`` (then ``on_cap``)."""
    request = pager.start(url, params or {})
    for number in range(1, max_pages + 1):
        page = get(request.url, request.params, number)
        if not pager.keep(page):
            return
        yield page
        following = pager.follow(page, request)
        if following is None:
            return
        request = following
    on_cap()


def _identity(record: Mapping[str, Any]) -> Any:
    if "id" in record:
        return record["id"]
    return json.dumps(record, sort_keys=True, default=str)
