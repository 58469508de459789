"""Basecamp 2 sandbox requests: validation (User-Agent, suffix, auth, account, path), paging
and HTTP caching.
"""

from __future__ import annotations

import base64
import http.client
from dataclasses import replace
from datetime import timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

import pytest
import requests

from sandbox import SIZES, Sandbox
from tests.sandbox_bc2_support import CREDS, UA, Api, showcase


def test_user_agent__missing_gives_400(sb: Sandbox) -> None:
    """With no User-Agent header at all, expect 400."""
    token = base64.b64encode(f"{CREDS.username}:{CREDS.password}".encode()).decode()
    connection = http.client.HTTPConnection(urlsplit(sb.origin).netloc, timeout=10)
    connection.request("GET", f"/{sb.account_id}/api/v1/projects.json",
                       headers={"Authorization": f"Basic {token}"})
    assert connection.getresponse().status == 400
    connection.close()


def test_user_agent__empty_gives_400(sb: Sandbox) -> None:
    """With an empty User-Agent header, expect 400."""
    response = requests.get(f"{sb.base_url}/projects.json", auth=(CREDS.username, CREDS.password),
                            headers={"User-Agent": ""}, timeout=10)
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["/projects.xml", "/projects", "/people/me"])
def test_suffix__non_json_gives_415(api: Api, path: str) -> None:
    """With a path not ending in .json, expect 415."""
    assert api.get(path).status_code == 415


def test_auth__wrong_basic_password_gives_401(sb: Sandbox) -> None:
    """With a wrong Basic password, expect 401 and the Rails plain-text body."""
    response = requests.get(f"{sb.base_url}/projects.json", auth=(CREDS.username, "nope"),
                            headers={"User-Agent": UA}, timeout=10)
    assert response.status_code == 401
    assert "HTTP Basic: Access denied." in response.text


def test_auth__wrong_bearer_gives_401(sb: Sandbox) -> None:
    """With a wrong bearer token, expect 401."""
    response = requests.get(f"{sb.base_url}/projects.json", timeout=10,
                            headers={"User-Agent": UA, "Authorization": "Bearer wrong"})
    assert response.status_code == 401


def test_auth__missing_gives_401(sb: Sandbox) -> None:
    """With no Authorization header, expect 401."""
    response = requests.get(f"{sb.base_url}/projects.json", headers={"User-Agent": UA},
                            timeout=10)
    assert response.status_code == 401


def test_auth__bearer_token_accepted(sb: Sandbox) -> None:
    """With the right bearer token, expect 200."""
    response = requests.get(f"{sb.base_url}/people/me.json", timeout=10,
                            headers={"User-Agent": UA, "Authorization": f"Bearer {CREDS.token}"})
    assert response.status_code == 200
    assert response.json()["admin"] is True


def test_auth__default_credentials_are_random() -> None:
    """With no credentials given, expect different random secrets per instance."""
    first, second = Sandbox(), Sandbox()
    assert first.credentials.password != second.credentials.password
    assert first.credentials.token != second.credentials.token


def test_account__unknown_id_gives_404(sb: Sandbox, api: Api) -> None:
    """With an account id other than the sandbox's, expect 404."""
    response = api.get(sb.base_url.replace(str(sb.account_id), "123456") + "/projects.json")
    assert response.status_code == 404


def test_path__unknown_gives_404(api: Api) -> None:
    """With an unknown resource path, expect 404."""
    assert api.get("/nothing_here.json").status_code == 404
    assert api.get("/projects/1.json").status_code == 404


def test_paging__fifty_per_page_with_short_last_page(sb: Sandbox, api: Api) -> None:
    """With a project of 55+ to-dos, expect pages of 50, a short page, then []."""
    path = f"/projects/{showcase(sb.truth).id}/todos.json"
    first, second, third = (api.json(path, page=n) for n in (1, 2, 3))
    assert len(first) == 50
    assert 5 <= len(second) < 50
    assert third == []
    assert len({t["id"] for t in first + second}) == len(first) + len(second)


def test_paging__attachments_exceed_one_page(sb: Sandbox, api: Api) -> None:
    """With the showcase project's attachments, expect more than one page."""
    rows = api.all(f"/projects/{showcase(sb.truth).id}/attachments.json", sort="oldest")
    assert len(rows) > 50


def test_paging__projects_ignores_page(api: Api) -> None:
    """With page=2 on /projects.json, expect the same items as page 1."""
    assert api.json("/projects.json", page=2) == api.json("/projects.json")


def test_paging__people_ignores_page_and_returns_everyone(sb: Sandbox, api: Api) -> None:
    """With /people.json, expect every live person (over 50) on every page."""
    first = api.json("/people.json")
    assert len(first) == SIZES["tiny"].people > 50
    assert api.json("/people.json", page=2) == first


def test_caching__etag_gives_304(api: Api) -> None:
    """With If-None-Match set to the ETag, expect 304 and no body."""
    first = api.get("/projects.json")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = api.session.get(api.sb.base_url + "/projects.json", timeout=10,
                            headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag


def test_caching__if_modified_since_gives_304(api: Api) -> None:
    """With If-Modified-Since equal to Last-Modified, expect 304."""
    first = api.get("/topics.json")
    stamp = first.headers["Last-Modified"]
    again = api.session.get(api.sb.base_url + "/topics.json", timeout=10,
                            headers={"If-Modified-Since": stamp})
    assert again.status_code == 304


def test_caching__stale_validators_give_200(api: Api) -> None:
    """With an old ETag or an old date, expect a full 200."""
    old = format_datetime(api.sb.truth.now - timedelta(days=4000), usegmt=True)
    for headers in ({"If-None-Match": '"stale"'}, {"If-Modified-Since": old}):
        response = api.session.get(api.sb.base_url + "/topics.json", headers=headers, timeout=10)
        assert response.status_code == 200


def test_caching__mutation_changes_etag(fresh: Sandbox) -> None:
    """With a record edited in the truth, expect a new body and ETag."""
    api = Api(fresh)
    project = showcase(fresh.truth)
    path = f"/projects/{project.id}.json"
    before = api.get(path)
    project.name = "Renamed by a test"
    after = api.get(path)
    assert after.json()["name"] == "Renamed by a test"
    assert after.headers["ETag"] != before.headers["ETag"]


def test_caching__inserted_row_is_served(fresh: Sandbox) -> None:
    """With a to-do added to the truth, expect it in the list's to-dos and as a member."""
    api = Api(fresh)
    truth = fresh.truth
    template = truth.todos[next(iter(truth.todos))]
    todolist = truth.todolists[template.todolist_id]
    path = f"/projects/{todolist.project_id}/todolists/{todolist.id}/todos/remaining.json"
    before = {t["id"] for t in api.all(path)}
    todo = truth.todos.add(replace(template, id=truth.new_id(), topic_id=truth.new_id() + 1,
                                   content="Added by a test", completed_at=None, trashed=False))
    assert {t["id"] for t in api.all(path)} == before | {todo.id}
    assert api.json(f"/projects/{todolist.project_id}/todos/{todo.id}.json")["content"] == (
        "Added by a test")
