"""The ws reads (POST with the token in the body): pages, lists, notes, e-mails, tags.

A page, list, e-mail or tag the token's user can't see is HTTP 200 with the ``Record not
found`` 404 envelope.
"""

from __future__ import annotations

from collections.abc import Mapping

from sandbox.backpack import render as render
from sandbox.backpack.answers import Answer, internal_error_envelope, not_found_envelope, ws
from sandbox.backpack.model import BackpackAccount, Page
from sandbox.backpack.xml import Node

Ids = Mapping[str, int]
Params = Mapping[str, str]


def _page(acct: BackpackAccount, ids: Ids) -> Page | None:
    page = acct.page(ids["page"])
    return page if page is not None and page.visible_to(acct.me_id) else None


def _searchable(page: Page) -> str:
    parts = [page.title, *(n.title for n in page.notes), *(n.body for n in page.notes),
             *(i.content for lst in page.lists for i in lst.items)]
    return "\n".join(parts).lower()


def pages_all(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    me = acct.me_id
    rows = [render.ws_page_row(p, p.scope_for(me)) for p in acct.pages_of(me)]
    return ws(render.envelope(Node("pages", children=rows)))


def pages_search(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    term = params.get("term")
    if term is None:
        return internal_error_envelope()
    needle = term.strip().lower()
    rows = [render.ws_page_row(p, None) for p in acct.pages_of(acct.me_id)
            if needle and needle in _searchable(p)]
    return ws(render.envelope(Node("pages", children=rows)))


def pages_show(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    page = _page(acct, ids)
    if page is None:
        return not_found_envelope()
    return ws(render.envelope(render.ws_page(page)))


def lists_list(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    page = _page(acct, ids)
    if page is None:
        return not_found_envelope()
    rows = [render.ws_list_row(lst) for lst in page.lists]
    return ws(render.envelope(Node("lists", children=rows)))


def list_items_list(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    page = _page(acct, ids)
    todo = next((lst for lst in page.lists if lst.id == ids["list"]), None) if page else None
    if todo is None:
        return not_found_envelope()
    rows = [render.ws_item(i, full=True) for i in todo.ordered_items()]
    return ws(render.envelope(Node("items", children=rows)))


def notes_list(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    page = _page(acct, ids)
    if page is None:
        return not_found_envelope()
    notes = sorted(page.notes, key=lambda n: (n.created_at, n.id))
    return ws(render.envelope(Node("notes", children=[render.ws_note(n) for n in notes])))


def emails_list(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    page = _page(acct, ids)
    if page is None:
        return not_found_envelope()
    rows = [render.ws_email(e) for e in page.emails]
    return ws(render.envelope(Node("emails", children=rows)))


def emails_show(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    page = _page(acct, ids)
    email = next((e for e in page.emails if e.id == ids["email"]), None) if page else None
    if email is None:
        return not_found_envelope()
    return ws(render.envelope(render.ws_email(email)))


def tags_select(acct: BackpackAccount, ids: Ids, query: Params, params: Params) -> Answer:
    if acct.tag(ids["tag"]) is None:
        return not_found_envelope()
    rows = [Node("page", [("id", str(p.id)), ("title", p.title)])
            for p in acct.tagged(ids["tag"], acct.me_id)]
    return ws(render.envelope(Node("pages", children=rows)))
