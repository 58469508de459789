"""The Basecamp 4 token file: saved private, loaded whole, refreshed in place."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from extract.families.bc4.oauth import OAuthApp, Tokens
from extract.families.bc4.tokens import TokenStore, load_tokens
from transforms.errors import ConfigError


def test_store__round_trip_and_permissions(tmp_path: Path) -> None:
    """With save then load, expect the same grant back; the file 0600 whatever the umask."""
    path = tmp_path / "deep" / "dir" / "tok.json"
    store = TokenStore(path)
    app = OAuthApp("cid", "csecret", "https://launchpad.example/authorization/token")
    old = os.umask(0)
    try:
        store.save(Tokens("acc-1", "ref-1", expires_in=60), app, "https://launchpad.example/")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    tokens, loaded_app, launchpad = load_tokens(path)  # type: ignore[misc]
    assert (tokens.access_token, tokens.refresh_token) == ("acc-1", "ref-1")
    assert loaded_app == app and launchpad == "https://launchpad.example"
    assert load_tokens(tmp_path / "absent.json") is None


def test_store__save_tokens_is_an_on_refresh_callback(tmp_path: Path) -> None:
    """With a loaded store, expect save_tokens to replace only the tokens."""
    path = tmp_path / "tok.json"
    app = OAuthApp("cid", "csecret", "https://launchpad.example/authorization/token")
    TokenStore(path).save(Tokens("acc-1", "ref-1"), app, "https://launchpad.example")
    store = TokenStore(path)
    assert store.load() is not None
    store.save_tokens(Tokens("acc-2", "ref-2"))
    data = json.loads(path.read_text())
    assert (data["access_token"], data["refresh_token"]) == ("acc-2", "ref-2")
    assert data["client_secret"] == "csecret" and data["launchpad"] == "https://launchpad.example"
    with pytest.raises(ConfigError):
        TokenStore(tmp_path / "fresh.json").save_tokens(Tokens("x"))


def test_store__default_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With no path, expect ~/.config/basecamp-extract/bc4-token.json."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert TokenStore().path == tmp_path / ".config" / "basecamp-extract" / "bc4-token.json"
