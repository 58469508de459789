"""Backpack routes: the 22 documented reads, what each accepts as auth, and what it answers.

The server (``backpack_server``) owns transport concerns; this module knows the API. Choices
where the reference is silent or ambiguous:

- Auth per route: ws calls take only the ``<token>`` in the body; ``/{token}/...`` routes only
  the path segment; the REST routes the docs leave unspecified (statuses, status, journal,
  calendars, calendar events) take an ``X-BP-Token: TOKEN`` header (as the official calendar
  wrapper sends) or HTTP Basic ``TOKEN:X`` (any password), per the shared auth guide. OAuth is
  not offered, so the token-less ``/me.xml`` forms are unknown paths.
- Journal paging: ``count`` is the window (default and maximum 100; a non-integer or < 1 falls
  back to 100) and ``n`` is an item OFFSET, as in Basecamp Classic (default 0). Clients stop on
  a page shorter than ``count``. Entries are newest first.
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

from sandbox.backpack import render as render
from sandbox.backpack.model import BackpackAccount, Page
from sandbox.backpack.xml import Node, serialize
from sandbox.contract import COLLECTION, MEMBER, TEXT_TYPE
from sandbox.requestlog import ResourceShape

XML_TYPE = "application/xml; charset=utf-8"
WS = "ws"
REST = "rest"
BODY = "token_in_body"
PATH = "token_in_path"
HEADER = "header_or_basic"
JOURNAL_PAGE = 100

# (endpoint id from endpoints.yaml, dialect, auth, calendar limit, path pattern)
ROUTES: tuple[tuple[str, str, str, bool, str], ...] = (
    ("pages_all", WS, BODY, False, r"/ws/pages/all"),
    ("pages_search", WS, BODY, False, r"/ws/pages/search"),
    ("pages_show", WS, BODY, False, r"/ws/page/(?P<page>\d+)"),
    ("lists_list", WS, BODY, False, r"/ws/page/(?P<page>\d+)/lists/list"),
    ("list_items_list", WS, BODY, False,
     r"/ws/page/(?P<page>\d+)/lists/(?P<list>\d+)/items/list"),
    ("notes_list", WS, BODY, False, r"/ws/page/(?P<page>\d+)/notes/list"),
    ("emails_list", WS, BODY, False, r"/ws/page/(?P<page>\d+)/emails/list"),
    ("emails_show", WS, BODY, False, r"/ws/page/(?P<page>\d+)/emails/show/(?P<email>\d+)"),
    ("tags_select", WS, BODY, False, r"/ws/tags/select/(?P<tag>\d+)"),
    ("statuses_list", REST, HEADER, False, r"/statuses\.xml"),
    ("status_show", REST, HEADER, False, r"/users/(?P<user>\d+)/status\.xml"),
    ("journal_entries_list", REST, HEADER, False, r"/journal_entries\.xml"),
    ("journal_entries_user", REST, HEADER, False, r"/users/(?P<user>\d+)/journal_entries\.xml"),
    ("journal_entry_show", REST, HEADER, False, r"/journal_entries/(?P<entry>\d+)\.xml"),
    ("calendars_list", REST, HEADER, True, r"/calendars\.xml"),
    ("calendar_events_list", REST, HEADER, True,
     r"/calendars/(?P<calendar>\d+)/calendar_events\.xml"),
    ("calendar_event_show", REST, HEADER, True, r"/calendar_events/(?P<event>\d+)\.xml"),
    ("reminders_list", REST, PATH, False, r"/(?P<token>[^/]+)/reminders\.xml"),
    ("users_me", REST, PATH, False, r"/(?P<token>[^/]+)/me\.xml"),
    ("users_list", REST, PATH, False, r"/(?P<token>[^/]+)/users\.xml"),
    ("users_export", REST, PATH, False, r"/(?P<token>[^/]+)/users/(?P<user>\d+)/export\.xml"),
    ("bookmarks_list", REST, PATH, False,
     r"/(?P<token>[^/]+)/users/(?P<user>\d+)/bookmarks\.xml"),
)
_COMPILED = tuple(
    (name, dialect, auth, calendar, re.compile(f"^{pattern}$"))
    for name, dialect, auth, calendar, pattern in ROUTES
)
_TOKENISH = re.compile(r"(?<=/)[0-9a-fA-F]{32,}(?=/|$)")


@dataclass(frozen=True)
class Route:
    """What a path addresses; ``token`` is the path's token segment on ``/{token}/`` routes."""

    endpoint: str
    dialect: str
    auth: str
    calendar: bool
    ids: dict[str, int]
    token: str | None
    redacted: str


