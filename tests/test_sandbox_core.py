"""The sandbox core: one pipeline for every family, a registry of families, routing tables.

A family is a folder plus one registry entry; its routes are a werkzeug table whose rules
each reach their own handler; the shared pipeline (auth, limiter, faults, validators, log)
serves any front it is given.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from werkzeug.routing import Rule

from sandbox import Credentials, Sandbox
from sandbox.backpack.routes import ROUTER as BACKPACK_ROUTER
from sandbox.bc2.routes import ROUTER as BC2_ROUTER
from sandbox.bc4.routes import ROUTER as BC4_ROUTER
from sandbox.contract import AppResult, Target
from sandbox.family import SandboxFamily, ServeOptions
from sandbox.jsonapi import JsonFront
from sandbox.registry import FAMILIES, SUPPORTED_APIS
from sandbox.router import Router

UA = "basecamp-extract tests (tests@example.com)"
ROUTERS = {"bc2": (BC2_ROUTER, 61), "bc4": (BC4_ROUTER, 83), "backpack": (BACKPACK_ROUTER, 22)}


def test_registry__lists_the_three_families_and_refuses_others() -> None:
    """With the registry, expect each API's Sandbox built from its own description."""
    assert SUPPORTED_APIS == ("bc2", "backpack", "bc4")
    for api in SUPPORTED_APIS:
        box = Sandbox(api=api)
        assert box.family is FAMILIES[api]
        assert box._server.limiter is not None
        assert (box._server.limiter.limit, box._server.limiter.window) == FAMILIES[api].rate_limit
    with pytest.raises(ValueError, match="unsupported api 'classic'"):
        Sandbox(api="classic")


def test_registry__family_only_controls_say_which_family_lacks_them() -> None:
    """With BC2, expect the BC4 and Backpack extras to fail as attributes, not by name."""
    box = Sandbox(api="bc2")
    with pytest.raises(AttributeError):
        box.launchpad_url  # noqa: B018
    with pytest.raises(AttributeError):
        box.wrong_scheme_url  # noqa: B018
    with pytest.raises(NotImplementedError):
        Sandbox(api="backpack").mutate(1)
    with pytest.raises(TypeError):
        Sandbox(api="bc2", credentials=object())


class _ToyApp:
    """A fourth API in a dozen lines: one collection at ``/toy.json``."""

    account_id = 7

    def bind(self, origin: str, asset_origin: str) -> None:
        self.origin = origin

    def target(self, path: str) -> Target:
        return Target(account=7) if path == "/toy.json" else Target(account=None, status=404)

    def respond(self, path: str, query: Mapping[str, str]) -> AppResult:
        return AppResult(200, b'[{"id":1}]', kind="collection", total=1)

    def fallback_last_modified(self) -> datetime:
        return datetime(2026, 1, 1, tzinfo=UTC)


def _toy_family() -> SandboxFamily:
    def front(truth: Any, credentials: Credentials, options: ServeOptions) -> JsonFront:
        return JsonFront(_ToyApp(), credentials)

    return SandboxFamily(
        api="toy", generate=lambda size, seed: _ToyApp(), credentials=lambda given: given
        or Credentials(), front=front, rate_limit=(2, 60.0),
        base_url=lambda origin, truth: origin)


def test_registry__a_new_family_is_one_entry_and_gets_the_whole_pipeline(monkeypatch) -> None:
    """With a toy family registered, expect auth, ETag/304, the limiter and faults to apply."""
    monkeypatch.setitem(FAMILIES, "toy", _toy_family())
    with Sandbox(api="toy") as box:
        url, c = box.base_url + "/toy.json", box.credentials
        auth = (c.username, c.password)
        assert requests.get(url, headers={"User-Agent": UA}, timeout=5).status_code == 401
        first = requests.get(url, auth=auth, headers={"User-Agent": UA}, timeout=5)
        assert first.status_code == 200 and first.json() == [{"id": 1}]
        again = requests.get(url, auth=auth, timeout=5, headers={
            "User-Agent": UA, "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        assert requests.get(url, auth=auth, headers={"User-Agent": UA},
                            timeout=5).status_code == 429
        assert [e["status"] for e in box.requests] == [401, 200, 304, 429]
        assert box.minimum_requests() == 1


@pytest.mark.parametrize("api", sorted(ROUTERS))
def test_routes__every_rule_reaches_its_own_endpoint(api: str) -> None:
    """With a sample path per rule, expect that rule's endpoint: no rule shadows another."""
    router, count = ROUTERS[api]
    rules = list(router.map.iter_rules())
    assert len(rules) == count
    for rule in rules:
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "tok" if m.group(1) == "token" else "12",
                      rule.rule)
        found = router.match(path)
        assert found is not None and found[0] is rule.endpoint, rule.rule


def test_router__never_merges_strips_or_redirects_slashes() -> None:
    """With werkzeug's slash handling, expect the hand-written routers' exact-path rule."""
    router = Router([Rule("/a", endpoint="a"), Rule("/a/<int:id>", endpoint="id")])
    assert router.match("/a") == ("a", {})
    assert router.match("/a/3") == ("id", {"id": 3})
    for path in ("//a", "/a/", "/a//3", "/a/3/", "/b", "/a/x"):
        assert router.match(path) is None, path
