"""Tests for the Basecamp 4 sandbox: HTTP behaviour, OAuth, paging, oracle and fidelity.

Everything runs against tiny accounts on loopback with plain ``requests``. The fidelity tests
validate served payloads against openapi.json (with ``jsonschema``, already installed) and the
official fixtures; they skip only when ``/work/shared`` is absent.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from sandbox import Bc4Credentials, Sandbox
from sandbox.bc4.data_base import BIG_ID
from sandbox.bc4.model import LISTABLE_TYPES, STATUSES
from sandbox.bc4.paging import GROUPED_GEAR, pages_needed

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "bc4"
UA = "sandbox-tests (tests@example.com)"
COMMENTABLE_KEYS = "comments_count"
EVERYTHING_TODOS = ("/todos/open.json", "/todos/completed.json")
EVERYTHING_CARDS = ("/cards/open.json", "/cards/completed.json", "/cards/not_now.json")


# ---------------------------------------------------------------------- helpers
class Client:
    """Small bearer-token client that follows ``Link`` headers and records collections."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.session = requests.Session()
        self.collections: list[tuple[str, Any]] = []
        self.members: list[tuple[str, Any]] = []

    def headers(self) -> dict[str, str]:
        return {"User-Agent": UA, "Authorization": f"Bearer {self.sb.credentials.token}"}

    def get(self, url: str, **params: str) -> requests.Response:
        if not url.startswith("http"):
            url = self.sb.base_url + url
        return self.session.get(url, params=params or None, headers=self.headers(), timeout=10)

    def member(self, url: str, keep: bool = False) -> Any:
        """One object; ``keep`` records it for the openapi and fixture checks."""
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if keep:
            self.members.append((response.url, response.json()))
        return response.json()

    def walk(self, url: str, **params: str) -> list[Any]:
        """Every row of a collection, following ``rel="next"``."""
        rows: list[Any] = []
        response = self.get(url, **params)
        while True:
            assert response.status_code == 200, (response.url, response.status_code)
            page = response.json()
            self.collections.append((response.url, page))
            rows += page
            link = response.headers.get("Link", "")
            found = re.search(r'<([^>]+)>;\s*rel="next"', link)
            if not found:
                return rows
            response = self.get(found.group(1))


def page_sizes(client: Client, url: str) -> tuple[list[int], int]:
    """Rows per page following absolute same-origin Links, and the constant X-Total-Count."""
    response = client.get(url)
    total = int(response.headers["X-Total-Count"])
    sizes: list[int] = []
    while True:
        assert response.headers["X-Total-Count"] == str(total)
        sizes.append(len(response.json()))
        link = response.headers.get("Link")
        if not link:
            return sizes, total
        found = re.fullmatch(r'<([^>]+)>; rel="next"', link)
        assert found and found.group(1).startswith(client.sb.origin + "/"), link
        response = client.get(found.group(1))


def container_walk(client: Client) -> int:
    """Read the account the slow way (every container, every status); returns rows seen."""
    seen = 0
    projects = []
    for status in STATUSES:
        projects += client.walk("/projects.json", status=status)
    for path in ("/people.json", "/templates.json", "/reports/gauges.json",
                 "/lineup/markers.json"):
        seen += len(client.walk(path))
    chats = client.walk("/chats.json")
    seen += len(chats)
    if chats:  # chatbots are account-wide: any campfire lists them all
        first = chats[0]
        seen += len(client.walk(
            f"/buckets/{first['bucket']['id']}/chats/{first['id']}/integrations.json"))
    commentable: list[dict[str, Any]] = []
    for project in projects:
        if project["status"] == "trashed":
            continue
        pid = project["id"]
        seen += len(client.walk(f"/projects/{pid}/people.json"))
        seen += len(client.walk(f"/buckets/{pid}/categories.json"))
        seen += len(client.walk(f"/buckets/{pid}/webhooks.json"))
        seen += len(client.walk(f"/projects/{pid}/timesheet.json"))
        seen += len(client.walk(f"/projects/{pid}/gauge/needles.json"))
        if project["clients_enabled"]:
            for kind in ("approvals", "correspondences"):
                for item in client.walk(f"/buckets/{pid}/client/{kind}.json"):
                    seen += 1 + len(client.walk(item["replies_url"]))
        for tool in project["dock"]:
            if tool["enabled"]:
                commentable += _walk_tool(client, tool)
    for item in commentable:
        if item.get(COMMENTABLE_KEYS):
            seen += len(client.walk(item["comments_url"]))
    return seen + len(commentable)


def _walk_tool(client: Client, tool: dict[str, Any]) -> list[dict[str, Any]]:
    root = client.member(tool["url"])
    name = tool["name"]
    rows: list[dict[str, Any]] = []
    if name == "todoset":
        lists: list[dict[str, Any]] = []
        for status in STATUSES:
            lists += client.walk(root["todolists_url"], status=status)
        for todolist in list(lists):
            for status in STATUSES:
                lists += client.walk(todolist["groups_url"], status=status)
        for todolist in lists:
            rows += client.walk(todolist["todos_url"])
            rows += client.walk(todolist["todos_url"], completed="true")
            for status in STATUSES[1:]:
                rows += client.walk(todolist["todos_url"], status=status)
        rows += lists
    elif name == "message_board":
        rows += client.walk(root["messages_url"])
    elif name == "vault":
        vaults = [root]
        while vaults:
            vault = vaults.pop()
            rows += client.walk(vault["documents_url"]) + client.walk(vault["uploads_url"])
            vaults += client.walk(vault["vaults_url"])
    elif name == "schedule":
        for status in STATUSES:
            rows += client.walk(root["entries_url"], status=status)
    elif name == "chat":
        client.walk(root["lines_url"])
    elif name == "questionnaire":
        for question in client.walk(root["questions_url"]):
            rows += client.walk(question["answers_url"])
    elif name == "inbox":
        for forward in client.walk(root["forwards_url"]):
            client.walk(forward["replies_url"])
    elif name == "kanban_board":
        for column in root["lists"]:
            rows += client.walk(column["cards_url"])
            if "on_hold" in column:
                rows += client.walk(column["on_hold"]["cards_url"])
    return rows


