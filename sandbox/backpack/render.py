"""Backpack records as XML nodes, in the dialect and field order of the reference examples.

ws (attribute style, underscores, naive local times) and REST (typed elements, dashes, UTC
``Z``) are kept apart here; reminders and the export are the documented hybrids (REST paths,
underscore names / attribute-style root, naive times). Empty page sections (no galleries,
attachments, ...) are left out, as the pages/show example leaves them out.
"""

from __future__ import annotations

from datetime import datetime

from sandbox.backpack.model import (
    BackpackAccount,
    Bookmark,
    Calendar,
    CalendarEvent,
    Email,
    Item,
    JournalEntry,
    Note,
    Page,
    Reminder,
    Status,
    TodoList,
    User,
)
from sandbox.backpack.time import rest_time, ws_time
from sandbox.backpack.xml import Node

# ---------------------------------------------------------------------- REST typed elements


def integer(tag: str, value: int) -> Node:
    return Node(tag, [("type", "integer")], text=str(value))


def boolean(tag: str, value: bool) -> Node:
    return Node(tag, [("type", "boolean")], text="true" if value else "false")


def moment(tag: str, value: datetime | None) -> Node:
    """A datetime element; a missing one is empty text, as in the calendar-event reference."""
    return Node(tag, [("type", "datetime")], text=rest_time(value))


def text(tag: str, value: str | None) -> Node:
    return Node(tag, [("nil", "true")]) if value is None else Node(tag, text=value)


def array(tag: str, children: list[Node]) -> Node:
    return Node(tag, [("type", "array")], children)


# ---------------------------------------------------------------------- ws envelopes


def envelope(*children: Node) -> Node:
    return Node("response", [("success", "true")], list(children))


def error_envelope(code: int, message: str) -> Node:
    return Node("response", [("success", "false")],
                [Node("error", [("code", str(code))], text=message)])


# ---------------------------------------------------------------------- ws records


def ws_page_row(page: Page, scope: str | None) -> Node:
    """pages/all rows carry scope; pages/search and tags/select rows don't."""
    attrs = [("scope", scope)] if scope else []
    return Node("page", [*attrs, ("title", page.title), ("id", str(page.id))])


def ws_note(note: Note) -> Node:
    return Node("note", [("id", str(note.id)), ("title", note.title),
                         ("created_at", ws_time(note.created_at))], text=note.body, block=True)


def ws_email(email: Email) -> Node:
    return Node("email", [("id", str(email.id)), ("title", email.title),
                          ("created_at", ws_time(email.created_at))], text=email.body, block=True)


def ws_list_row(todo: TodoList) -> Node:
    return Node("list", [("id", str(todo.id)), ("name", todo.name)])


def ws_item(item: Item, *, full: bool) -> Node:
    """items/list rows add ``list_id`` and ``updated_at``; page-embedded items don't."""
    attrs = [("id", str(item.id))]
    if full:
        attrs.append(("list_id", str(item.list_id)))
    attrs.append(("completed", "true" if item.completed else "false"))
    if full:
        attrs.append(("updated_at", ws_time(item.updated_at)))
    return Node("item", attrs, text=item.content)


def ws_page(page: Page) -> Node:
    """The full page record (data_reference Page), used by pages/show and the export."""
    children: list[Node] = []
    if page.belongings:
        children.append(Node("belongings", children=[
            Node("belonging", [("id", str(b.id))], [
                Node("position", text=str(b.position)),
                Node("widget", [("type", b.widget_type), ("id", str(b.widget_id))]),
            ])
            for b in page.belongings
        ]))
    notes = sorted(page.notes, key=lambda n: _position(page, "Note", n.id))
    if notes:
        children.append(Node("notes", children=[
            Node("note", [("title", n.title), ("id", str(n.id)),
                          ("created_at", ws_time(n.created_at))], text=n.body, block=True)
            for n in notes
        ]))
    if page.lists:
        children.append(Node("lists", children=[
            Node("list", [("id", str(lst.id)), ("name", lst.name)], [
                Node("items", children=[ws_item(i, full=False) for i in lst.ordered_items()]),
            ] if lst.items else [])
            for lst in sorted(page.lists, key=lambda x: _position(page, "List", x.id))
        ]))
    if page.galleries:
        children.append(Node("galleries", children=[
            Node("gallery", [("id", str(g.id)), ("name", g.name)], [
                Node("images", children=[
                    Node("image", [("id", str(i.id)), ("file_name", i.file_name),
                                   ("gallery_id", str(i.gallery_id)),
                                   ("description", i.description)])
                    for i in g.images
                ]),
            ] if g.images else [])
            for g in page.galleries
        ]))
    if page.attachments:
        children.append(Node("attachments", children=[
            Node("attachment", [("id", str(a.id)), ("file_name", a.file_name)])
            for a in page.attachments
        ]))
    if page.tags:
        children.append(Node("tags", children=[
            Node("tag", [("name", t.name), ("id", str(t.id))]) for t in page.tags
        ]))
    attrs = [("title", page.title), ("id", str(page.id)), ("email_address", page.email_address)]
    return Node("page", attrs, children)