@dataclass
class Answer:
    """A response body plus what the log needs: ws ``success`` and the oracle's shape."""

    status: int
    body: bytes
    content_type: str = XML_TYPE
    success: bool | None = None
    shape: ResourceShape | None = None


def match(path: str) -> Route | None:
    """The read route for ``path`` (method not considered), or None."""
    for name, dialect, auth, calendar, pattern in _COMPILED:
        found = pattern.match(path)
        if found is None:
            continue
        groups = found.groupdict()
        token = groups.pop("token", None)
        redacted = path if token is None else "/{token}" + path[found.end("token"):]
        ids = {k: int(v) for k, v in groups.items()}
        return Route(name, dialect, auth, calendar, ids, token, redacted)
    return None


def redact(path: str, route: Route | None, token: str) -> str:
    """The path for the log: token segment, the real token and token-like segments hidden."""
    redacted = route.redacted if route is not None else path
    if token:
        redacted = redacted.replace(token, "{token}")
    return _TOKENISH.sub("{token}", redacted)


def _ws(node: Node, *, success: bool = True, shape: ResourceShape | None = None) -> Answer:
    return Answer(200, serialize(node, "'").encode(), success=success,
                  shape=shape or (ResourceShape(MEMBER) if success else None))


def _rest(node: Node, shape: ResourceShape | None = None) -> Answer:
    return Answer(200, serialize(node, '"').encode(), shape=shape or ResourceShape(MEMBER))


def _plain(status: int, message: str) -> Answer:
    return Answer(status, (message + "\n").encode(), TEXT_TYPE)


def not_found_envelope() -> Answer:
    return _ws(render.error_envelope(404, "Record not found"), success=False)


