"""Backpack sandbox requests: the public API, the ws dialect (token in the body, envelopes), path
and header tokens, REST errors and the two timestamp forms.
"""

from __future__ import annotations

import re

import pytest
import requests

from sandbox import Sandbox
from tests.sandbox_backpack_support import TOKEN, XML, Client, envelope, root


def test_api__attributes_and_token_shape() -> None:
    """With default credentials, expect a random 40-hex token, no path prefix, named account."""
    with Sandbox(api="backpack") as one, Sandbox(api="backpack") as two:
        assert re.fullmatch(r"[0-9a-f]{40}", one.credentials.token)
        assert one.credentials.token != two.credentials.token
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", one.base_url)
        assert one.account == "sandbox" and isinstance(one.account_id, int)
        assert one.wrong_scheme_url != one.base_url


def test_ws__token_in_body_reads_pages(sb: Sandbox, client: Client) -> None:
    """With the token in the POST body, expect 200, success='true' and every visible page."""
    response = client.ws("/ws/pages/all")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    assert envelope(response) == ("true", None)
    ids = [int(p.get("id")) for p in root(response).iter("page")]
    assert ids == [p.id for p in client.truth.pages_of(client.truth.me_id)]
    assert {p.get("scope") for p in root(response).iter("page")} == {"personal", "friends"}


@pytest.mark.parametrize("token", ["", "0" * 40])
def test_ws__missing_or_wrong_token_gives_401_envelope(client: Client, token: str) -> None:
    """With an empty or wrong body token, expect HTTP 401 with a success='false' 401 envelope."""
    response = client.ws("/ws/pages/all", token=token)
    assert response.status_code == 401
    assert envelope(response) == ("false", "401")


def test_ws__body_without_xml_content_type_has_no_token(sb: Sandbox) -> None:
    """With the right body but a form content type, expect 401 (the body isn't read as XML)."""
    response = requests.post(sb.base_url + "/ws/pages/all", timeout=10,
                             data=f"<request><token>{TOKEN}</token></request>",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 401


def test_ws__get_gives_405(sb: Sandbox) -> None:
    """With GET on a ws read, expect 405 allowing only POST."""
    response = requests.get(sb.base_url + "/ws/pages/all", timeout=10)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


@pytest.mark.parametrize("kind", ["page", "list", "email", "tag", "hidden_page"])
def test_ws__unknown_id_gives_404_envelope_with_http_200(client: Client, kind: str) -> None:
    """With an unknown (or invisible) page/list/e-mail/tag id, expect HTTP 200 + error 404."""
    page = client.showcase
    hidden = next(p for p in client.truth.pages if not p.visible_to(client.truth.me_id))
    path = {
        "page": "/ws/page/999999",
        "list": f"/ws/page/{page.id}/lists/999999/items/list",
        "email": f"/ws/page/{page.id}/emails/show/999999",
        "tag": "/ws/tags/select/999999",
        "hidden_page": f"/ws/page/{hidden.id}",
    }[kind]
    response = client.ws(path)
    assert response.status_code == 200
    assert envelope(response) == ("false", "404")
    assert root(response).find("error").text == "Record not found"


@pytest.mark.parametrize("body", [b"<request><token>", b"<nope/>",
                                  b'<!DOCTYPE r [<!ENTITY a "b">]><request><token>&a;</token>'
                                  b"</request>"])
def test_ws__malformed_body_gives_500_envelope(sb: Sandbox, body: bytes) -> None:
    """With a malformed body, a wrong root or a DTD, expect HTTP 200 + success='false' 500."""
    response = requests.post(sb.base_url + "/ws/pages/all", data=body, headers=XML, timeout=10)
    assert response.status_code == 200
    assert envelope(response) == ("false", "500")


def test_ws__search_finds_pages_by_title_without_scope(client: Client) -> None:
    """With a word of a page title as <term>, expect that page among rows without scope."""
    rows = root(client.read("pages_search")).findall("pages/page")
    assert client.showcase.id in {int(r.get("id")) for r in rows}
    assert all(r.get("scope") is None for r in rows)


def test_ws__search_without_term_gives_500_envelope(client: Client) -> None:
    """With pages/search but no <term>, expect the bad-parameter 500 envelope."""
    assert envelope(client.ws("/ws/pages/search")) == ("false", "500")


def test_path_token__endpoints_check_the_path_segment(sb: Sandbox, client: Client) -> None:
    """With the token as the first path segment, expect 200; with a wrong one, 401."""
    me = client.truth.me_id
    for path in ("/me.xml", "/users.xml", "/reminders.xml", f"/users/{me}/export.xml",
                 f"/users/{me}/bookmarks.xml"):
        assert client.tokened(path).status_code == 200, path
        wrong = requests.get(f"{sb.base_url}/{'a' * 40}{path}", timeout=10,
                             headers={"X-BP-Token": TOKEN})
        assert wrong.status_code == 401, path


def test_header_auth__x_bp_token_and_basic_accepted(sb: Sandbox) -> None:
    """With X-BP-Token or Basic TOKEN:X, expect 200; with neither, 401 + WWW-Authenticate."""
    url = sb.base_url + "/statuses.xml"
    assert requests.get(url, headers={"X-BP-Token": TOKEN}, timeout=10).status_code == 200
    assert requests.get(url, auth=(TOKEN, "X"), timeout=10).status_code == 200
    denied = requests.get(url, auth=("someone", TOKEN), timeout=10)
    assert denied.status_code == 401
    assert "WWW-Authenticate" in denied.headers


def test_rest__unknown_path_gives_404(client: Client) -> None:
    """With an undocumented path, expect a plain 404."""
    assert client.rest("/nope.xml").status_code == 404
    assert client.ws("/ws/pages/nope").status_code == 404


def test_status__user_without_status_gives_404(client: Client) -> None:
    """With a user who never set a status, expect 404 and no row in statuses.xml."""
    silent = next(u for u in client.truth.users if u.status is None)
    assert client.rest(f"/users/{silent.id}/status.xml").status_code == 404
    listed = {int(s.findtext("user-id")) for s in root(client.rest("/statuses.xml"))}
    assert silent.id not in listed and client.truth.me_id in listed


def test_journal__show_of_someone_elses_entry_gives_403(client: Client) -> None:
    """With another user's journal entry id, expect 403; with one's own, 200."""
    other = next(e for e in client.truth.journal if e.user_id != client.truth.me_id)
    assert client.rest(f"/journal_entries/{other.id}.xml").status_code == 403
    assert client.read("journal_entry_show").status_code == 200


def test_bookmarks__other_user_gives_403(client: Client) -> None:
    """With another user's bookmarks, expect 403 (only the current user's are readable)."""
    other = client.truth.users[1].id
    assert client.tokened(f"/users/{other}/bookmarks.xml").status_code == 403


def test_timestamps__ws_naive_rest_utc(client: Client) -> None:
    """With notes and journal rows, expect naive ws times and ISO UTC 'Z' REST times."""
    note = root(client.read("notes_list")).find("notes/note")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", note.get("created_at"))
    assert note.text.startswith("\n") and note.text.endswith("\n    ")
    entry = root(client.read("journal_entries_list")).find("journal-entry")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry.findtext("created-at"))
    zone = root(client.read("users_me")).findtext("time-zone-id")
    assert zone == "Eastern Time (US & Canada)"
