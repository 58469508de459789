"""The REST reads (GET ``.xml``): statuses, journal, calendars, reminders, users, bookmarks.

Misses are plain 404s; bookmarks of anyone but ``me`` and Show of someone else's journal entry
are 403. Journal paging: ``count`` is the window (default and maximum 100; a non-integer or
< 1 falls back to 100) and ``n`` an item offset (default 0), newest first.
"""

from __future__ import annotations

from collections.abc import Mapping

from sandbox.backpack import render as render
from sandbox.backpack.answers import Answer, plain, rest
from sandbox.backpack.model import BackpackAccount
from sandbox.backpack.xml import Node
from sandbox.contract import COLLECTION
from sandbox.requestlog import ResourceShape

JOURNAL_PAGE = 100

Ids = Mapping[str, int]
Params = Mapping[str, str]


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def statuses_list(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    rows = [render.status(u.status, u) for u in acct.users if u.status is not None]
    return rest(render.array("statuses", rows))


def status_show(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    user = acct.user(ids["user"])
    if user is None or user.status is None:
        return plain(404, "Not Found")
    return rest(render.status(user.status, None))


def journal_entries_list(acct: BackpackAccount, ids: Ids, query: Params,
                         params: Params) -> Answer:
    return _journal_page(acct, None, query)


def journal_entries_user(acct: BackpackAccount, ids: Ids, query: Params,
                         params: Params) -> Answer:
    if acct.user(ids["user"]) is None:
        return plain(404, "Not Found")
    return _journal_page(acct, ids["user"], query)


def _journal_page(acct: BackpackAccount, user_id: int | None, query: Params) -> Answer:
    count = _int(query.get("count"), JOURNAL_PAGE)
    count = JOURNAL_PAGE if count < 1 else min(count, JOURNAL_PAGE)
    offset = max(0, _int(query.get("n"), 0))
    entries = acct.journal_of(user_id)
    rows = []
    for entry in entries[offset:offset + count]:
        user = acct.user(entry.user_id)
        assert user is not None
        rows.append(render.journal_row(entry, user))
    shape = ResourceShape(COLLECTION, total=len(entries), page_size=count)
    return rest(render.array("journal-entries", rows), shape)


def journal_entry_show(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    entry = acct.journal_entry(ids["entry"])
    if entry is None:
        return plain(404, "Not Found")
    if entry.user_id != acct.me_id:
        return plain(403, "Forbidden")
    return rest(render.journal_member(acct, entry))


def calendars_list(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    rows = [render.calendar(acct, c) for c in acct.calendars]
    return rest(Node("calendars", children=rows))


def calendar_events_list(acct: BackpackAccount, ids: Ids, query: Params,
                         params: Params) -> Answer:
    calendar = acct.calendar(ids["calendar"])
    if calendar is None:
        return plain(404, "Not Found")
    events = sorted(calendar.events, key=lambda e: (e.occurs_at, e.id))
    return rest(Node("calendar-events", children=[render.calendar_event(e) for e in events]))


def calendar_event_show(acct: BackpackAccount, ids: Ids, query: Params,
                        params: Params) -> Answer:
    event = acct.calendar_event(ids["event"])
    if event is None:
        return plain(404, "Not Found")
    return rest(render.calendar_event(event))


def reminders_list(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    rows = [render.reminder(acct, r) for r in acct.upcoming_reminders(acct.me_id)]
    return rest(Node("reminders", children=rows))


def users_me(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    return rest(render.me(acct))


def users_list(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    return rest(render.array("users", [render.user_row(u) for u in acct.users]))


def users_export(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    user = acct.user(ids["user"])
    if user is None:
        return plain(404, "Not Found")
    return rest(render.export(acct, user))


def bookmarks_list(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    if acct.user(ids["user"]) is None:
        return plain(404, "Not Found")
    if ids["user"] != acct.me_id:
        return plain(403, "Forbidden")
    rows = [render.bookmark(b) for b in acct.bookmarks if b.user_id == ids["user"]]
    return rest(render.array("bookmarks", rows))
