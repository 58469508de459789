"""An OAuth grant as an export holds it: tokens, the app that refreshes them, where they go.

Basecamp 4 access tokens are refreshed mid-run (``RefreshingBearerAuth``); the rotated pair is
handed to ``on_refresh`` so the caller can store it. The grant also names the HTTP cache: the
token rotates, the app and account do not, so conditional requests survive a refresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from extract.families.bc4.oauth import OAuthApp, RefreshingBearerAuth, Tokens


@dataclass
class Grant:
    tokens: Tokens = field(repr=False)
    app: OAuthApp | None = field(default=None, repr=False)
    on_refresh: Callable[[Tokens], None] | None = field(default=None, repr=False)

    def auth(self, user_agent: str) -> RefreshingBearerAuth:
        return RefreshingBearerAuth(self.tokens, self.app, on_refresh=self.remember,
                                    user_agent=user_agent)

    def remember(self, tokens: Tokens) -> None:
        """Keep rotated tokens for the next session and hand them on for storage."""
        self.tokens = tokens
        if self.on_refresh is not None:
            self.on_refresh(tokens)

    def identity(self) -> str:
        """A one-way name for the cache that outlives token rotation (the app's client id)."""
        material = self.app.client_id if self.app else self.tokens.access_token
        return hashlib.sha256(f"oauth\0{material}".encode()).hexdigest()[:16]

    def secrets(self) -> list[str]:
        found = [self.tokens.access_token, self.tokens.refresh_token]
        if self.app is not None:
            found.append(self.app.client_secret)
        return [s for s in found if s]
