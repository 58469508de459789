"""Basecamp 4 signing in for an export: the grant, Launchpad's accounts, the sandbox's OAuth.

The CLI asks the family (``Family.login``) rather than knowing Launchpad: a bare --token, the
grant ``auth login`` stored, or the sandbox's own app; without --account every bc3 account
the grant reaches is exported.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from extract.families.bc4.grant import Grant
from extract.families.bc4.login import list_accounts
from extract.families.bc4.oauth import LAUNCHPAD, OAuthApp, Tokens
from extract.families.bc4.tokens import TokenStore
from extract.families.family import LoginOptions, Target
from transforms.errors import ConfigError

# Fixed, so the HTTP cache of one sandbox run serves the next (the cache is named by client).
SANDBOX_OAUTH = {"token": "sandbox-token", "refresh_token": "sandbox-refresh-token",
                 "client_id": "sandbox-client", "client_secret": "sandbox-client-secret"}


class LaunchpadLogin:
    """Basecamp 4's ``Login``: OAuth 2 grants and account discovery through Launchpad."""

    def stored(self, token_file: Path | None) -> bool:
        return TokenStore(token_file).path.is_file()

    def grant(self, options: LoginOptions, target: Target) -> tuple[Grant, str]:
        """The sandbox's grant, a bare --token, or the stored `auth login` grant."""
        if target.grant is not None:
            return target.grant, target.launchpad or LAUNCHPAD
        launchpad = options.launchpad or LAUNCHPAD
        if options.token:
            return Grant(Tokens(options.token)), launchpad
        store = TokenStore(options.token_file)
        loaded = store.load()
        if loaded is None:
            raise ConfigError(f"no Basecamp 4 credentials: run `basecamp-extract auth login` "
                              f"(no token file at {store.path}) or pass --token")
        tokens, app, stored_launchpad = loaded
        return Grant(tokens, app, on_refresh=store.save_tokens), options.launchpad or \
            stored_launchpad

    def accounts(self, grant: Grant, launchpad: str, user_agent: str,
                 target: Target) -> list[Target]:
        found = list_accounts(grant.tokens, grant.app, launchpad, user_agent,
                              on_refresh=grant.remember)
        if not found:
            raise ConfigError("the token reaches no Basecamp 4 (bc3) account; pass --account")
        click.echo(f"exporting {len(found)} Basecamp 4 account(s) found through Launchpad",
                   err=True)
        return [replace(target, grant=grant, account=a["id"], base_url=a["href"])
                for a in found]


def sandbox_login() -> object:
    from sandbox import Bc4Credentials  # loaded only when a sandbox runs

    return Bc4Credentials(**SANDBOX_OAUTH)


def sandbox_target(box: Any) -> Target:
    creds = box.credentials
    app = OAuthApp(creds.client_id, creds.client_secret,
                   f"{box.launchpad_url}/authorization/token")
    return Target(sandbox=box, launchpad=box.launchpad_url,
                  grant=Grant(Tokens(creds.token, creds.refresh_token), app))
