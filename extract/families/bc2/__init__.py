"""Basecamp 2 ("BCX"): JSON over HTTP Basic or a bearer token, 500 requests / 10 s per account."""

from __future__ import annotations

from extract.families.bc2 import catalog, local
from extract.families.bc2.feed import EventFeed
from extract.families.family import Family
from extract.http import RateLimit
from transforms.tables import TABLE_SETS

FAMILY = Family("bc2", catalog.CATALOG, TABLE_SETS["bc2"], preflight="person_me",
                rate=RateLimit(475, 10.0), feed=EventFeed, widen=catalog.WIDEN,
                opt_in_tables=catalog.OPT_IN_TABLES, sandbox_target=local.sandbox_target,
                sandbox_login=local.sandbox_login)