def recordings_strategy(client: Client) -> int:
    """Read the account the cheap way: projects, people and the recordings listing."""
    projects = []
    for status in STATUSES:
        projects += client.walk("/projects.json", status=status)
    client.walk("/people.json")
    archived = ",".join(str(p["id"]) for p in projects if p["status"] == "archived")
    seen = 0
    for kind in LISTABLE_TYPES:
        for status in STATUSES:
            seen += len(client.walk("/projects/recordings.json", type=kind, status=status,
                                    sort="updated_at", direction="desc"))
            if archived:
                seen += len(client.walk("/projects/recordings.json", type=kind, status=status,
                                        bucket=archived))
    return seen


BOOSTED_TYPES = ("Comment", "Document", "Kanban::Card", "Message", "Question::Answer",
                 "Schedule::Entry", "Todo", "Todolist", "Upload")


def extras_walk(client: Client) -> None:
    """Read every extra collection once (no resource twice), keeping one member of each kind."""
    projects = client.walk("/projects.json") + client.walk("/projects.json", status="archived")
    client.walk("/lineup/markers.json")
    for gauge in client.walk("/reports/gauges.json"):
        assert gauge["type"] == "Gauge"
    for project in projects:
        pid = project["id"]
        for needle in client.walk(f"/projects/{pid}/gauge/needles.json")[:1]:
            client.member(f"/gauge_needles/{needle['id']}.json", keep=True)
        for hook in client.walk(f"/buckets/{pid}/webhooks.json")[:1]:
            client.member(f"/webhooks/{hook['id']}.json", keep=True)
        entries = client.walk(f"/projects/{pid}/timesheet.json")
        for entry in entries[:1]:
            client.member(f"/timesheet_entries/{entry['id']}.json", keep=True)
        for parent in sorted({e["parent"]["id"] for e in entries
                              if e["parent"]["type"] != "Project"})[:3]:
            client.walk(f"/recordings/{parent}/timesheet.json")
        for tool in project["dock"]:
            if tool["name"] == "chat" and tool["enabled"]:
                for bot in client.walk(f"/buckets/{pid}/chats/{tool['id']}/integrations.json"):
                    client.member(bot["url"], keep=True)
    boosted = []
    for kind in BOOSTED_TYPES:
        rows = client.walk("/projects/recordings.json", type=kind)
        boosted += [r for r in rows if r["boosts_count"]]
        for row in rows[:1]:
            whole = client.member(row["url"])
            if "subscription_url" in whole:
                client.member(whole["subscription_url"], keep=True)
        if kind == "Upload":
            for upload in rows:
                for version in client.walk(f"/uploads/{upload['id']}/versions.json")[:1]:
                    client.walk(version["boosts_url"])
    for row in boosted:
        for boost in client.walk(row["boosts_url"])[:1]:
            client.member(f"/boosts/{boost['id']}.json", keep=True)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(api="bc4", size="tiny", seed=0, rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb: Sandbox) -> Client:
    return Client(sb)


def walk_everything(client: Client) -> Client:
    """Every collection the sandbox serves, once: the walk, the listings, the extras."""
    container_walk(client)
    recordings_strategy(client)
    for path in EVERYTHING_TODOS + EVERYTHING_CARDS:
        client.walk(path)
    extras_walk(client)
    return client


@pytest.fixture(scope="module")
def walked() -> Iterator[Client]:
    """One full container walk of a tiny account, shared by the fidelity tests."""
    with Sandbox(api="bc4", size="tiny", seed=0, rate_limit=None) as sandbox:
        yield walk_everything(Client(sandbox))


@pytest.fixture(scope="module")
def default_sb() -> Iterator[Sandbox]:
    """A default-size account: enough projects for the grouped lists to span several pages."""
    with Sandbox(api="bc4", size="default", seed=0, rate_limit=None) as sandbox:
        yield sandbox


def showcase_list(sb: Sandbox, client: Client) -> str:
    """``todos_url`` of the 120-to-do list in the showcase project."""
    project = next(p for p in client.walk("/projects.json") if p["clients_enabled"])
    todoset = client.member(next(t["url"] for t in project["dock"] if t["name"] == "todoset"))
    todolist = client.walk(todoset["todolists_url"])[0]
    return todolist["todos_url"]


# ---------------------------------------------------------------------- headers and auth
def test_user_agent__missing(sb: Sandbox, client: Client) -> None:
    """With no User-Agent, expect 400."""
    headers = {"Authorization": f"Bearer {sb.credentials.token}", "User-Agent": ""}
    assert requests.get(sb.base_url + "/projects.json", headers=headers).status_code == 400


def test_auth__missing_token(sb: Sandbox) -> None:
    """With no Authorization header, expect 401 with a Bearer challenge."""
    response = requests.get(sb.base_url + "/projects.json", headers={"User-Agent": UA})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_auth__basic_refused(sb: Sandbox) -> None:
    """With HTTP Basic (even carrying the token), expect 401: BC4 is Bearer only."""
    response = requests.get(sb.base_url + "/projects.json", headers={"User-Agent": UA},
                            auth=("me", sb.credentials.token))
    assert response.status_code == 401


def test_auth__wrong_token(sb: Sandbox) -> None:
    """With an unknown bearer token, expect 401."""
    headers = {"User-Agent": UA, "Authorization": "Bearer nope"}
    assert requests.get(sb.base_url + "/projects.json", headers=headers).status_code == 401


def test_addresses__shape(sb: Sandbox) -> None:
    """With a bc4 sandbox, expect base_url = origin/account_id and launchpad under origin."""
    assert sb.base_url == f"{sb.origin}/{sb.account_id}"
    assert sb.launchpad_url == f"{sb.origin}/launchpad"
    assert isinstance(sb.account_id, int)


# ---------------------------------------------------------------------- paging
def test_paging__geared_link_and_total(sb: Sandbox, client: Client) -> None:
    """With a long to-do list, expect pages of 15, 30, 50..., absolute Links, X-Total-Count."""
    sizes, total = page_sizes(client, showcase_list(sb, client))
    assert sum(sizes) == total
    assert len(sizes) >= 3 and sizes[:-1] == [15, 30, 50, 100][: len(sizes) - 1]
    assert len(sizes) == pages_needed((15, 30, 50, 100), total)


def test_paging__custom_gear() -> None:
    """With page_gear=(2, 3), expect pages of 2, 3, 3, ... and an oracle that agrees."""
    with Sandbox(api="bc4", rate_limit=None, page_gear=(2, 3)) as sb:
        client = Client(sb)
        rows = client.walk("/people.json")
        sizes = [len(page) for _, page in client.collections]
        assert sizes[:2] == [2, 3] and sum(sizes) == len(rows)
        assert sb.minimum_requests() == len(sizes)