def internal_error_envelope() -> Answer:
    return _ws(render.error_envelope(500, "Internal error"), success=False)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


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
        handler = getattr(self, "_" + route.endpoint)
        return handler(route.ids, query, params)

    # ------------------------------------------------------------------ ws
    def _page(self, ids: Mapping[str, int]) -> Page | None:
        page = self.acct.page(ids["page"])
        return page if page is not None and page.visible_to(self.acct.me_id) else None

    def _pages_all(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        me = self.acct.me_id
        rows = [render.ws_page_row(p, p.scope_for(me)) for p in self.acct.pages_of(me)]
        return _ws(render.envelope(Node("pages", children=rows)))

    def _pages_search(
        self, ids: Mapping[str, int], query: Mapping[str, str], params: Mapping[str, str]
    ) -> Answer:
        term = params.get("term")
        if term is None:
            return internal_error_envelope()
        needle = term.strip().lower()
        rows = [render.ws_page_row(p, None) for p in self.acct.pages_of(self.acct.me_id)
                if needle and needle in _searchable(p)]
        return _ws(render.envelope(Node("pages", children=rows)))

    def _pages_show(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        page = self._page(ids)
        if page is None:
            return not_found_envelope()
        return _ws(render.envelope(render.ws_page(page)))

    def _lists_list(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        page = self._page(ids)
        if page is None:
            return not_found_envelope()
        rows = [render.ws_list_row(lst) for lst in page.lists]
        return _ws(render.envelope(Node("lists", children=rows)))

    def _list_items_list(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        page = self._page(ids)
        todo = next((lst for lst in page.lists if lst.id == ids["list"]), None) if page else None
        if todo is None:
            return not_found_envelope()
        rows = [render.ws_item(i, full=True) for i in todo.ordered_items()]
        return _ws(render.envelope(Node("items", children=rows)))

    def _notes_list(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        page = self._page(ids)
        if page is None:
            return not_found_envelope()
        notes = sorted(page.notes, key=lambda n: (n.created_at, n.id))
        return _ws(render.envelope(Node("notes", children=[render.ws_note(n) for n in notes])))

    def _emails_list(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        page = self._page(ids)
        if page is None:
            return not_found_envelope()
        rows = [render.ws_email(e) for e in page.emails]
        return _ws(render.envelope(Node("emails", children=rows)))

    def _emails_show(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        page = self._page(ids)
        email = next((e for e in page.emails if e.id == ids["email"]), None) if page else None
        if email is None:
            return not_found_envelope()
        return _ws(render.envelope(render.ws_email(email)))

    def _tags_select(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        if self.acct.tag(ids["tag"]) is None:
            return not_found_envelope()
        rows = [Node("page", [("id", str(p.id)), ("title", p.title)])
                for p in self.acct.tagged(ids["tag"], self.acct.me_id)]
        return _ws(render.envelope(Node("pages", children=rows)))

    # ------------------------------------------------------------------ REST
    def _statuses_list(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        rows = [render.status(u.status, u) for u in self.acct.users if u.status is not None]
        return _rest(render.array("statuses", rows))

    def _status_show(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        user = self.acct.user(ids["user"])
        if user is None or user.status is None:
            return _plain(404, "Not Found")
        return _rest(render.status(user.status, None))

    def _journal_entries_list(
        self, ids: Mapping[str, int], query: Mapping[str, str], *_: Mapping[str, str]
    ) -> Answer:
        return self._journal_page(None, query)

    def _journal_entries_user(
        self, ids: Mapping[str, int], query: Mapping[str, str], *_: Mapping[str, str]
    ) -> Answer:
        if self.acct.user(ids["user"]) is None:
            return _plain(404, "Not Found")
        return self._journal_page(ids["user"], query)

    def _journal_page(self, user_id: int | None, query: Mapping[str, str]) -> Answer:
        count = _int(query.get("count"), JOURNAL_PAGE)
        count = JOURNAL_PAGE if count < 1 else min(count, JOURNAL_PAGE)
        offset = max(0, _int(query.get("n"), 0))
        entries = self.acct.journal_of(user_id)
        rows = []
        for entry in entries[offset:offset + count]:
            user = self.acct.user(entry.user_id)
            assert user is not None
            rows.append(render.journal_row(entry, user))
        shape = ResourceShape(COLLECTION, total=len(entries), page_size=count)
        return _rest(render.array("journal-entries", rows), shape)

    def _journal_entry_show(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        entry = self.acct.journal_entry(ids["entry"])
        if entry is None:
            return _plain(404, "Not Found")
        if entry.user_id != self.acct.me_id:
            return _plain(403, "Forbidden")
        return _rest(render.journal_member(self.acct, entry))

    def _calendars_list(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        rows = [render.calendar(self.acct, c) for c in self.acct.calendars]
        return _rest(Node("calendars", children=rows))

    def _calendar_events_list(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        calendar = self.acct.calendar(ids["calendar"])
        if calendar is None:
            return _plain(404, "Not Found")
        events = sorted(calendar.events, key=lambda e: (e.occurs_at, e.id))
        return _rest(Node("calendar-events", children=[render.calendar_event(e) for e in events]))

    def _calendar_event_show(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        event = self.acct.calendar_event(ids["event"])
        if event is None:
            return _plain(404, "Not Found")
        return _rest(render.calendar_event(event))

    def _reminders_list(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        rows = [render.reminder(self.acct, r)
                for r in self.acct.upcoming_reminders(self.acct.me_id)]
        return _rest(Node("reminders", children=rows))

    def _users_me(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        return _rest(render.me(self.acct))

    def _users_list(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        return _rest(render.array("users", [render.user_row(u) for u in self.acct.users]))

    def _users_export(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        user = self.acct.user(ids["user"])
        if user is None:
            return _plain(404, "Not Found")
        return _rest(render.export(self.acct, user))

    def _bookmarks_list(self, ids: Mapping[str, int], *_: Mapping[str, str]) -> Answer:
        if self.acct.user(ids["user"]) is None:
            return _plain(404, "Not Found")
        if ids["user"] != self.acct.me_id:
            return _plain(403, "Forbidden")
        rows = [render.bookmark(b) for b in self.acct.bookmarks if b.user_id == ids["user"]]
        return _rest(render.array("bookmarks", rows))


def _searchable(page: Page) -> str:
    parts = [page.title, *(n.title for n in page.notes), *(n.body for n in page.notes),
             *(i.content for lst in page.lists for i in lst.items)]
    return "\n".join(parts).lower()
