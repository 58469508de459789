"""Backpack's 22 documented reads as a werkzeug routing table, with what each accepts as auth.

Auth per route: ws calls take only the ``<token>`` in the body; ``/{token}/...`` routes only
the path segment; the REST routes the docs leave unspecified (statuses, status, journal,
calendars, calendar events) take an ``X-BP-Token: TOKEN`` header (as the official calendar
wrapper sends) or HTTP Basic ``TOKEN:X`` (any password), per the shared auth guide. OAuth is
not offered, so the token-less ``/me.xml`` forms are unknown paths. Calendar routes count
against their own rate-limit window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from werkzeug.routing import Rule

from sandbox.backpack.answers import Answer
from sandbox.backpack.handlers import rest, ws
from sandbox.backpack.model import BackpackAccount
from sandbox.router import Router

WS = "ws"
REST = "rest"
BODY = "token_in_body"
PATH = "token_in_path"
HEADER = "header_or_basic"

Handler = Callable[[BackpackAccount, Mapping[str, int], Mapping[str, str], Mapping[str, str]],
                   Answer]


@dataclass(frozen=True)
class Endpoint:
    """A read: its id in endpoints.yaml, dialect, auth, rate-limit window and handler."""

    name: str
    dialect: str
    auth: str
    calendar: bool
    handler: Handler


def _ws(path: str, name: str, handler: Handler) -> Rule:
    return Rule(path, endpoint=Endpoint(name, WS, BODY, False, handler))


def _rest(path: str, name: str, handler: Handler, auth: str = HEADER,
          calendar: bool = False) -> Rule:
    return Rule(path, endpoint=Endpoint(name, REST, auth, calendar, handler))


ROUTER = Router([
    _ws("/ws/pages/all", "pages_all", ws.pages_all),
    _ws("/ws/pages/search", "pages_search", ws.pages_search),
    _ws("/ws/page/<int:page>", "pages_show", ws.pages_show),
    _ws("/ws/page/<int:page>/lists/list", "lists_list", ws.lists_list),
    _ws("/ws/page/<int:page>/lists/<int:list>/items/list", "list_items_list",
        ws.list_items_list),
    _ws("/ws/page/<int:page>/notes/list", "notes_list", ws.notes_list),
    _ws("/ws/page/<int:page>/emails/list", "emails_list", ws.emails_list),
    _ws("/ws/page/<int:page>/emails/show/<int:email>", "emails_show", ws.emails_show),
    _ws("/ws/tags/select/<int:tag>", "tags_select", ws.tags_select),
    _rest("/statuses.xml", "statuses_list", rest.statuses_list),
    _rest("/users/<int:user>/status.xml", "status_show", rest.status_show),
    _rest("/journal_entries.xml", "journal_entries_list", rest.journal_entries_list),
    _rest("/users/<int:user>/journal_entries.xml", "journal_entries_user",
          rest.journal_entries_user),
    _rest("/journal_entries/<int:entry>.xml", "journal_entry_show", rest.journal_entry_show),
    _rest("/calendars.xml", "calendars_list", rest.calendars_list, calendar=True),
    _rest("/calendars/<int:calendar>/calendar_events.xml", "calendar_events_list",
          rest.calendar_events_list, calendar=True),
    _rest("/calendar_events/<int:event>.xml", "calendar_event_show", rest.calendar_event_show,
          calendar=True),
    _rest("/<token>/reminders.xml", "reminders_list", rest.reminders_list, PATH),
    _rest("/<token>/me.xml", "users_me", rest.users_me, PATH),
    _rest("/<token>/users.xml", "users_list", rest.users_list, PATH),
    _rest("/<token>/users/<int:user>/export.xml", "users_export", rest.users_export, PATH),
    _rest("/<token>/users/<int:user>/bookmarks.xml", "bookmarks_list", rest.bookmarks_list,
          PATH),
])