def test_paging__past_end(sb: Sandbox, client: Client) -> None:
    """With a page beyond the last, expect an empty array and no Link."""
    response = client.get("/people.json", page="50")
    assert response.json() == [] and "Link" not in response.headers


def test_oracle__counts_gears(sb: Sandbox, client: Client) -> None:
    """With one geared walk and an empty list, expect the oracle to count pages, empties as 1."""
    url = showcase_list(sb, client)
    sb.reset_log()
    rows = client.walk(url)
    client.walk(url, status="trashed")
    expected = pages_needed((15, 30, 50, 100), len(rows)) + 1
    assert sb.minimum_requests() == expected


# ---------------------------------------------------------------------- caching, limits, faults
def test_etag__not_modified(sb: Sandbox, client: Client) -> None:
    """With If-None-Match of the previous ETag, expect 304 and an empty body."""
    first = client.get("/projects.json")
    etag = first.headers["ETag"]
    second = client.session.get(sb.base_url + "/projects.json",
                                headers={**client.headers(), "If-None-Match": etag})
    assert second.status_code == 304 and second.content == b""


def test_rate_limit__retry_after() -> None:
    """With a 3-per-10s limit, expect the 4th request to get 429 with Retry-After."""
    with Sandbox(api="bc4", rate_limit=(3, 10.0)) as sb:
        client = Client(sb)
        statuses = [client.get("/people.json").status_code for _ in range(4)]
        assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
        assert int(client.get("/people.json").headers["Retry-After"]) >= 1


def test_rate_limit__default_is_50_per_10s() -> None:
    """With no rate_limit given, expect BC4's documented 50 requests per 10 s."""
    with Sandbox(api="bc4") as sb:
        assert sb._server.limiter is not None
        assert (sb._server.limiter.limit, sb._server.limiter.window) == (50, 10.0)


def test_faults__injected(sb: Sandbox, client: Client) -> None:
    """With an injected 503 on projects, expect one 503 then success."""
    sb.inject("503", r"/projects\.json$", times=1)
    assert client.get("/projects.json").status_code == 503
    assert client.get("/projects.json").status_code == 200


# ---------------------------------------------------------------------- OAuth and Launchpad
def refresh(sb: Sandbox, token: str, **extra: str) -> requests.Response:
    creds = sb.credentials
    assert isinstance(creds, Bc4Credentials)
    data = {"grant_type": "refresh_token", "refresh_token": token,
            "client_id": creds.client_id, "client_secret": creds.client_secret, **extra}
    return requests.post(sb.launchpad_url + "/authorization/token", data=data,
                         headers={"User-Agent": UA})


def test_oauth__expired_then_refreshed(sb: Sandbox, client: Client) -> None:
    """With an expired token, expect 401, then a refresh with a rotated token that works."""
    creds = sb.credentials
    assert isinstance(creds, Bc4Credentials)
    old_refresh = creds.refresh_token
    sb.expire_token()
    assert client.get("/projects.json").status_code == 401
    response = refresh(sb, old_refresh)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    assert body["refresh_token"] != old_refresh
    headers = {"User-Agent": UA, "Authorization": f"Bearer {body['access_token']}"}
    assert requests.get(sb.base_url + "/projects.json", headers=headers).status_code == 200
    assert refresh(sb, old_refresh).status_code == 400


def test_oauth__legacy_type_refresh(sb: Sandbox) -> None:
    """With the legacy ``type=refresh`` parameter, expect a successful refresh."""
    creds = sb.credentials
    assert isinstance(creds, Bc4Credentials)
    response = refresh(sb, creds.refresh_token, type="refresh", grant_type="")
    assert response.status_code == 200


def test_oauth__revoked(sb: Sandbox, client: Client) -> None:
    """With a revoked grant, expect 401 on the API and 400 invalid_grant on refresh."""
    creds = sb.credentials
    assert isinstance(creds, Bc4Credentials)
    sb.revoke()
    assert client.get("/projects.json").status_code == 401
    response = refresh(sb, creds.refresh_token)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_oauth__wrong_client_secret(sb: Sandbox) -> None:
    """With a wrong client secret, expect 401 invalid_client."""
    creds = sb.credentials
    assert isinstance(creds, Bc4Credentials)
    assert refresh(sb, creds.refresh_token, client_secret="x").status_code == 401


def test_launchpad__authorization_lists_bc3(sb: Sandbox, client: Client) -> None:
    """With a valid token, expect authorization.json to list the bc3 account among others."""
    body = client.member(sb.launchpad_url + "/authorization.json")
    bc3 = [a for a in body["accounts"] if a["product"] == "bc3"]
    assert [a["href"] for a in bc3] == [sb.base_url]
    assert {a["product"] for a in body["accounts"]} > {"bc3"}
    assert "identity" in body and "expires_at" in body


def test_launchpad__needs_token(sb: Sandbox) -> None:
    """With no token, expect authorization.json to answer 401."""
    response = requests.get(sb.launchpad_url + "/authorization.json", headers={"User-Agent": UA})
    assert response.status_code == 401


def test_request_log__no_secrets(sb: Sandbox, client: Client) -> None:
    """With API calls and a refresh, expect no token or secret anywhere in the log."""
    creds = sb.credentials
    assert isinstance(creds, Bc4Credentials)
    client.get("/projects.json")
    requests.post(sb.launchpad_url + "/authorization/token",
                  params={"type": "refresh", "refresh_token": creds.refresh_token,
                          "client_id": creds.client_id, "client_secret": creds.client_secret},
                  headers={"User-Agent": UA})
    text = json.dumps(sb.requests)
    for secret in creds.secrets():
        assert secret not in text


# ---------------------------------------------------------------------- data
def test_ids__big_ints_survive(sb: Sandbox, client: Client) -> None:
    """With ids above 2**53, expect them exact through an int-keeping JSON parser."""
    raw = client.get("/projects.json").text
    ids = [p["id"] for p in json.loads(raw)]
    assert any(i > 2**53 for i in ids)
    todos = client.walk("/projects/recordings.json", type="Todo")
    assert any(t["id"] > 2**53 for t in todos)
    messages = client.walk("/projects/recordings.json", type="Message")
    assert BIG_ID in {m["id"] for m in messages}
    people = client.walk("/people.json")
    assert any(p["id"] > 2**53 for p in people)


