"""Basecamp 4 sandbox OAuth and Launchpad: expiry and refresh, revocation, client secrets, and
a request log without secrets.
"""

from __future__ import annotations

import json

import requests

from sandbox import Bc4Credentials, Sandbox
from tests.sandbox_walks import UA, Client


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
