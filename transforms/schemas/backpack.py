"""Backpack tables. Names follow the XML (dashes become underscores); element text of ws
records lands in ``body`` (notes, emails) or ``content`` (list items).

Everything is partitioned by the account's subdomain (``account``). Pages embed their notes,
lists (with items), tags, belongings (the page layout: which widget sits where), galleries and
attachments; notes, lists, list items and tags are first-class tables carrying ``page_id``.
Separators have no read endpoint: they are the page belongings whose widget is a Separator.
"""

from __future__ import annotations

from transforms.report_spec import Activity, FamilyReport, Series
from transforms.schemas import BOOL, ID, INT, ORDINAL, STR, TS, Child, Registry, Table, cols

ACCOUNT_ONLY = ("account",)
ON_PAGE = ("page_id",)
STUB = {"id": ID, "name": STR}


def child(parent: str, field: str, key: str, columns: dict) -> Table:
    return Table(f"{parent}__{field}", key=(key, ORDINAL), partition=ACCOUNT_ONLY,
                 columns={key: ID, ORDINAL: INT, **columns}, child_of=parent,
                 doc=f"`{field}` of {parent}, one row per element.")


TABLES = Registry("backpack", [
    Table("users", key=("id",), partition=ACCOUNT_ONLY,
          columns={**cols("id account_id start_page_id", ID),
                   **cols("name email_address reminder_address time_zone_id identity_url "
                          "mobile_phone_host mobile_phone_number", STR),
                   **cols("admin remind_via_email remind_via_mobile use_24h_clock", BOOL),
                   **cols("created_at updated_at", TS)},
          doc="People on the account; the authenticated user's row has every field."),
    Table("pages", key=("id",), partition=ACCOUNT_ONLY,
          columns={"id": ID, **cols("title scope email_address", STR)},
          children={
              "belongings": (Child("pages__belongings", {"page_id": "id"}),
                             Child("separators", {"page_id": "id"},
                                   where={"widget.type": "Separator"})),
              "notes": Child("notes", {"page_id": "id"}),
              "lists": Child("lists", {"page_id": "id"}),
              "tags": Child("tags", {"page_id": "id"}),
              "galleries": Child("pages__galleries", {"page_id": "id"}),
              "attachments": Child("pages__attachments", {"page_id": "id"}),
          },
          doc="Pages (`scope` personal or friends)."),
    child("pages", "belongings", "page_id",
          {"id": ID, "position": INT, "widget__type": STR, "widget__id": ID}),
    Table("separators", key=("id",), partition=ACCOUNT_ONLY,
          rename={"id": "belonging_id", "widget__id": "id"}, drop=frozenset({"widget__type"}),
          columns={"id": ID, "page_id": ID, "belonging_id": ID, "position": INT, "name": STR},
          doc="Separators, seen as page belongings (the API has no read for their names)."),
    Table("pages__galleries", key=("page_id", ORDINAL), partition=ACCOUNT_ONLY,
          columns={"page_id": ID, ORDINAL: INT, "id": ID, "name": STR}, child_of="pages",
          children={"images": Child("pages__galleries__images", {"gallery_id": "id"})},
          doc="Image galleries on pages."),
    Table("pages__galleries__images", key=("gallery_id", ORDINAL), partition=ACCOUNT_ONLY,
          columns={"gallery_id": ID, ORDINAL: INT, "id": ID,
                   **cols("file_name description", STR)},
          child_of="pages__galleries", doc="Images of a page gallery."),
    child("pages", "attachments", "page_id", {"id": ID, "file_name": STR}),
    Table("notes", key=("id",), partition=ACCOUNT_ONLY, rename={"text": "body"},
          columns={"id": ID, "page_id": ID, **cols("title body", STR), "created_at": TS},
          doc="Notes on pages; `body` is the note text, whitespace trimmed."),
    Table("lists", key=("id",), partition=ACCOUNT_ONLY,
          columns={"id": ID, "page_id": ID, "name": STR},
          children={"items": Child("list_items", {"list_id": "id", "page_id": "page_id"})},
          doc="Lists on pages."),
    Table("list_items", key=("id",), partition=ACCOUNT_ONLY, context=ON_PAGE,
          rename={"text": "content"},
          columns={"id": ID, "list_id": ID, "content": STR, "completed": BOOL,
                   "updated_at": TS},
          doc="List items, completed or not; `updated_at` comes from the per-list listing."),
    Table("tags", key=("page_id", "id"), partition=ACCOUNT_ONLY,
          columns={"page_id": ID, "id": ID, "name": STR},
          doc="Tags, one row per tag on a page (tags have no index of their own)."),
    Table("emails", key=("id",), partition=ACCOUNT_ONLY, context=ON_PAGE, rename={"text": "body"},
          columns={"id": ID, **cols("title body", STR), "created_at": TS},
          doc="E-mails sent to a page."),
    Table("reminders", key=("id",), partition=ACCOUNT_ONLY,
          columns={"id": ID, "remind_at": TS, "content": STR,
                   "creator__id": ID, "creator__name": STR},
          children={"remindees": Child("reminders__remindees", {"reminder_id": "id"})},
          doc="Upcoming reminders (the API lists no past ones)."),
    child("reminders", "remindees", "reminder_id", dict(STUB)),
    Table("statuses", key=("id",), partition=ACCOUNT_ONLY,
          columns={"id": ID, "user_id": ID, "message": STR, "updated_at": TS,
                   "user__id": ID, "user__name": STR},
          doc="Each user's current status."),
    Table("journal_entries", key=("id",), partition=ACCOUNT_ONLY,
          columns={"id": ID, "body": STR, **cols("created_at updated_at", TS),
                   **cols("user_id account_id user__id", ID), "user__name": STR},
          doc="Journal entries of every user."),
    Table("bookmarks", key=("id",), partition=ACCOUNT_ONLY,
          columns={**cols("id user_id bookmarkable_id", ID), "bookmarkable_type": STR,
                   "position": INT},
          doc="The authenticated user's bookmarks (Page or Tag)."),
    Table("calendars", key=("id",), partition=ACCOUNT_ONLY, drop=frozenset({"token"}),
          columns={**cols("id account_id", ID), **cols("name color ical_subscription_url", STR),
                   **cols("created_at updated_at", TS)},
          doc="Calendars. `token` (a webcal sharing secret) is deliberately not kept."),
    Table("calendar_events", key=("id",), partition=ACCOUNT_ONLY,
          columns={**cols("id calendar_id", ID), **cols("title message", STR),
                   **cols("remind all_day", BOOL),
                   **cols("occurs_at occurs_until reminded_at created_at updated_at", TS)},
          doc="Calendar events."),
])


REPORT = FamilyReport(
    title="Backpack",
    activity=Activity("journal entries", "author", (
        Series("journal_entries", "coalesce(user__name, 'user ' || user_id)"),)),
)