def test_ids__system_person_string(sb: Sandbox, client: Client) -> None:
    """With campfire lines, expect some creators to be a LocalPerson with a string id."""
    creators = [line["creator"] for chat in client.walk("/chats.json")
                for line in client.walk(chat["lines_url"])]
    system = [c for c in creators if c["personable_type"] == "LocalPerson"]
    assert system and all(isinstance(c["id"], str) for c in system)


def test_dock__several_and_disabled(sb: Sandbox, client: Client) -> None:
    """With the tiny account, expect a project with two to-do sets and some disabled tools."""
    projects = client.walk("/projects.json") + client.walk("/projects.json", status="archived")
    docks = [p["dock"] for p in projects]
    assert any(sum(t["name"] == "todoset" for t in dock) > 1 for dock in docks)
    disabled = [t for dock in docks for t in dock if not t["enabled"]]
    assert disabled and all(t["position"] is None for t in disabled)


def test_status__archived_and_trashed(sb: Sandbox, client: Client) -> None:
    """With status=archived|trashed, expect projects and recordings in those states."""
    for status in ("archived", "trashed"):
        assert {p["status"] for p in client.walk("/projects.json", status=status)} == {status}
        rows = client.walk("/projects/recordings.json", type="Todo", status=status)
        assert rows and {r["status"] for r in rows} == {status}


def test_todos__completed_filter(sb: Sandbox, client: Client) -> None:
    """With completed=true, expect only completed to-dos; without it, only pending ones."""
    url = showcase_list(sb, client)
    assert {t["completed"] for t in client.walk(url)} == {False}
    assert {t["completed"] for t in client.walk(url, completed="true")} == {True}


def test_recordings__type_required(sb: Sandbox, client: Client) -> None:
    """With no type on the recordings listing, expect 400 with a JSON error."""
    response = client.get("/projects/recordings.json")
    assert response.status_code == 400 and "error" in response.json()


def test_recordings__sorted_by_updated(sb: Sandbox, client: Client) -> None:
    """With sort=updated_at&direction=desc, expect non-increasing updated_at."""
    from datetime import datetime

    rows = client.walk("/projects/recordings.json", type="Todo", sort="updated_at",
                       direction="desc")
    stamps = [datetime.fromisoformat(r["updated_at"].replace("Z", "+00:00")) for r in rows]
    assert stamps == sorted(stamps, reverse=True)


def test_determinism__same_seed(sb: Sandbox) -> None:
    """With the same size and seed, expect identical bodies; another seed differs."""
    def body(seed: int) -> bytes:
        with Sandbox(api="bc4", seed=seed, rate_limit=None) as other:
            headers = {"User-Agent": UA, "Authorization": f"Bearer {other.credentials.token}"}
            text = requests.get(other.base_url + "/projects/recordings.json?type=Todo",
                                headers=headers).text
            return text.replace(other.origin, "ORIGIN").encode()
    assert body(0) == body(0) != body(1)


def test_strategies__recordings_cheaper() -> None:
    """With a tiny account, expect the recordings listing to cost far fewer requests."""
    with Sandbox(api="bc4", rate_limit=None) as sb:
        walk = Client(sb)
        container_walk(walk)
        slow = sb.minimum_requests()
        sb.reset_log()
        recordings_strategy(walk)
        fast = sb.minimum_requests()
    assert fast < slow


def test_recordings__todo_content_is_title(sb: Sandbox, client: Client) -> None:
    """With type=Todo, expect content to be the title, as in the full Todo, not the HTML."""
    rows = client.walk("/projects/recordings.json", type="Todo")
    assert rows
    for row in rows[:10]:
        assert row["content"] == row["title"] == client.member(row["url"])["content"]


# ---------------------------------------------------------------------- everything (BC5)
def _live(sb: Sandbox, kind: str) -> dict[int, Any]:
    """Truth: active recordings of ``kind`` in active, non-template projects, by id."""
    live = {p.id for p in sb.truth.projects.values() if p.status == "active" and not p.template}
    return {r.id: r for r in sb.truth.recordings.values()
            if r.type == kind and r.status == "active" and r.bucket_id in live}


def _grouped(client: Client, path: str, key: str) -> list[dict[str, Any]]:
    """Items of a grouped list, checking each sits in the group of its own project."""
    rows = []
    for group in client.walk(path):
        assert group[key] and {r["bucket"]["id"] for r in group[key]} == {group["bucket"]["id"]}
        rows += group[key]
    return rows


def test_everything__todos_match_truth(default_sb: Sandbox) -> None:
    """With open and completed to-dos, expect exactly the live to-dos, ``completed`` right."""
    client = Client(default_sb)
    truth = _live(default_sb, "Todo")
    served = {path: _grouped(client, path, "todos") for path in EVERYTHING_TODOS}
    ids = [t["id"] for rows in served.values() for t in rows]
    assert len(ids) == len(set(ids)) and set(ids) == set(truth)
    for path, rows in served.items():
        assert {t["completed"] for t in rows} == {path == "/todos/completed.json"}
        assert all(t["completed"] == truth[t["id"]].extra["completed"] for t in rows)


def test_everything__cards_partition(default_sb: Sandbox) -> None:
    """With open, completed and not-now cards, expect a partition of the live cards."""
    client = Client(default_sb)
    truth = _live(default_sb, "Kanban::Card")
    served = {path: {c["id"] for c in _grouped(client, path, "cards")}
              for path in EVERYTHING_CARDS}
    assert sum(len(ids) for ids in served.values()) == len(truth)
    assert set().union(*served.values()) == set(truth)
    columns = default_sb.truth.recordings
    not_now = {i for i, c in truth.items()
               if columns[c.parent_id].type == "Kanban::NotNowColumn"}
    assert served["/cards/not_now.json"] == not_now
    assert served["/cards/completed.json"] == {i for i, c in truth.items() if c.extra["completed"]}


