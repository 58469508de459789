"""Backpack sandbox request log, injected faults (XML bomb, envelope 500, generic kinds) and
determinism.
"""

from __future__ import annotations

import json
import re
import xml.parsers.expat
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox import Sandbox
from tests.sandbox_backpack_support import (
    READ_ENDPOINTS,
    TOKEN,
    Client,
    backpack,
    envelope,
    search_term,
)


def test_request_log__never_contains_the_token(tmp_path: Path) -> None:
    """With every auth style, redirects, bad tokens and a token query, expect no token logged."""
    log_file = tmp_path / "requests.jsonl"
    with backpack(log_path=log_file) as sandbox:
        client = Client(sandbox)
        for endpoint in READ_ENDPOINTS:
            client.read(endpoint)
        client.ws("/ws/pages/all", token="f" * 40)
        client.ws("/ws/pages/search", f"<term>{TOKEN}</term>")
        client.ws("/ws/pages/all", base=sandbox.wrong_scheme_url)
        requests.get(f"{sandbox.wrong_scheme_url}/{TOKEN}/users.xml", timeout=10)
        requests.get(f"{sandbox.base_url}/{TOKEN}/nope.xml", timeout=10)
        requests.get(f"{sandbox.base_url}/statuses.xml", params={"token": TOKEN}, timeout=10)
        requests.get(f"{sandbox.base_url}/statuses.xml", params={"q": TOKEN}, timeout=10)
        requests.get(f"{sandbox.base_url}/statuses.xml", auth=(TOKEN, "X"), timeout=10)
        entries = list(sandbox.requests)
    text = json.dumps(entries) + log_file.read_text()
    assert TOKEN not in text and "f" * 40 not in text
    assert len(log_file.read_text().splitlines()) == len(entries)
    paths = {e["path"] for e in entries}
    assert "/{token}/me.xml" in paths and "/{token}/nope.xml" in paths
    assert any(e["params"] == {"term": search_term(client.showcase)} for e in entries)
    assert all("token" not in (e["params"] or {}) for e in entries)


def test_faults__bomb_is_an_entity_expansion_document(fresh: Sandbox) -> None:
    """With an injected bomb, expect HTTP 200 with nested entities a safe parser refuses."""
    fresh.inject("bomb", r"^/ws/pages/all$")
    client = Client(fresh)
    bombed = client.ws("/ws/pages/all")
    assert bombed.status_code == 200
    declared = re.findall(rb"<!ENTITY (\w+) \"((?:&\w+;)+|\w+)\">", bombed.content)
    assert len(declared) >= 10
    assert all(value.count(b"&") == 10 for _, value in declared[1:])
    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_: Any) -> None:
        raise ValueError("entity declarations are not accepted")

    parser.EntityDeclHandler = refuse
    with pytest.raises(ValueError):
        parser.Parse(bombed.content, True)
    assert envelope(client.ws("/ws/pages/all")) == ("true", None)
    assert [e["fault"] for e in fresh.requests] == ["bomb", None]


def test_faults__envelope500_is_http_200_with_error_500(fresh: Sandbox) -> None:
    """With an injected envelope500, expect HTTP 200 + success='false' 500 once, then success."""
    fresh.inject("envelope500", r"^/ws/page/")
    client = Client(fresh)
    failed = client.read("pages_show")
    assert failed.status_code == 200 and envelope(failed) == ("false", "500")
    assert envelope(client.read("pages_show")) == ("true", None)
    assert [e["success"] for e in fresh.requests] == [False, True]


def test_faults__generic_kinds_match_the_redacted_path(fresh: Sandbox) -> None:
    """With a 503 fault on '/{token}/me.xml', expect 503 without Retry-After, then 200."""
    fresh.inject("503", r"^/\{token\}/me\.xml$")
    client = Client(fresh)
    failed = client.tokened("/me.xml")
    assert failed.status_code == 503 and "Retry-After" not in failed.headers
    assert client.tokened("/me.xml").status_code == 200


def test_faults__unknown_kind_is_rejected_and_bc2_rejects_xml_kinds(fresh: Sandbox) -> None:
    """With an unknown kind, expect ValueError; BC2 sandboxes refuse the XML-only kinds."""
    with pytest.raises(ValueError):
        fresh.inject("teapot")
    with pytest.raises(ValueError):
        Sandbox(api="bc2").inject("bomb")


def test_determinism__same_seed_same_bodies() -> None:
    """With the same seed, expect identical bodies; with another seed, different ones."""
    def bodies(seed: int) -> list[bytes]:
        with backpack(seed=seed) as sandbox:
            client = Client(sandbox)
            return [client.read(e).content for e in ("pages_all", "pages_show", "users_export",
                                                     "journal_entries_list", "calendars_list")]

    assert bodies(3) == bodies(3)
    assert bodies(3) != bodies(4)
