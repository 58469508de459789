"""Backpack's reads: what a path addresses (``match``), how it is logged (``redact``), and
the app that answers it through the routing table (``sandbox.backpack.routes``).

The server (``sandbox.backpack.server``) owns transport concerns; this module knows the API.
Choices where the reference is silent or ambiguous:

- ``pages/search`` matches ``<term>`` case-insensitively in page titles, note titles and
  bodies and list items; a missing ``<term>`` is a bad parameter (error 500 envelope).
- Bookmarks of anyone but ``me``, and Show of someone else's journal entry, answer 403 (the
  docs say only your own are readable); ``status.xml`` of a user without a status is 404.
- ``export.xml`` works for every user (``me`` is an admin) and holds every page the user owns
  or was shared, and every reminder they created or are reminded by, past ones included; so
  friends' unshared pages are readable only there.
- A ws call for a page, list, e-mail or tag the token's user can't see is HTTP 200 with the
  ``Record not found`` 404 envelope; REST misses are plain 404s.
- Only reads are served: documented writes answer 404 (their paths are unknown here) or 405
  (a write verb on a read path, such as POST ``/{token}/reminders.xml``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sandbox.backpack.answers import Answer
from sandbox.backpack.model import BackpackAccount
from sandbox.backpack.routes import ROUTER, Endpoint

_TOKENISH = re.compile(r"(?<=/)[0-9a-fA-F]{32,}(?=/|$)")


@dataclass(frozen=True)
class Route:
    """What a path addresses; ``token`` is the path's token segment on ``/{token}/`` routes."""

    endpoint: Endpoint
    ids: dict[str, int]
    token: str | None
    redacted: str

    @property
    def dialect(self) -> str:
        return self.endpoint.dialect

    @property
    def auth(self) -> str:
        return self.endpoint.auth

    @property
    def calendar(self) -> bool:
        return self.endpoint.calendar


def match(path: str) -> Route | None:
    """The read route for ``path`` (method not considered), or None."""
    found = ROUTER.match(path)
    if found is None:
        return None
    endpoint, args = found
    token = args.pop("token", None)
    redacted = path if token is None else "/{token}" + path[1 + len(token):]
    return Route(endpoint, args, token, redacted)


def redact(path: str, route: Route | None, token: str) -> str:
    """The path for the log: token segment, the real token and token-like segments hidden."""
    redacted = route.redacted if route is not None else path
    if token:
        redacted = redacted.replace(token, "{token}")
    return _TOKENISH.sub("{token}", redacted)


class BackpackApp:
    """Answers authenticated read requests for one account, as seen by ``me``."""

    def __init__(self, account: BackpackAccount) -> None:
        self.acct = account
        self.account_id = account.account_id
        self.origin = ""

    def bind(self, origin: str) -> None:
        """Learn the public origin once the port is known."""
        self.origin = origin

    def respond(
        self, route: Route, query: Mapping[str, str], params: Mapping[str, str]
    ) -> Answer:
        """The answer for an authenticated request on ``route``."""
        return route.endpoint.handler(self.acct, route.ids, query, params)