def test_everything__same_items_as_lists(default_sb: Sandbox) -> None:
    """With a to-do list and a column, expect their rows verbatim inside the grouped lists."""
    client = Client(default_sb)
    todos = {t["id"]: t for t in _grouped(client, "/todos/open.json", "todos")}
    cards = {c["id"]: c for path in EVERYTHING_CARDS for c in _grouped(client, path, "cards")}
    project = client.walk("/projects.json")[0]
    todoset = client.member(next(t["url"] for t in project["dock"] if t["name"] == "todoset"))
    rows = client.walk(client.walk(todoset["todolists_url"])[0]["todos_url"])
    board = client.member(next(t["url"] for t in project["dock"] if t["name"] == "kanban_board"))
    rows += [c for column in board["lists"] for c in client.walk(column["cards_url"])]
    assert rows and all(row == (todos | cards)[row["id"]] for row in rows)


def test_everything__pages_of_five_groups(default_sb: Sandbox) -> None:
    """With each grouped list, expect pages of at most 5 groups, Link and X-Total-Count."""
    client = Client(default_sb)
    for path in EVERYTHING_TODOS + EVERYTHING_CARDS:
        sizes, total = page_sizes(client, path)
        assert sizes[:-1] == [5] * (len(sizes) - 1) and 0 < sizes[-1] <= 5, (path, sizes)
        assert sum(sizes) == total and len(sizes) == pages_needed(GROUPED_GEAR, total) > 1


def test_everything__grouped_gear_is_fixed() -> None:
    """With a custom page_gear, expect grouped lists still to page by 5 groups."""
    with Sandbox(api="bc4", size="default", rate_limit=None, page_gear=(2, 3)) as sb:
        assert len(Client(sb).get("/todos/open.json").json()) == 5


def test_oracle__counts_grouped_pages() -> None:
    """With every grouped list walked, expect the oracle to count exactly the pages fetched."""
    with Sandbox(api="bc4", size="default", seed=0, rate_limit=None) as sb:
        client = Client(sb)
        for path in EVERYTHING_TODOS + EVERYTHING_CARDS:
            client.walk(path)
        assert len(client.collections) > len(EVERYTHING_TODOS + EVERYTHING_CARDS)
        assert sb.minimum_requests() == len(client.collections)


# ---------------------------------------------------------------------- fidelity
def _need_reference() -> None:
    if not REFERENCE.exists():
        pytest.skip(f"reference material not found at {REFERENCE}")


@cache
def _openapi() -> dict[str, Any]:
    return json.loads((REFERENCE / "openapi.json").read_text())


def _openapi_schema(schema: Any) -> Any:
    """OpenAPI 3.0-isms to JSON Schema: ``nullable`` and Go's string-or-int person ids."""
    if isinstance(schema, list):
        return [_openapi_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _openapi_schema(v) for k, v in schema.items()}
    kind = out.get("type")
    if out.get("x-go-type") == "types.FlexibleInt64" and kind == "integer":
        out["type"] = kind = ["integer", "string"]
    if out.pop("nullable", False) and isinstance(kind, str):
        out["type"] = [kind, "null"]
    return out


def _fixture_null_keys() -> set[str]:
    """Property names the official fixtures show as null somewhere.

    openapi.json marks few fields nullable, yet the fixtures carry null in e.g. a disabled
    tool's ``position``, a person's ``bio`` or an approval's ``due_on``: the fixtures (real
    responses) win, so those names may be null wherever openapi.json types them.
    """
    names: set[str] = set()
    stack: list[Any] = [json.loads(f.read_text()) for f in (REFERENCE / "fixtures").rglob("*.json")]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            names.update(k for k, v in value.items() if v is None)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return names


def _allow_fixture_nulls(components: dict[str, Any], names: set[str]) -> None:
    for schema in components["schemas"].values():
        for name, prop in schema.get("properties", {}).items():
            kind = prop.get("type")
            if name in names and isinstance(kind, str):
                prop["type"] = [kind, "null"]


def _schema_for(url: str) -> tuple[str, dict[str, Any]] | None:
    """The 200 response schema of the openapi GET matching ``url`` (flat or bucket form)."""
    path = urlsplit(url).path
    rest = path.lstrip("/").partition("/")[2]
    candidates = [rest]
    bucket = re.match(r"^buckets/\d+/(.+)$", rest)
    if bucket:
        candidates.append(bucket.group(1))
    # Fewest placeholders first, so ``todos/open.json`` never matches ``todos/{todoId}``.
    for template, ops in sorted(_openapi()["paths"].items(), key=lambda kv: kv[0].count("{")):
        pattern = re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template.removeprefix(
            "/{accountId}/")))
        pattern = "^" + pattern.removesuffix(r"\.json") + r"(\.json)?$"
        if "get" in ops and any(re.match(pattern, c) for c in candidates):
            content = ops["get"]["responses"]["200"]["content"]
            return template, next(iter(content.values()))["schema"]
    return None


def test_fidelity__openapi_schemas(walked: Client) -> None:
    """With every collection page served during a full walk, expect openapi.json to accept it."""
    _need_reference()
    import jsonschema
    components = _openapi_schema(copy.deepcopy(_openapi()["components"]))
    _allow_fixture_nulls(components, _fixture_null_keys())
    unmatched, checked, errors = set(), set(), []
    for url, page in walked.collections + walked.members:
        found = _schema_for(url)
        if found is None:
            unmatched.add(urlsplit(url).path)
            continue
        template, schema = found
        validator = jsonschema.Draft202012Validator({**_openapi_schema(schema),
                                                     "components": components})
        errors += [(template, e.message, list(e.absolute_path)[1:])
                   for e in validator.iter_errors(page)]
        checked.add(template)
    assert not errors, sorted({(t, m, str(p)) for t, m, p in errors})[:10]
    assert not unmatched
    assert len(checked) >= 20
    assert {"/{accountId}" + p for p in EVERYTHING_TODOS + EVERYTHING_CARDS} <= checked
    assert {"/{accountId}" + p for p in EXTRA_TEMPLATES} <= checked, (
        {"/{accountId}" + p for p in EXTRA_TEMPLATES} - checked)


EXTRA_TEMPLATES = (
    "/reports/gauges.json", "/projects/{projectId}/gauge/needles.json", "/gauge_needles/{needleId}",
    "/lineup/markers.json", "/buckets/{bucketId}/webhooks.json", "/webhooks/{webhookId}",
    "/buckets/{bucketId}/chats/{campfireId}/integrations.json",
    "/buckets/{bucketId}/chats/{campfireId}/integrations/{chatbotId}",
    "/projects/{projectId}/timesheet.json", "/recordings/{recordingId}/timesheet.json",
    "/timesheet_entries/{entryId}", "/uploads/{uploadId}/versions.json",
    "/recordings/{recordingId}/boosts.json",
    "/recordings/{recordingId}/events/{eventId}/boosts.json", "/boosts/{boostId}",
    "/recordings/{recordingId}/subscription.json",
)


