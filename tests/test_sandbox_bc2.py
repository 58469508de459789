"""Tests for the Basecamp 2 sandbox: HTTP behaviour, faults, oracle and example fidelity.

Everything runs against tiny accounts on loopback (port 0) with plain ``requests``.
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests

from sandbox import SIZES, Credentials, Sandbox
from sandbox.bc2.model import Bc2Account
from sandbox.bc2.records import ACTIVE, TEMPLATE, TRASHED, Project

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "bc2"
EXAMPLES = REFERENCE / "examples"
UA = "sandbox-tests (tests@example.com)"
CREDS = Credentials(username="tester@example.com", password="pw-Zx81-secret", token="tok-9f2c")
SINCE_EVER = "2000-01-01T00:00:00-05:00"


# ---------------------------------------------------------------------- fixtures & helpers
class Api:
    """Small authenticated client for one sandbox."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.session = requests.Session()
        self.session.auth = (sb.credentials.username, sb.credentials.password)
        self.session.headers["User-Agent"] = UA

    def get(self, path: str, **params: Any) -> requests.Response:
        url = path if path.startswith("http") else self.sb.base_url + path
        return self.session.get(url, params=params or None, timeout=10)

    def json(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        assert response.status_code == 200, (path, response.status_code, response.text[:200])
        return response.json()

    def all(self, path: str, **params: Any) -> list[Any]:
        rows: list[Any] = []
        for page in range(1, 100):
            batch = self.json(path, page=page, **params)
            rows += batch
            if len(batch) < 50:
                return rows
        raise AssertionError(f"{path} never ended")


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(size="tiny", seed=0, rate_limit=None, credentials=CREDS) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api(sb: Sandbox) -> Api:
    return Api(sb)


@pytest.fixture
def fresh() -> Iterator[Sandbox]:
    """A sandbox of its own, for tests that inject faults or read the whole log."""
    with Sandbox(size="tiny", seed=0, rate_limit=None, credentials=CREDS) as sandbox:
        yield sandbox


def showcase(truth: Bc2Account) -> Project:
    """The first active project: the one the generator fills to exercise paging."""
    return next(p for p in truth.projects.values() if p.state == ACTIVE)


def long_list_id(truth: Bc2Account) -> int:
    project = showcase(truth)
    lists = [t for t in truth.todolists.values() if t.project_id == project.id]
    sizes = {t.id: sum(1 for x in truth.todos.values() if x.todolist_id == t.id) for t in lists}
    return max(sizes, key=lambda list_id: sizes[list_id])


# ---------------------------------------------------------------------- request validation
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


# ---------------------------------------------------------------------- pagination
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


# ---------------------------------------------------------------------- caching
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


# ---------------------------------------------------------------------- rate limiting
def test_rate_limit__over_limit_gives_429_with_retry_after() -> None:
    """With 3 requests allowed per second, expect the 4th refused with an integer Retry-After."""
    with Sandbox(rate_limit=(3, 1.0), credentials=CREDS) as sandbox:
        api = Api(sandbox)
        assert [api.get("/people/me.json").status_code for _ in range(3)] == [200] * 3
        refused = api.get("/people/me.json")
        assert refused.status_code == 429
        wait = int(refused.headers["Retry-After"])
        assert wait >= 1
        assert api.get("/people/me.json").status_code == 429
        time.sleep(wait)
        assert api.get("/people/me.json").status_code == 200
        assert [e["status"] for e in sandbox.requests] == [200, 200, 200, 429, 429, 200]


def test_latency__delays_every_request() -> None:
    """With latency=0.2, expect each request, even a refused one, to take at least 0.2 s."""
    with Sandbox(latency=0.2, credentials=CREDS) as sandbox:
        api = Api(sandbox)
        for path in ("/people/me.json", "/nope.json"):
            started = time.monotonic()
            api.get(path)
            assert time.monotonic() - started >= 0.2


def test_rate_limit__none_disables_limiting() -> None:
    """With rate_limit=None, expect no 429 however fast the client goes."""
    with Sandbox(rate_limit=None, credentials=CREDS) as sandbox:
        api = Api(sandbox)
        assert {api.get("/people/me.json").status_code for _ in range(30)} == {200}


# ---------------------------------------------------------------------- request log
def test_request_log__has_no_credentials(tmp_path: Path) -> None:
    """With Basic, Bearer and a token in the query, expect no secret in the log or its file."""
    log_file = tmp_path / "requests.jsonl"
    with Sandbox(credentials=CREDS, log_path=log_file) as sandbox:
        api = Api(sandbox)
        api.get("/people/me.json")
        requests.get(f"{sandbox.base_url}/projects.json", timeout=10,
                     headers={"User-Agent": UA, "Authorization": f"Bearer {CREDS.token}"})
        api.get("/projects.json", access_token=CREDS.token)
        requests.get(f"{sandbox.base_url}/projects.json", auth=(CREDS.username, "wrong"),
                     headers={"User-Agent": UA}, timeout=10)
        entries = list(sandbox.requests)
    text = json.dumps(entries) + log_file.read_text()
    for secret in (CREDS.password, CREDS.token, "Authorization", "Basic ", "Bearer "):
        assert secret not in text
    assert len(log_file.read_text().splitlines()) == len(entries) == 4
    assert set(entries[0]) == {"t", "method", "path", "query", "status", "account", "bytes",
                               "fault"}
    assert [e["status"] for e in entries] == [200, 200, 200, 401]


def test_request_log__records_every_status(fresh: Sandbox) -> None:
    """With 200, 304, 401, 404 and 415 answers, expect one entry each with its status."""
    api = Api(fresh)
    etag = api.get("/projects.json").headers["ETag"]
    api.session.get(fresh.base_url + "/projects.json", headers={"If-None-Match": etag},
                    timeout=10)
    requests.get(fresh.base_url + "/projects.json", headers={"User-Agent": UA}, timeout=10)
    api.get("/nope.json")
    api.get("/projects.xml")
    assert [e["status"] for e in fresh.requests] == [200, 304, 401, 404, 415]
    assert fresh.requests[1]["bytes"] == 0
    assert fresh.requests[0]["account"] == fresh.account_id
    fresh.reset_log()
    assert fresh.requests == []


# ---------------------------------------------------------------------- faults
@pytest.mark.parametrize("kind", ["500", "502", "503", "504"])
def test_faults__status_kind_gives_that_status_once(fresh: Sandbox, kind: str) -> None:
    """With a one-shot status fault, expect that status once, then normal answers."""
    fresh.inject(kind, r"/projects\.json$")
    api = Api(fresh)
    failed = api.get("/projects.json")
    assert failed.status_code == int(kind)
    assert failed.content
    assert api.get("/projects.json").status_code == 200
    assert [e["fault"] for e in fresh.requests] == [kind, None]


def test_faults__429_has_retry_after(fresh: Sandbox) -> None:
    """With an injected 429, expect Retry-After: 1."""
    fresh.inject("429")
    response = Api(fresh).get("/people/me.json")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"


def test_faults__truncated_keeps_real_headers(fresh: Sandbox) -> None:
    """With a truncated fault, expect 200, half the body and the real ETag."""
    api = Api(fresh)
    real = api.get("/people.json")
    fresh.inject("truncated", "people")
    cut = api.session.get(fresh.base_url + "/people.json", timeout=10,
                          headers={"If-None-Match": real.headers["ETag"]})
    assert cut.status_code == 200
    assert cut.content == real.content[: len(real.content) // 2]
    assert cut.headers["ETag"] == real.headers["ETag"]
    assert cut.headers["Last-Modified"] == real.headers["Last-Modified"]
    with pytest.raises(ValueError):
        cut.json()


def test_faults__html_gives_500_page(fresh: Sandbox) -> None:
    """With an html fault, expect a 500 with an HTML body."""
    fresh.inject("html")
    response = Api(fresh).get("/projects.json")
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html>" in response.text


def test_faults__reset_drops_connection(fresh: Sandbox) -> None:
    """With a reset fault, expect a connection error and a log entry with status 0."""
    fresh.inject("reset")
    api = Api(fresh)
    with pytest.raises(requests.ConnectionError):
        api.get("/projects.json")
    assert api.get("/projects.json").status_code == 200
    assert fresh.requests[0]["fault"] == "reset"
    assert fresh.requests[0]["status"] == 0


def test_faults__slow_delays_then_answers() -> None:
    """With a slow fault, expect the normal answer after the configured delay."""
    with Sandbox(credentials=CREDS, rate_limit=None, slow_seconds=0.4) as sandbox:
        api = Api(sandbox)
        normal = api.get("/projects.json").content
        sandbox.inject("slow")
        started = time.monotonic()
        response = api.get("/projects.json")
        assert time.monotonic() - started >= 0.4
        assert response.status_code == 200
        assert response.content == normal
        assert sandbox.requests[-1]["fault"] == "slow"


def test_faults__slow_defaults_to_five_seconds(fresh: Sandbox) -> None:
    """With a slow fault and a 0.5 s client timeout, expect the client to time out."""
    fresh.inject("slow")
    with pytest.raises(requests.Timeout):
        Api(fresh).session.get(fresh.base_url + "/projects.json", timeout=0.5)


def test_faults__only_matching_paths_for_given_times(fresh: Sandbox) -> None:
    """With times=2 on one path, expect two failures there and none elsewhere."""
    fresh.inject("503", r"/people/me\.json$", times=2)
    api = Api(fresh)
    codes = [api.get(p).status_code for p in
             ("/projects.json", "/people/me.json", "/projects.json", "/people/me.json",
              "/people/me.json")]
    assert codes == [200, 503, 200, 503, 200]


def test_faults__unknown_kind_is_rejected(fresh: Sandbox) -> None:
    """With an unknown fault kind, expect ValueError."""
    with pytest.raises(ValueError):
        fresh.inject("teapot")


def test_faults__random_rate_is_deterministic() -> None:
    """With faults=0.3 and the same fault_seed, expect the same faults on the same requests."""
    runs = []
    for _ in range(2):
        with Sandbox(credentials=CREDS, rate_limit=None, faults=0.3, fault_seed=7,
                     fault_kinds=["500", "502", "503", "504", "429", "html", "truncated"]) as sb:
            api = Api(sb)
            for _ in range(20):
                api.get("/people/me.json")
            runs.append([e["fault"] for e in sb.requests])
    assert runs[0] == runs[1]
    assert any(runs[0]) and not all(runs[0])


# ---------------------------------------------------------------------- determinism & data
def _normalised(sandbox: Sandbox, paths: list[str]) -> list[str]:
    api = Api(sandbox)
    origin_pattern = re.compile(r"http://(127\.0\.0\.1|localhost):\d+")
    return [origin_pattern.sub("http://HOST", api.get(p).text) for p in paths]


def test_determinism__same_seed_same_bodies() -> None:
    """With two sandboxes of the same seed, expect byte-identical bodies (ports aside)."""
    paths = ["/projects.json", "/people.json", "/topics.json", "/attachments.json",
             f"/events.json?since={quote(SINCE_EVER)}", "/people/me.json"]
    with Sandbox(seed=3, credentials=CREDS) as one, Sandbox(seed=3, credentials=CREDS) as two:
        assert _normalised(one, paths) == _normalised(two, paths)
        with Sandbox(seed=4, credentials=CREDS) as other:
            assert _normalised(one, paths) != _normalised(other, paths)


def test_data__ids_above_2_31_are_served(sb: Sandbox, api: Api) -> None:
    """With the tiny account, expect some served ids above 2**31."""
    rows = api.all(f"/projects/{showcase(sb.truth).id}/todos.json")
    assert any(row["id"] > 2**31 for row in rows)


def test_data__trashed_project_only_in_person_projects(sb: Sandbox, api: Api) -> None:
    """With a trashed project, expect it only in /people/{id}/projects.json and 404 elsewhere."""
    trashed = next(p for p in sb.truth.projects.values() if p.state == TRASHED)
    listed = [p["id"] for p in api.json(f"/people/{sb.truth.me_id}/projects.json")]
    assert trashed.id in listed
    for path in ("/projects.json", "/projects/archived.json", "/projects/drafts.json",
                 "/project_templates.json"):
        assert trashed.id not in [p["id"] for p in api.json(path)]
    assert api.get(f"/projects/{trashed.id}.json").status_code == 404
    assert api.get(f"/projects/{trashed.id}/todolists.json").status_code == 404


def test_data__timestamps_use_local_offsets(api: Api) -> None:
    """With people and events, expect -05:00 and -04:00 offsets and both second forms."""
    text = api.get("/people.json").text + api.get("/events.json", since=SINCE_EVER).text
    stamps = re.findall(r'"updated_at":"([^"]+)"', text)
    assert {s[-6:] for s in stamps} == {"-05:00", "-04:00"}
    assert any(".000" in s for s in stamps) and any(".000" not in s for s in stamps)


def test_events__since_filters_and_needs_encoded_plus(api: Api) -> None:
    """With since, expect only newer events; an unencoded '+' offset gives 400."""
    everything = api.all("/events.json", since=SINCE_EVER)
    middle = everything[len(everything) // 2]["created_at"]
    newer = api.all("/events.json", since=middle)
    assert 0 < len(newer) < len(everything)
    cutoff = datetime.fromisoformat(middle)
    assert all(datetime.fromisoformat(row["created_at"]) > cutoff for row in newer)
    raw = api.session.get(api.sb.base_url + "/events.json?since=2026-05-01T00:00:00+02:00",
                          timeout=10)
    assert raw.status_code == 400
    assert api.get("/events.json", since="2026-05-01T00:00:00+02:00").status_code == 200


def test_calendar__window_expands_recurrences(sb: Sandbox, api: Api) -> None:
    """With a window over a recurring event, expect the master plus id-less occurrences."""
    start = (sb.truth.now - timedelta(days=14)).date().isoformat()
    rows = api.json(f"/projects/{showcase(sb.truth).id}/calendar_events.json", start_date=start)
    occurrences = [r for r in rows if "recurrence" in r]
    assert occurrences and all("id" not in r and "url" not in r for r in occurrences)
    masters = {r["recurrence"]["master"]["id"] for r in occurrences}
    assert masters & {r["id"] for r in rows if "recurring" in r}


def test_todolist__exclude_todos_drops_embedded_todos(sb: Sandbox, api: Api) -> None:
    """With exclude_todos=true, expect the to-do list member without its todos key."""
    path = f"/projects/{showcase(sb.truth).id}/todolists/{long_list_id(sb.truth)}.json"
    assert "todos" in api.json(path)
    assert "todos" not in api.json(path, exclude_todos="true")


def test_todos__rows_repeat_todolist_created_at(sb: Sandbox, api: Api) -> None:
    """With a to-do row, expect the embedded todolist to repeat created_at, as documented."""
    text = api.get(f"/projects/{showcase(sb.truth).id}/todos.json").text
    first_list = text[text.index('"todolist":{'):]
    first_list = first_list[: first_list.index('"app_url"')]
    assert first_list.count('"created_at"') == 2


def test_download__attachment_url_serves_bytes(sb: Sandbox, api: Api) -> None:
    """With an attachment row's url, expect its bytes (byte_size long) from the asset host."""
    row = next(a for a in api.json("/attachments.json") if "key" in a)
    response = api.get(row["url"])
    assert response.status_code == 200
    assert len(response.content) == row["byte_size"]


# ---------------------------------------------------------------------- oracle
def test_oracle__minimum_requests_per_resource(fresh: Sandbox) -> None:
    """With repeated and paged requests, expect the oracle to count distinct resources."""
    api = Api(fresh)
    todos = f"/projects/{showcase(fresh.truth).id}/todos.json"
    total = len(api.all(todos))
    api.json(todos, page=3)
    api.json("/projects.json")
    api.json("/projects.json", page=2)
    api.json("/people.json")
    api.json("/people/me.json")
    api.json("/people/me.json")
    api.get("/nope.json")
    expected = (total // 50 + 1) + 1 + 2 + 1
    assert fresh.minimum_requests() == expected


# ---------------------------------------------------------------------- catalog coverage
def _load_yaml(path: Path) -> Any:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(path.read_text())


def _candidates(truth: Bc2Account, template: str) -> Iterator[dict[str, Any]]:
    """Path parameters for ``template`` drawn from the ground truth (served parents only)."""
    served = [p for p in truth.projects.values() if p.state != TRASHED]
    names = set(re.findall(r"{(\w+)}", template))
    children = {
        "todolist_id": truth.todolists, "todo_id": truth.todos, "message_id": truth.messages,
        "document_id": truth.documents, "forward_id": truth.forwards,
        "attachment_id": truth.attachments, "upload_id": truth.uploads,
    }
    if names == {"project_id"}:
        yield from ({"project_id": p.id} for p in served)
    elif names == {"person_id"}:
        yield from ({"person_id": pid} for pid in (truth.me_id, *truth.people))
    elif names == {"calendar_id"}:
        yield from ({"calendar_id": cid} for cid in truth.calendars)
    elif names == {"group_id"}:
        yield from ({"group_id": g.id} for g in truth.groups.values() if g.parent_id is None)
    elif names == {"group_id", "subgroup_id"}:
        yield from ({"group_id": g.parent_id, "subgroup_id": g.id}
                    for g in truth.groups.values() if g.parent_id is not None)
    elif names == {"tag_name"}:
        yield from ({"tag_name": quote(t, safe="")}
                    for t in sorted({t for a in truth.attachments.values() for t in a.tags}))
    elif names == {"project_id", "tag_name"}:
        yield from ({"project_id": a.project_id, "tag_name": quote(t, safe="")}
                    for a in truth.attachments.values() for t in a.tags)
    elif names == {"project_id", "calendar_event_id"}:
        yield from ({"project_id": e.bucket_id, "calendar_event_id": e.id}
                    for e in truth.calendar_events.values() if e.bucket_type == "Project")
    elif names == {"calendar_id", "calendar_event_id"}:
        yield from ({"calendar_id": e.bucket_id, "calendar_event_id": e.id}
                    for e in truth.calendar_events.values() if e.bucket_type == "Calendar")
    elif len(names) == 2 and "project_id" in names:
        (child,) = names - {"project_id"}
        yield from ({"project_id": r.project_id, child: r.id} for r in children[child].values()
                    if r.project_id in {p.id for p in served})
    elif not names:
        yield {}


@pytest.mark.parametrize("size", sorted(SIZES))
def test_catalog__every_documented_get_is_served(sb: Sandbox, size: str) -> None:
    """With every GET in endpoints.yaml, expect 2xx for some parent, and rows for collections."""
    if not REFERENCE.exists():
        pytest.skip(f"reference not found at {REFERENCE}")
    catalog = _load_yaml(REFERENCE / "endpoints.yaml")
    assert len(catalog["endpoints"]) == 64
    if size == "tiny":
        assert _unserved(sb, catalog) == []
        return
    with Sandbox(size=size, rate_limit=None, credentials=CREDS) as sandbox:
        assert _unserved(sandbox, catalog) == []


def _unserved(sandbox: Sandbox, catalog: dict[str, Any]) -> list[str]:
    """Ids of catalog endpoints with no parent giving 2xx (and rows, for collections)."""
    api = Api(sandbox)
    query = {"since": SINCE_EVER, "start_date": sandbox.truth.now.date().isoformat()}
    problems = []
    for endpoint in catalog["endpoints"]:
        params = {k: query[k] for k in endpoint.get("query_required") or {}}
        for values in _candidates(sandbox.truth, endpoint["path"]):
            response = api.get(endpoint["path"].format(**values), **params)
            if response.status_code // 100 == 2 and (
                endpoint["kind"] == "member" or response.json()
            ):
                break
        else:
            problems.append(endpoint["id"])
    return problems


# ---------------------------------------------------------------------- example fidelity
def _tag(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return {int: "int", float: "float", str: "str", list: "list", dict: "dict"}[type(value)]


def shape_problems(example: Any, actual: Any, where: str = "$") -> list[str]:
    """Differences in key sets and JSON types; null or {} on either side is compatible."""
    if example is None or actual is None or example == {} or actual == {}:
        return []
    if _tag(example) != _tag(actual):
        return [f"{where}: {_tag(example)} in example, {_tag(actual)} in sandbox"]
    if isinstance(example, dict):
        if set(example) != set(actual):
            return [f"{where}: missing {sorted(set(example) - set(actual))}, "
                    f"extra {sorted(set(actual) - set(example))}"]
        return [p for k in example for p in shape_problems(example[k], actual[k], f"{where}.{k}")]
    if isinstance(example, list) and example and actual:
        problems = []
        for i, item in enumerate(example):
            tries = [shape_problems(item, candidate, f"{where}[{i}]") for candidate in actual]
            if all(tries):
                problems.append(min(tries, key=len)[0])
        return problems
    return []


def _subset_problems(example: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Like shape_problems, but the sandbox may carry keys the (fragmentary) example lacks."""
    missing = sorted(set(example) - set(actual))
    if missing:
        return [f"$: missing {missing}"]
    return shape_problems(example, {k: actual[k] for k in example})


def _with_full_comments(value: Any, comments: list[Any]) -> Any:
    """Swap every abbreviated ``comments`` array of an example for the full comment shape."""
    if isinstance(value, dict):
        return {k: comments if k == "comments" and isinstance(v, list) else
                _with_full_comments(v, comments) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_full_comments(v, comments) for v in value]
    return value


class Samples:
    """Sandbox responses grouped by the example they should resemble (fetched once)."""

    def __init__(self, sb: Sandbox, api: Api) -> None:
        self.sb, self.api, self.truth = sb, api, sb.truth
        self._cache: dict[str, list[Any]] = {}

    def get(self, name: str) -> list[Any]:
        if name not in self._cache:
            self._cache[name] = getattr(self, name)()
        return self._cache[name]

    def projects(self) -> list[Project]:
        return [p for p in self.truth.projects.values() if p.state not in (TRASHED, TEMPLATE)]

    def project_members(self) -> list[Any]:
        return [self.api.json(f"/projects/{p.id}.json") for p in self.projects()]

    def template_members(self) -> list[Any]:
        return [self.api.json(f"/projects/{p.id}.json") for p in self.truth.projects.values()
                if p.state == TEMPLATE]

    def attachment_rows(self) -> list[Any]:
        rows = self.api.all("/attachments.json")
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/attachments.json")
        return rows

    def attachment_members(self) -> list[Any]:
        rows = [r for r in self.get("attachment_rows") if "key" in r]
        return [self.api.json(f"/projects/{_project_of(r)}/attachments/{r['id']}.json")
                for r in rows[:60]]

    def linked_attachment_members(self) -> list[Any]:
        return [self.api.json(f"/projects/{a.project_id}/attachments/{a.id}.json")
                for a in self.truth.attachments.values() if a.linked_source]

    def upload_members(self) -> list[Any]:
        return [self.api.json(f"/projects/{u.project_id}/uploads/{u.id}.json")
                for u in self.truth.uploads.values()]

    def calendar_event_rows(self) -> list[Any]:
        rows = []
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/calendar_events.json")
            rows += self.api.all(f"/projects/{p.id}/calendar_events/past.json")
        for c in self.truth.calendars:
            rows += self.api.all(f"/calendars/{c}/calendar_events.json")
            rows += self.api.all(f"/calendars/{c}/calendar_events/past.json")
        return rows

    def calendar_event_members(self) -> list[Any]:
        return [self.api.json(r["url"]) for r in self.get("calendar_event_rows")]

    def recurring_members(self) -> list[Any]:
        return [m for m in self.get("calendar_event_members") if "recurring" in m]

    def window_rows(self) -> list[Any]:
        start = (self.truth.now - timedelta(days=14)).date().isoformat()
        rows = self.api.all("/calendar_events.json", start_date=start)
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/calendar_events.json", start_date=start)
        return rows

    def occurrence_rows(self) -> list[Any]:
        return [r for r in self.get("window_rows") if "recurrence" in r]

    def accesses(self) -> list[Any]:
        rows = []
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/accesses.json")
        for c in self.truth.calendars:
            rows += self.api.all(f"/calendars/{c}/accesses.json")
        return rows

    def comments(self) -> list[Any]:
        members = (self.get("message_members") + self.get("document_members")
                   + self.get("forward_members") + self.get("upload_members")
                   + self.get("todolist_members") + self.get("todo_members")
                   + self.get("calendar_event_members"))
        return [c for m in members for c in m.get("comments", [])]

    def topic_rows(self) -> list[Any]:
        return self.api.all("/topics.json") + self.api.all("/topics/archived.json")

    def message_members(self) -> list[Any]:
        return [self.api.json(t["topicable"]["url"]) for t in self.get("topic_rows")
                if t["topicable"]["type"] == "Message"]

    def document_rows(self) -> list[Any]:
        return self.api.all("/documents.json")

    def document_members(self) -> list[Any]:
        return [self.api.json(r["url"]) for r in self.get("document_rows")]

    def forward_rows(self) -> list[Any]:
        return self.api.all("/forwards.json")

    def forward_members(self) -> list[Any]:
        return [self.api.json(r["url"]) for r in self.get("forward_rows")]

    def project_event_rows(self) -> list[Any]:
        rows = []
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/events.json", since=SINCE_EVER)
        return rows

    def group_members(self) -> list[Any]:
        return [self.api.json(f"/groups/{g['id']}.json") for g in self.api.all("/groups.json")]

    def subgroup_members(self) -> list[Any]:
        return [self.api.json(f"/groups/{g.parent_id}/subgroups/{g.id}.json")
                for g in self.truth.groups.values() if g.parent_id is not None]

    def people_members(self) -> list[Any]:
        ids = [self.truth.me_id, *list(self.truth.people)[:8], *list(self.truth.people)[-2:]]
        return [self.api.json(f"/people/{pid}.json") for pid in ids]

    def assigned(self) -> list[Any]:
        rows = []
        for pid in list(self.truth.people)[:20]:
            rows += self.api.all(f"/people/{pid}/assigned_todos.json")
        return rows

    def todolist_rows(self) -> list[Any]:
        return (self.api.all("/todolists.json") + self.api.all("/todolists/completed.json")
                + self.api.all("/todolists/trashed.json"))

    def todolist_members(self) -> list[Any]:
        return [self.api.json(r["url"]) for r in self.get("todolist_rows")]

    def todo_rows(self) -> list[Any]:
        rows = []
        for p in self.projects():
            rows += self.api.all(f"/projects/{p.id}/todos.json")
        return rows

    def todo_members(self) -> list[Any]:
        return [self.api.json(r["url"]) for r in self.get("todo_rows")]

    def launchpad(self) -> list[Any]:
        return [self.api.json(f"{self.sb.origin}/authorization.json")]


def _project_of(row: dict[str, Any]) -> str:
    return row["attachable"]["url"].split("/projects/")[1].split("/")[0]


# example file -> (sample name, how to compare, keys that may be present or absent)
FIDELITY: dict[str, tuple[Callable[[Samples], list[Any]], str, set[str]]] = {
    "accesses__list.json": (lambda s: s.get("accesses"), "exact", set()),
    "attachments__get.json": (lambda s: s.get("attachment_members"), "exact", set()),
    "attachments__get_linked_google_doc.json": (
        lambda s: s.get("linked_attachment_members"), "exact", set()),
    "attachments__list.json": (lambda s: s.get("attachment_rows"), "exact", set()),
    "calendar_events__get.json": (lambda s: s.get("calendar_event_members"), "exact",
                                  {"recurring"}),
    "calendar_events__list_date_window_with_recurrences.json": (
        lambda s: s.get("window_rows"), "exact", set()),
    "calendar_events__list_upcoming_or_past.json": (
        lambda s: s.get("calendar_event_rows"), "exact", set()),
    "calendar_events__sample_recurrence.json": (
        lambda s: s.get("occurrence_rows"), "exact", {"comments_count"}),
    "calendar_events__sample_recurring_event.json": (
        lambda s: s.get("recurring_members"), "subset", set()),
    "calendars__get.json": (
        lambda s: [s.api.json(f"/calendars/{c}.json") for c in s.truth.calendars], "exact",
        set()),
    "calendars__list.json": (lambda s: s.api.all("/calendars.json"), "exact", set()),
    "comments__embedded_in_commentable.json": (lambda s: s.get("comments"), "exact", set()),
    "documents__get.json": (lambda s: s.get("document_members"), "exact", set()),
    "documents__list.json": (lambda s: s.get("document_rows"), "exact", set()),
    "events__list.json": (lambda s: s.get("project_event_rows"), "exact", set()),
    "forwards__get.json": (lambda s: s.get("forward_members"), "exact", set()),
    "forwards__list.json": (lambda s: s.get("forward_rows"), "exact", set()),
    "groups__get.json": (lambda s: s.get("group_members"), "exact", {"subgroups"}),
    "groups__get_subgroup.json": (lambda s: s.get("subgroup_members"), "exact", set()),
    "groups__list.json": (lambda s: s.api.all("/groups.json"), "exact", set()),
    "launchpad__authorization.json": (lambda s: s.get("launchpad"), "exact", set()),
    "messages__get.json": (lambda s: s.get("message_members"), "exact", set()),
    "people__get.json": (lambda s: s.get("people_members"), "exact", set()),
    "people__list.json": (lambda s: s.api.json("/people.json"), "exact", set()),
    "people__projects_of_person.json": (
        lambda s: s.api.all(f"/people/{s.truth.me_id}/projects.json"), "exact", set()),
    "project_templates__get.json": (lambda s: s.get("template_members"), "exact", set()),
    "project_templates__list.json": (lambda s: s.api.all("/project_templates.json"), "exact",
                                     set()),
    "projects__get.json": (lambda s: s.get("project_members"), "exact", set()),
    "projects__list.json": (
        lambda s: s.api.json("/projects.json") + s.api.all("/projects/archived.json")
        + s.api.all("/projects/drafts.json"), "exact", set()),
    "stars__list.json": (lambda s: s.api.all("/stars.json"), "exact", set()),
    "todolists__assigned_todos.json": (lambda s: s.get("assigned"), "exact", set()),
    "todolists__get.json": (lambda s: s.get("todolist_members"), "exact", set()),
    "todolists__list.json": (lambda s: s.get("todolist_rows"), "exact", set()),
    "todos__get.json": (lambda s: s.get("todo_members"), "exact", {"completer", "comments"}),
    "todos__list.json": (lambda s: s.get("todo_rows"), "exact", {"completer"}),
    "topics__list.json": (lambda s: s.get("topic_rows"), "exact", set()),
    "uploads__get.json": (lambda s: s.get("upload_members"), "exact", set()),
}
WRITE_RESPONSES = {"attachments__create_response.json", "comments__create_response.json"}
# Row kinds a listing legitimately mixes in although its own example doesn't show them.
EXTRA_VARIANTS = {
    "attachments__list.json": ["attachments__get_linked_google_doc.json"],
    "calendar_events__list_date_window_with_recurrences.json": [
        "calendar_events__list_upcoming_or_past.json"],
}


def _example_files() -> list[str]:
    if not EXAMPLES.exists():
        return ["<reference missing>"]
    return sorted(p.name for p in EXAMPLES.glob("*.json") if p.name not in WRITE_RESPONSES)


@pytest.fixture(scope="module")
def samples(sb: Sandbox, api: Api) -> Samples:
    return Samples(sb, api)


def _example_items(name: str) -> list[Any]:
    data = json.loads((EXAMPLES / name).read_text())
    if name == "comments__embedded_in_commentable.json":
        return data["comments"]
    return data if isinstance(data, list) else [data]


@pytest.mark.parametrize("name", _example_files())
def test_fidelity__example_shapes_match(samples: Samples, name: str) -> None:
    """With each official example, expect a sandbox response with the same keys and types."""
    if not EXAMPLES.exists():
        pytest.skip(f"reference examples not found at {EXAMPLES}")
    assert name in FIDELITY, f"new example {name}: map it to sandbox responses in FIDELITY"
    fetch, mode, optional = FIDELITY[name]
    full_comments = _example_items("comments__embedded_in_commentable.json")
    examples = [_with_full_comments(e, full_comments) for e in _example_items(name)]
    actual = fetch(samples)
    assert actual, f"no sandbox rows to compare with {name}"
    for i, example in enumerate(examples):
        compare = _subset_problems if mode == "subset" else shape_problems
        tries = [compare(example, a) for a in actual]
        assert not all(tries), f"{name}[{i}] unmatched: {min(tries, key=len)}"
    if mode == "exact":
        variants = [set(e) for e in examples]
        if name in EXTRA_VARIANTS:
            variants += [set(e) for extra in EXTRA_VARIANTS[name] for e in _example_items(extra)]
        for row in actual:
            assert any(set(row) ^ v <= optional for v in variants), (
                f"{name}: sandbox row keys {sorted(row)} match no example")
