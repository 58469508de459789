"""What the Backpack sandbox tests share: credentials, a client that builds a request for any
read endpoint against a sensible parent, and XML envelope helpers.

Everything runs against tiny accounts on loopback (port 0) with plain ``requests``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import requests

from sandbox import Credentials, Sandbox
from sandbox.backpack.model import BackpackAccount

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference" / "backpack"
EXAMPLES = REFERENCE / "examples"
TOKEN = "3f786850e387550fdab836ed7e6dc881de23001b"
CREDS = Credentials(username="unused@example.com", password="unused-pw", token=TOKEN)
UA = "sandbox-tests (tests@example.com)"
XML = {"Content-Type": "application/xml", "User-Agent": UA}
READ_ENDPOINTS = (
    "pages_all", "pages_search", "pages_show", "lists_list", "list_items_list", "notes_list",
    "emails_list", "emails_show", "tags_select", "statuses_list", "status_show",
    "journal_entries_list", "journal_entries_user", "journal_entry_show", "users_me",
    "users_list", "users_export", "bookmarks_list", "calendars_list", "calendar_events_list",
    "calendar_event_show", "reminders_list",
)


class Client:
    """Builds a request for any read endpoint against a sensible parent in the account."""

    def __init__(self, sb: Sandbox, token: str = TOKEN) -> None:
        self.sb = sb
        self.token = token
        self.truth: BackpackAccount = sb.truth  # type: ignore[assignment]

    def ws(self, path: str, extra: str = "", token: str | None = None,
           base: str | None = None) -> requests.Response:
        body = f"<request><token>{self.token if token is None else token}</token>{extra}</request>"
        return requests.post((base or self.sb.base_url) + path, data=body.encode(), headers=XML,
                             timeout=10, allow_redirects=False)

    def rest(self, path: str, **params: Any) -> requests.Response:
        headers = {"X-BP-Token": self.token, "User-Agent": UA}
        return requests.get(self.sb.base_url + path, params=params or None, headers=headers,
                            timeout=10)

    def tokened(self, path: str) -> requests.Response:
        return requests.get(f"{self.sb.base_url}/{self.token}{path}",
                            headers={"User-Agent": UA}, timeout=10)

    @property
    def showcase(self) -> Any:
        return self.truth.pages[0]

    @property
    def plain(self) -> Any:
        return self.truth.pages[1]

    def read(self, endpoint: str, page: Any = None) -> requests.Response:
        t = self.truth
        page = page or self.showcase
        me = t.me_id
        calendar = t.calendars[0]
        routes = {
            "pages_all": lambda: self.ws("/ws/pages/all"),
            "pages_search": lambda: self.ws("/ws/pages/search",
                                            f"<term>{escape(search_term(page))}</term>"),
            "pages_show": lambda: self.ws(f"/ws/page/{page.id}"),
            "lists_list": lambda: self.ws(f"/ws/page/{page.id}/lists/list"),
            "list_items_list": lambda: self.ws(
                f"/ws/page/{page.id}/lists/{page.lists[0].id}/items/list"),
            "notes_list": lambda: self.ws(f"/ws/page/{page.id}/notes/list"),
            "emails_list": lambda: self.ws(f"/ws/page/{page.id}/emails/list"),
            "emails_show": lambda: self.ws(f"/ws/page/{page.id}/emails/show/{page.emails[0].id}"),
            "tags_select": lambda: self.ws(f"/ws/tags/select/{page.tags[0].id}"),
            "statuses_list": lambda: self.rest("/statuses.xml"),
            "status_show": lambda: self.rest(f"/users/{me}/status.xml"),
            "journal_entries_list": lambda: self.rest("/journal_entries.xml"),
            "journal_entries_user": lambda: self.rest(f"/users/{me}/journal_entries.xml"),
            "journal_entry_show": lambda: self.rest(
                f"/journal_entries/{t.journal_of(me)[0].id}.xml"),
            "users_me": lambda: self.tokened("/me.xml"),
            "users_list": lambda: self.tokened("/users.xml"),
            "users_export": lambda: self.tokened(f"/users/{me}/export.xml"),
            "bookmarks_list": lambda: self.tokened(f"/users/{me}/bookmarks.xml"),
            "calendars_list": lambda: self.rest("/calendars.xml"),
            "calendar_events_list": lambda: self.rest(
                f"/calendars/{calendar.id}/calendar_events.xml"),
            "calendar_event_show": lambda: self.rest(
                f"/calendar_events/{calendar.events[0].id}.xml"),
            "reminders_list": lambda: self.tokened("/reminders.xml"),
        }
        return routes[endpoint]()


def search_term(page: Any) -> str:
    """A word of the page's title, which pages/search must find."""
    return page.title.split()[0]


def backpack(**overrides: Any) -> Sandbox:
    options: dict[str, Any] = {"api": "backpack", "size": "tiny", "seed": 0, "rate_limit": None,
                               "calendar_rate_limit": None, "credentials": CREDS}
    options.update(overrides)
    return Sandbox(**options)


def root(response: requests.Response) -> ET.Element:
    return ET.fromstring(response.content)


def envelope(response: requests.Response) -> tuple[str | None, str | None]:
    """(success, error code) of a ws response."""
    element = root(response)
    assert element.tag == "response"
    error = element.find("error")
    return element.get("success"), None if error is None else error.get("code")