_FIXTURES = {
    "projects/list.json": "/projects.json", "people/list.json": "/people.json",
    "todolists/list.json": "/todolists.json", "todolist_groups/list.json": "/groups.json",
    "todos/list.json": "/todos.json", "messages/list.json": "/messages.json",
    "message_types/list.json": "/categories.json", "documents/list.json": "/documents.json",
    "uploads/list.json": "/uploads.json", "vaults/list.json": "/vaults.json",
    "schedules/entries_list.json": "/entries.json", "campfires/list.json": "/chats.json",
    "campfires/lines_list.json": "/lines.json", "checkins/questions_list.json": "/questions.json",
    "checkins/answers_list.json": "/answers.json", "forwards/list.json": "/inbox_forwards.json",
    "forwards/replies_list.json": "/replies.json", "cards/list.json": "/cards.json",
    "comments/list.json": "/comments.json", "recordings/list.json": "/projects/recordings.json",
    "templates/list.json": "/templates.json",
    "client_approvals/list.json": "/client/approvals.json",
    "client_correspondences/list.json": "/client/correspondences.json",
    "gauges/get.json": "/reports/gauges.json", "gauges/needle_get.json": "/needles.json",
    "lineup/list.json": "/lineup/markers.json", "webhooks/list.json": "/webhooks.json",
    "campfires/chatbots_list.json": "/integrations.json",
    "timesheet/project_report.json": "/timesheet.json", "timesheet/get.json": "/timesheet.json",
    "uploads/versions.json": "/versions.json", "boosts/list.json": "/boosts.json",
    "subscriptions/get.json": "/subscription.json",
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {dict: "object", list: "array", str: "string", type(None): "null"}[type(value)]


@pytest.mark.parametrize("fixture", sorted(_FIXTURES))
def test_fidelity__fixture_keys_and_types(walked: Client, fixture: str) -> None:
    """With a served list matching an official fixture, expect its keys with the same types."""
    _need_reference()
    suffix = _FIXTURES[fixture]
    expected = json.loads((REFERENCE / "fixtures" / fixture).read_text())
    if isinstance(expected, dict):
        expected = [expected]
    rows = [row for url, page in walked.collections + walked.members
            if urlsplit(url).path.endswith(suffix) and (
                suffix != "/replies.json" or "inbox_forwards" in url)
            for row in (page if isinstance(page, list) else [page])]
    assert rows, f"no served rows for {suffix}"
    wanted: dict[str, set[str]] = {}
    for item in expected:
        for key, value in item.items():
            wanted.setdefault(key, set()).add(_json_type(value))
    for key, types in wanted.items():
        served = {_json_type(row[key]) for row in rows if key in row}
        assert served, f"{fixture}: no served row has {key!r}"
        if types == {"null"}:
            continue
        assert served - {"null"} <= types - {"null"} or served <= types | {"null"}, (
            fixture, key, served, types)


# ---------------------------------------------------------------------- extras: data rules
def _projects(client: Client) -> list[dict[str, Any]]:
    return client.walk("/projects.json") + client.walk("/projects.json", status="archived")


def test_gauges__needles_belong_to_their_project(sb: Sandbox, client: Client) -> None:
    """With each project's needles, expect them under that project's gauge, newest first."""
    with_gauge = 0
    for project in _projects(client):
        needles = client.walk(f"/projects/{project['id']}/gauge/needles.json")
        truth = sb.truth.projects[project["id"]]
        assert bool(needles) == (truth.gauge_id is not None)
        if not needles:
            continue
        with_gauge += 1
        assert {n["bucket"]["id"] for n in needles} == {project["id"]}
        assert {(n["parent"]["id"], n["parent"]["type"]) for n in needles} == {
            (truth.gauge_id, "Gauge")}
        stamps = [n["created_at"] for n in needles]
        assert stamps == sorted(stamps, key=_instant, reverse=True) and 2 <= len(needles) <= 4
        gauge = client.member(needles[0]["parent"]["url"])
        assert gauge["last_needle_color"] == needles[0]["color"]
        assert gauge["last_needle_position"] == needles[0]["position"]
        assert gauge["previous_needle_position"] == needles[1]["position"]
    assert with_gauge >= 1


def _instant(stamp: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_gauges__report_active_projects_by_risk(default_sb: Sandbox) -> None:
    """With /reports/gauges.json, expect active projects' gauges, red first; bucket_ids reorders."""
    client = Client(default_sb)
    active = {p["id"] for p in client.walk("/projects.json")}
    gauges = client.walk("/reports/gauges.json")
    truth = {p.id for p in default_sb.truth.projects.values() if p.gauge_id is not None
             and p.status == "active" and not p.template}
    assert {g["bucket"]["id"] for g in gauges} == truth and truth <= active
    assert 0.25 <= len(truth) / len(active) <= 0.75
    risk = {"red": 0, "yellow": 1, "green": 2}
    order = [(risk[g["last_needle_color"]], g["bucket"]["name"]) for g in gauges]
    assert order == sorted(order)
    wanted = [g["bucket"]["id"] for g in gauges][::-1][:3]
    picked = client.walk("/reports/gauges.json", bucket_ids=",".join(map(str, wanted)))
    assert [g["bucket"]["id"] for g in picked] == wanted


def test_timesheet__only_enabled_projects(sb: Sandbox, client: Client) -> None:
    """With every project's timesheet, expect entries exactly where it is enabled, paged."""
    enabled = 0
    for project in _projects(client):
        truth = sb.truth.projects[project["id"]]
        entries = client.walk(f"/projects/{project['id']}/timesheet.json")
        assert bool(entries) == truth.timesheet_enabled
        assert "timesheet_enabled" not in project  # not in openapi.json's Project
        if not entries:
            continue
        enabled += 1
        assert {e["bucket"]["id"] for e in entries} == {project["id"]}
        assert [e["date"] for e in entries] == sorted(e["date"] for e in entries)
        for parent in {e["parent"]["id"] for e in entries if e["parent"]["type"] != "Project"}:
            own = client.walk(f"/recordings/{parent}/timesheet.json")
            assert own and {e["parent"]["id"] for e in own} == {parent}
            assert {e["id"] for e in own} <= {e["id"] for e in entries}
    assert enabled >= 1
    showcase = next(p for p in sb.truth.projects.values())
    response = client.get(f"/projects/{showcase.id}/timesheet.json")
    assert int(response.headers["X-Total-Count"]) == 20 and 'rel="next"' in response.headers["Link"]


def test_timesheet__filters(sb: Sandbox, client: Client) -> None:
    """With from/to/person_id, expect only the entries inside the window of that person."""
    showcase = next(iter(sb.truth.projects))
    url = f"/projects/{showcase}/timesheet.json"
    entries = client.walk(url)
    middle = entries[len(entries) // 2]["date"]
    assert {e["id"] for e in client.walk(url, **{"from": middle})} == {
        e["id"] for e in entries if e["date"] >= middle}
    assert {e["id"] for e in client.walk(url, to=middle)} == {
        e["id"] for e in entries if e["date"] <= middle}
    person = entries[0]["person"]["id"]
    assert {e["id"] for e in client.walk(url, person_id=str(person))} == {
        e["id"] for e in entries if e["person"]["id"] == person}


def test_webhooks__per_project_whole_set(sb: Sandbox, client: Client) -> None:
    """With each project's webhooks, expect the truth's 0-2 hooks in one page, URLs followable."""
    counts = []
    for project in _projects(client):
        response = client.get(f"/buckets/{project['id']}/webhooks.json")
        hooks = response.json()
        assert "Link" not in response.headers
        assert int(response.headers["X-Total-Count"]) == len(hooks) <= 2
        assert [h["id"] for h in hooks] == [h.id for h in sb.truth.webhooks[project["id"]]]
        for hook in hooks:
            assert client.member(hook["url"])["recent_deliveries"] == []
        counts.append(len(hooks))
    assert max(counts) == 2 and any(h["id"] > 2**53 for p in _projects(client)
                                    for h in client.walk(f"/buckets/{p['id']}/webhooks.json"))


def test_chatbots__account_wide_seen_from_each_campfire(sb: Sandbox, client: Client) -> None:
    """With any campfire's integrations, expect every chatbot of the account, addressed there."""
    truth = sorted(bot.id for bot in sb.truth.chatbots)
    keys = set()
    chats = client.walk("/chats.json")
    for chat in chats:
        bucket = chat["bucket"]["id"]
        bots = client.walk(f"/buckets/{bucket}/chats/{chat['id']}/integrations.json")
        assert sorted(bot["id"] for bot in bots) == truth
        for bot in bots:
            assert f"/buckets/{bucket}/chats/{chat['id']}/integrations/{bot['id']}" in bot["url"]
            assert bot["lines_url"].endswith(f"/buckets/{bucket}/chats/{chat['id']}/lines")
            assert client.member(bot["url"])["id"] == bot["id"]
            keys.add(bot["lines_url"].split("/integrations/")[1].split("/")[0])
    assert len(truth) >= 2 and len(keys) == len(truth) * len(chats)
    assert client.get(f"/chats/{chats[0]['id']}/integrations.json").status_code == 404


def test_boosts__count_matches_served(sb: Sandbox, client: Client) -> None:
    """With boostable rows, expect boosts_count to equal the boosts served for the recording."""
    boosted = 0
    for kind in BOOSTED_TYPES:
        for index, row in enumerate(client.walk("/projects/recordings.json", type=kind)):
            boosts = client.walk(row["boosts_url"])
            assert len(boosts) == row["boosts_count"]
            assert all(b["recording"]["id"] == row["id"] for b in boosts)
            if boosts or index == 0:
                assert client.member(row["url"])["boosts_count"] == len(boosts)
            boosted += bool(boosts)
    assert boosted >= 3
    assert BIG_ID in {r["id"] for r in client.walk("/projects/recordings.json", type="Message")
                      if r["boosts_count"] == 3}


def test_versions__newest_is_current(sb: Sandbox, client: Client) -> None:
    """With each upload's versions, expect newest first, one current, matching the upload."""
    longest = 0
    for upload in client.walk("/projects/recordings.json", type="Upload"):
        response = client.get(f"/uploads/{upload['id']}/versions.json")
        versions = response.json()
        assert "Link" not in response.headers
        assert int(response.headers["X-Total-Count"]) == len(versions) >= 1
        assert [v["upload"]["current"] for v in versions] == [True] + [False] * (len(versions) - 1)
        assert versions[-1]["action"] == "created"
        assert {v["action"] for v in versions[:-1]} <= {"blob_changed"}
        assert all(v["recording_id"] == upload["id"] for v in versions)
        whole = client.member(upload["url"])
        assert versions[0]["upload"]["byte_size"] == whole["byte_size"]
        assert _instant(versions[0]["created_at"]) <= _instant(whole["updated_at"])
        longest = max(longest, len(versions))
    assert longest == 3


def test_subscription__subscribers(sb: Sandbox, client: Client) -> None:
    """With a to-do's subscription, expect count = subscribers, creator and assignees in it."""
    todo = next(t for t in client.walk("/todos/open.json")[0]["todos"] if t["assignees"])
    body = client.member(todo["subscription_url"])
    ids = [p["id"] for p in body["subscribers"]]
    assert body["count"] == len(ids) == len(set(ids))
    assert {todo["creator"]["id"], *(a["id"] for a in todo["assignees"])} <= set(ids)
    assert body["url"] == todo["subscription_url"]
    line = client.walk(client.walk("/chats.json")[0]["lines_url"])[0]
    assert client.get(f"/recordings/{line['id']}/subscription.json").status_code == 404


def test_markers__whole_and_dated(sb: Sandbox, client: Client) -> None:
    """With /lineup/markers.json, expect a handful of markers by date, in one page."""
    response = client.get("/lineup/markers.json")
    markers = response.json()
    assert 3 <= len(markers) == int(response.headers["X-Total-Count"]) <= 6
    assert [m["date"] for m in markers] == sorted(m["date"] for m in markers)
    assert "Link" not in response.headers


def test_extras__whole_sets_ignore_the_gear() -> None:
    """With page_gear=(1,), expect whole-set routes unpaged and every extra route deterministic."""
    with Sandbox(api="bc4", rate_limit=None, page_gear=(1,)) as sb:
        client = Client(sb)
        showcase = next(iter(sb.truth.projects))
        chat = next(t.id for t in sb.truth.projects[showcase].dock if t.name == "chat")
        upload = next(r.id for r in sb.truth.recordings.values()
                      if r.type == "Upload" and len(sb.truth.events[r.id]) == 3)
        for path in ("/lineup/markers.json", f"/buckets/{showcase}/webhooks.json",
                     f"/buckets/{showcase}/chats/{chat}/integrations.json",
                     f"/uploads/{upload}/versions.json"):
            response = client.get(path)
            assert len(response.json()) >= 2 and "Link" not in response.headers, path
        assert 'rel="next"' in client.get(f"/projects/{showcase}/timesheet.json").headers["Link"]


def test_oracle__counts_extra_routes() -> None:
    """With a geared (2, 3) walk of every extra route, expect the oracle to match the walk."""
    with Sandbox(api="bc4", rate_limit=None, page_gear=(2, 3)) as sb:
        client = Client(sb)
        extras_walk(client)
        assert any(len(page) == 3 for _, page in client.collections)
        assert sb.minimum_requests() == len(sb.requests)


# ---------------------------------------------------------------------- mutate
def _changed(sb: Sandbox, summary: dict[str, list[int]], kind: str) -> set[int]:
    """Ids in the summary that are still active ``kind`` rows of active projects."""
    ids = {i for values in summary.values() for i in values}
    live = _live(sb, kind)
    return {i for i in ids if i in live}


def test_mutate__changed_todos_first(sb: Sandbox, client: Client) -> None:
    """With mutations, expect the changed to-dos first in the updated_at-desc listing."""
    before = max(r.updated_at for r in sb.truth.recordings.values())
    summary = sb.mutate(12, seed=1)
    changed = _changed(sb, summary, "Todo")
    assert changed
    rows = client.walk("/projects/recordings.json", type="Todo", sort="updated_at",
                       direction="desc")
    assert {r["id"] for r in rows[: len(changed)]} == changed
    assert all(_instant(r["updated_at"]) > before for r in rows[: len(changed)])
    assert all(_instant(r["updated_at"]) <= before for r in rows[len(changed):])


def test_mutate__summary_and_clock(sb: Sandbox) -> None:
    """With mutate, expect every change kind listed and each change at a later whole second."""
    before = max(r.updated_at for r in sb.truth.recordings.values())
    summary = sb.mutate(40, seed=0)
    assert set(summary) == {"created", "updated", "trashed", "archived", "restored",
                            "completed", "uncompleted", "deleted", "touched"}
    assert sum(len(v) for k, v in summary.items() if k != "touched") == 40
    assert all(summary[k] for k in ("created", "updated", "deleted", "completed"))
    for rec_id in summary["created"] + summary["updated"]:
        rec = sb.truth.recordings.get(rec_id)
        if rec is not None:
            assert rec.updated_at > before and rec.updated_at.microsecond == 0
    for rec_id in summary["created"]:
        rec = sb.truth.recordings.get(rec_id)
        if rec is not None and rec.parent_id in sb.truth.recordings:
            assert sb.truth.recordings[rec.parent_id].updated_at >= rec.created_at
    assert sb.mutate(5, seed=0) != sb.mutate(5, seed=0)  # later calls draw new changes


def _typed_ids(value: Any) -> set[int]:
    """Ids of every recording-like object (anything with a ``type``) in a JSON value."""
    found: set[int] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "type" in item and isinstance(item.get("id"), int):
                found.add(item["id"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_mutate__deleted_gone_everywhere() -> None:
    """With hard deletes, expect the recordings (and their subtrees) in no listing, 404 alone."""
    with Sandbox(api="bc4", rate_limit=None) as sb:
        summary = sb.mutate(30, seed=2)
        assert summary["deleted"]
        gone = set(sb.truth.tombstones)
        client = walk_everything(Client(sb))
        seen = set().union(*(_typed_ids(page) for _, page in client.collections))
        assert seen and not seen & gone
        for rec_id in gone:
            assert client.get(f"/recordings/{rec_id}.json").status_code == 404


def _pages(seed: int) -> list[tuple[str, bytes]]:
    with Sandbox(api="bc4", rate_limit=None) as sb:
        sb.mutate(15, seed=seed)
        client = Client(sb)
        container_walk(client)
        recordings_strategy(client)
        return [(url.replace(sb.origin, "ORIGIN"),
                 json.dumps(page).replace(sb.origin, "ORIGIN").encode())
                for url, page in client.collections]


def test_mutate__same_seed_same_pages() -> None:
    """With two sandboxes mutated alike, expect identical pages; another seed differs."""
    assert _pages(7) == _pages(7) != _pages(8)


def test_mutate__validators_of_affected_listings_move(sb: Sandbox, client: Client) -> None:
    """With a mutation, expect a listing whose body changed to get a new ETag and a later
    Last-Modified (so neither validator answers 304), and an unchanged one to stay 304."""
    lists = sorted(r.id for r in sb.truth.recordings.values() if r.type == "Todolist")
    urls = ["/projects/recordings.json?type=Todo", "/people.json",
            *(f"/todolists/{i}/todos.json{q}" for i in lists for q in ("", "?completed=true"))]
    before = {url: client.get(url) for url in urls}
    sb.mutate(10, seed=3)
    moved = 0
    for url in urls:
        old = before[url].headers
        by_etag = client.session.get(sb.base_url + url, headers={
            **client.headers(), "If-None-Match": old["ETag"]})
        by_date = client.session.get(sb.base_url + url, headers={
            **client.headers(), "If-Modified-Since": old["Last-Modified"]})
        if client.get(url).content == before[url].content:
            assert by_etag.status_code == 304, url
            continue
        moved += 1
        assert by_etag.status_code == by_date.status_code == 200, url
        assert by_etag.headers["ETag"] != old["ETag"]
        assert _http_date(by_etag.headers["Last-Modified"]) > _http_date(old["Last-Modified"])
    assert moved >= 2
    assert client.get("/people.json").content == before["/people.json"].content


def _http_date(text: str) -> Any:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(text)


def test_mutate__backpack_not_implemented() -> None:
    """With a Backpack sandbox, expect mutate to raise NotImplementedError."""
    with pytest.raises(NotImplementedError):
        Sandbox(api="backpack").mutate(1)
