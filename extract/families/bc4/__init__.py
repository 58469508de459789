"""Basecamp 3/4: JSON with OAuth 2 through Launchpad, 50 requests / 10 s per IP address.

The limit counts per address, across accounts and tokens: one budget per host, shared by every
process exporting from it (``rate_scope="host"``, see ``extract.hostlimit``).
"""

from __future__ import annotations

from extract.families.bc4 import catalog, local
from extract.families.bc4.auth_cli import auth
from extract.families.bc4.feed import RecordingsFeed
from extract.families.family import Family
from extract.http import RateLimit
from transforms.tables import TABLE_SETS

FAMILY = Family("bc4", catalog.CATALOG, TABLE_SETS["bc4"], preflight="projects",
                rate=RateLimit(49, 10.0), rate_scope="host", feed=RecordingsFeed,
                opt_in_tables=catalog.OPT_IN_TABLES, login=local.LaunchpadLogin(),
                sandbox_target=local.sandbox_target, sandbox_login=local.sandbox_login,
                commands=(auth,))