def _position(page: Page, kind: str, widget_id: int) -> int:
    return next((b.position for b in page.belongings
                 if b.widget_type == kind and b.widget_id == widget_id), 0)


# ---------------------------------------------------------------------- REST records


def reminder(acct: BackpackAccount, row: Reminder) -> Node:
    """Reminders keep underscores and naive local ``remind_at`` (reference §1, §9)."""
    creator = acct.user(row.creator_id)
    remindees = [u for u in (acct.user(i) for i in row.remindee_ids) if u is not None]
    return Node("reminder", [("id", str(row.id))], [
        Node("remind_at", text=ws_time(row.remind_at)),
        Node("content", text=row.content),
        Node("creator", [("id", str(row.creator_id)),
                         ("name", creator.name if creator else "")]),
        Node("remindees", children=[
            Node("user", [("id", str(u.id)), ("name", u.name)]) for u in remindees
        ]),
    ])


def me(acct: BackpackAccount) -> Node:
    user = acct.me
    return Node("user", children=[
        integer("account-id", acct.account_id),
        moment("created-at", user.created_at),
        integer("id", user.id),
        text("identity-url", None),
        text("mobile-phone-host", None),
        text("mobile-phone-number", None),
        boolean("remind-via-email", True),
        boolean("remind-via-mobile", False),
        text("reminder-address", user.email_address),
        integer("start-page-id", acct.start_page_id),
        text("time-zone-id", acct.time_zone),
        moment("updated-at", user.updated_at),
        boolean("use-24h-clock", False),
        text("name", user.name),
        text("email-address", user.email_address),
        boolean("admin", True),
    ])


def user_row(user: User) -> Node:
    return Node("user", children=[integer("id", user.id), text("name", user.name)])


def export(acct: BackpackAccount, user: User) -> Node:
    """Attribute-style root on a REST path: every page and reminder of the user."""
    return Node("user", [("id", str(user.id)), ("name", user.name), ("account", acct.account)], [
        Node("pages", children=[ws_page(p) for p in acct.pages_of(user.id)]),
        Node("reminders", children=[reminder(acct, r) for r in acct.reminders_of(user.id)]),
    ])


def status(row: Status, user: User | None) -> Node:
    """List rows embed ``user``; the member form (``user`` None) doesn't."""
    children = [
        integer("id", row.id),
        text("message", row.message),
        moment("updated-at", row.updated_at),
        integer("user-id", row.user_id),
    ]
    if user is not None:
        children.append(Node("user", children=[integer("id", user.id), text("name", user.name)]))
    return Node("status", children=children)


def journal_row(entry: JournalEntry, user: User) -> Node:
    return Node("journal-entry", children=[
        text("body", entry.body),
        moment("created-at", entry.created_at),
        integer("id", entry.id),
        moment("updated-at", entry.updated_at),
        Node("user", children=[integer("id", user.id), text("name", user.name)]),
    ])


def journal_member(acct: BackpackAccount, entry: JournalEntry) -> Node:
    return Node("journal-entry", children=[
        integer("account-id", acct.account_id),
        text("body", entry.body),
        moment("created-at", entry.created_at),
        integer("id", entry.id),
        moment("updated-at", entry.updated_at),
        integer("user-id", entry.user_id),
    ])


def bookmark(row: Bookmark) -> Node:
    return Node("bookmark", children=[
        integer("id", row.id),
        integer("user-id", row.user_id),
        Node("bookmarkable-type", [("type", "string")], text=row.bookmarkable_type),
        integer("bookmarkable-id", row.bookmarkable_id),
        integer("position", row.position),
        moment("created-at", row.created_at),
    ])


def calendar(acct: BackpackAccount, row: Calendar) -> Node:
    return Node("calendar", children=[
        integer("account-id", acct.account_id),
        text("color", row.color),
        moment("created-at", row.created_at),
        text("ical-subscription-url", row.ical_subscription_url),
        integer("id", row.id),
        text("name", row.name),
        text("token", row.token),
        moment("updated-at", row.updated_at),
    ])


def calendar_event(row: CalendarEvent) -> Node:
    return Node("calendar-event", children=[
        boolean("all-day", row.all_day),
        integer("calendar-id", row.calendar_id),
        moment("created-at", row.created_at),
        integer("id", row.id),
        text("message", row.message),
        moment("occurs-at", row.occurs_at),
        moment("occurs-until", row.occurs_until),
        boolean("remind", row.remind),
        moment("reminded-at", row.reminded_at),
        text("title", row.title),
        moment("updated-at", row.updated_at),
    ])
