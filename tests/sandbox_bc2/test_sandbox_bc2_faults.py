"""Basecamp 2 sandbox under pressure: rate limit, latency, the request log and injected faults."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from sandbox import Sandbox
from tests.sandbox_bc2_support import CREDS, UA, Api


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
                               "fault", "client"}
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
