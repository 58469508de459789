"""Backpack endpoint catalog: every documented read, as data (ids from endpoints.yaml).

Reads come in two dialects: ws calls are POSTs with the token in an XML body; REST calls are GETs
with the token either in the path (``/{token}/…``, filled in only when the request is sent) or in
an ``X-BP-Token`` header (where the docs leave the mechanism open). One page-show call returns a
page's notes, lists with their items, tags, layout, galleries and attachments, so the per-page
notes/lists listings are not needed; items are listed per list once more because only that
listing carries ``updated_at``.
"""

from __future__ import annotations

from extract.catalog import Catalog, Endpoint

BASE_URL = "https://{account}.backpackit.com"
TOKEN_BODY = "<request><token>{token}</token></request>"
JOURNAL_PAGE = 100
CALENDAR = "calendar"


def ws(id_: str, path: str, table: str, **kw) -> Endpoint:
    """A ws read: POST, token in the body, ``<response success=…>`` envelope."""
    kw.setdefault("paging", "none")
    return Endpoint(id_, path, table, method="POST", body=TOKEN_BODY, auth="body", **kw)


def rest(id_: str, path: str, table: str, **kw) -> Endpoint:
    """A REST read: GET; the token in the path if it has a slot, else in a header."""
    kw.setdefault("paging", "none")
    return Endpoint(id_, path, table, auth="path" if "{token}" in path else "header", **kw)


ENDPOINTS: tuple[Endpoint, ...] = (
    rest("users_me", "/{token}/me.xml", "users", kind="member",
         note="the authenticated user; also the preflight and the account's time zone",
         examples=("users__current_user__response.xml",)),
    rest("users_list", "/{token}/users.xml", "users", examples=("users__list__response.xml",)),
    rest("users_export", "/{token}/users/{user_id}/export.xml", "users", parents=("users_me",),
         bind={"user_id": "id"}, crawl=False,
         note="an unbounded dump of pages and reminders that the other reads already cover"),
    rest("bookmarks_list", "/{token}/users/{user_id}/bookmarks.xml", "bookmarks",
         parents=("users_me",), bind={"user_id": "id"},
         note="readable for the authenticated user only",
         examples=("bookmarks__list__response.xml",)),
    rest("reminders_list", "/{token}/reminders.xml", "reminders",
         examples=("reminders__list_upcoming__response.xml", "data_reference__reminder.xml")),
    rest("statuses_list", "/statuses.xml", "statuses", examples=("status__list__response.xml",)),
    rest("status_show", "/users/{user_id}/status.xml", "statuses", kind="member",
         parents=("users_list",), bind={"user_id": "id"}, crawl=False,
         note="one user's row of statuses_list", examples=("status__show__response.xml",)),
    rest("journal_entries_list", "/journal_entries.xml", "journal_entries", paging="offset",
         params={"count": str(JOURNAL_PAGE)}, examples=("journal__list__response.xml",)),
    rest("journal_entries_user", "/users/{user_id}/journal_entries.xml", "journal_entries",
         parents=("users_list",), bind={"user_id": "id"}, paging="offset", crawl=False,
         note="one user's part of journal_entries_list"),
    rest("journal_entry_show", "/journal_entries/{entry_id}.xml", "journal_entries",
         kind="member", parents=("journal_entries_list",), bind={"entry_id": "id"}, crawl=False,
         note="own entries only; the list has every field but two ids",
         examples=("journal__show__response.xml",)),
    ws("pages_all", "/ws/pages/all", "pages", examples=("pages__list_all__response.xml",)),
    ws("pages_search", "/ws/pages/search", "pages", crawl=False,
       note="a search (needs a term) over pages_all", examples=("pages__search__response.xml",)),
    ws("pages_show", "/ws/page/{page_id}", "pages", kind="member", parents=("pages_all",),
       bind={"page_id": "id"},
       examples=("pages__show__response.xml", "data_reference__page.xml",
                 "readme__show_page__response.xml")),
    ws("notes_list", "/ws/page/{page_id}/notes/list", "notes", parents=("pages_all",),
       bind={"page_id": "id"}, crawl=False, note="pages_show embeds the same notes",
       examples=("notes__list__response.xml", "data_reference__note.xml")),
    ws("lists_list", "/ws/page/{page_id}/lists/list", "lists", parents=("pages_all",),
       bind={"page_id": "id"}, crawl=False, note="pages_show embeds the same lists",
       examples=("lists__list__response.xml",)),
    ws("list_items_list", "/ws/page/{page_id}/lists/{list_id}/items/list", "list_items",
       parents=("pages_show",), each="lists", bind={"page_id": "^id", "list_id": "id"},
       note="the only read with list items' updated_at",
       examples=("list_items__list__response.xml", "data_reference__list_item.xml")),
    ws("emails_list", "/ws/page/{page_id}/emails/list", "emails", parents=("pages_all",),
       bind={"page_id": "id"},
       examples=("emails__list__response.xml", "data_reference__email.xml")),
    ws("emails_show", "/ws/page/{page_id}/emails/show/{email_id}", "emails", kind="member",
       parents=("emails_list",), bind={"email_id": "id"}, crawl=False,
       note="emails_list carries the whole e-mail", examples=("emails__show__response.xml",)),
    ws("tags_select", "/ws/tags/select/{tag_id}", "pages", parents=("pages_show",),
       each="tags", bind={"tag_id": "id"}, crawl=False,
       note="the pages of a tag: the same join as the tags table, from the other side",
       examples=("tags__page_matches__response.xml",)),
    rest("calendars_list", "/calendars.xml", "calendars", limit_group=CALENDAR,
         examples=("calendars__list_all__response.xml", "data_reference__calendar.xml")),
    rest("calendar_events_list", "/calendars/{calendar_id}/calendar_events.xml",
         "calendar_events", parents=("calendars_list",), bind={"calendar_id": "id"},
         limit_group=CALENDAR,
         examples=("calendar_events__list__response.xml", "data_reference__calendar_event.xml")),
    rest("calendar_event_show", "/calendar_events/{event_id}.xml", "calendar_events",
         kind="member", parents=("calendar_events_list",), bind={"event_id": "id"},
         limit_group=CALENDAR, crawl=False, note="calendar_events_list carries every field",
         examples=("calendar_events__show__response.xml",)),
)

CATALOG = Catalog(api="backpack", base_url=BASE_URL, page_size=JOURNAL_PAGE, endpoints=ENDPOINTS)
