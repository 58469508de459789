"""OAuth 2 via Launchpad: a bearer auth that refreshes itself once on a 401, and discovery.

Access tokens last two weeks. When one expires mid-run the server answers 401; the auth below
then exchanges the refresh token (once per expired token, however many threads saw the 401),
hands the new tokens to the caller for storage, and re-sends the request. If the refresh itself
is refused the token was revoked: that is an ``AuthError``, one line and a non-zero exit.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests

from extract.pagination import fetch
from transforms.errors import AuthError

log = logging.getLogger(__name__)

LAUNCHPAD = "https://launchpad.37signals.com"
TOKEN_TIMEOUT = 30


class GrantError(AuthError):
    """The OAuth grant no longer works: only a new sign-in helps."""

    hint = "run `basecamp-extract auth login` again"


@dataclass
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: int | None = field(default=None, compare=False)  # seconds, as the server said


@dataclass(frozen=True)
class OAuthApp:
    """A registered Launchpad integration; ``token_url`` is overridable for the sandbox."""

    client_id: str
    client_secret: str = field(repr=False)
    token_url: str = f"{LAUNCHPAD}/authorization/token"


class RefreshingBearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer``, refreshed and retried once when the server says 401."""

    def __init__(self, tokens: Tokens, app: OAuthApp | None = None,
                 on_refresh: Callable[[Tokens], None] | None = None,
                 user_agent: str = "basecamp-extract") -> None:
        self.tokens = tokens
        self.app = app
        self.on_refresh = on_refresh or (lambda tokens: None)
        self.user_agent = user_agent
        self._lock = threading.Lock()
        self._retried: weakref.WeakSet[requests.PreparedRequest] = weakref.WeakSet()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        request.register_hook("response", self._handle_401)
        return request

    def __repr__(self) -> str:
        return "RefreshingBearerAuth(***)"

    def _handle_401(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        request = response.request
        if response.status_code != 401 or self.app is None or request in self._retried:
            return response
        used = request.headers.get("Authorization", "")
        self.refresh(expired=used.removeprefix("Bearer "))
        response.content  # noqa: B018 - drain the body so the connection can be reused
        response.close()
        retry = request.copy()
        retry.headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        self._retried.add(retry)
        answer = response.connection.send(retry, **kwargs)
        answer.history.append(response)
        answer.request = retry
        return answer

    def refresh(self, expired: str | None = None) -> Tokens:
        """Exchange the refresh token, unless another thread already replaced ``expired``."""
        with self._lock:
            if expired is not None and expired != self.tokens.access_token:
                return self.tokens
            if self.app is None or not self.tokens.refresh_token:
                raise GrantError("the access token expired and there is no refresh token")
            log.info("access token expired; refreshing it")
            try:
                answer = requests.post(
                    self.app.token_url, timeout=TOKEN_TIMEOUT, allow_redirects=False,
                    headers={"User-Agent": self.user_agent},
                    data={"grant_type": "refresh_token",
                          "refresh_token": self.tokens.refresh_token,
                          "client_id": self.app.client_id,
                          "client_secret": self.app.client_secret})
            except requests.RequestException as exc:
                raise AuthError(f"token refresh failed ({type(exc).__name__})") from None
            if answer.status_code != 200:
                raise GrantError(f"token refresh refused ({answer.status_code}): the grant was "
                                 "revoked or replaced")
            data = answer.json()
            self.tokens = Tokens(data["access_token"],
                                 data.get("refresh_token") or self.tokens.refresh_token,
                                 expires_in=lifetime(data))
            self.on_refresh(self.tokens)
            return self.tokens


def lifetime(data: dict[str, Any]) -> int | None:
    """A token answer's ``expires_in`` as whole seconds, or None when absent or nonsense."""
    value = data.get("expires_in")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        seconds = int(float(value))
    except (ValueError, OverflowError):
        return None
    return seconds if seconds > 0 else None


def bc3_accounts(session: requests.Session, launchpad: str = LAUNCHPAD) -> list[dict[str, Any]]:
    """The Basecamp 3/4/5 accounts a token reaches (Launchpad lists other products too)."""
    page = fetch(session, f"{launchpad.rstrip('/')}/authorization.json")
    accounts = page.records[0].get("accounts") or [] if page.records else []
    return [a for a in accounts if a.get("product") == "bc3"]
