"""Backpack: XML over HTTP with the token in each POST body, 100 requests / 5 s per account."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import requests

from extract.crawl import PageSource
from extract.families.backpack import catalog, local
from extract.families.backpack.transport import XmlTransport
from extract.families.family import Family
from extract.http import RateLimit
from transforms.tables import TABLE_SETS


def _xml_pages(session: requests.Session, token: str, zone: ZoneInfo | None) -> PageSource:
    return XmlTransport(session, token, zone=zone).pages


FAMILY = Family("backpack", catalog.CATALOG, TABLE_SETS["backpack"], preflight="users_me",
                rate=RateLimit(95, 5.0), group_rates={catalog.CALENDAR: RateLimit(9, 5.0)},
                http_cache=False, session_auth=False,
                retry_methods=frozenset({"GET", "HEAD", "POST"}), page_source=_xml_pages,
                sandbox_target=local.sandbox_target)
