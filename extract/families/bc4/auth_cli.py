"""``basecamp-extract auth``: sign in to Basecamp 4 through Launchpad and list reachable accounts.

    basecamp-extract auth login --client-id ID --client-secret SECRET   # browser, then saves
    basecamp-extract auth accounts                                      # id<TAB>name<TAB>href

The group is self-contained (``cli.add_command(auth)`` wires it in): every expected failure is
turned into a ``click.ClickException`` carrying the error's exit code, so it prints one
``Error: ...`` line whether run under ``extract.cli.main`` or click's own standalone mode.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from extract.families.bc4.callback import DEFAULT_PORT, callback_address
from extract.families.bc4.login import (
    DEFAULT_LOGIN_TIMEOUT,
    DEFAULT_USER_AGENT,
    LoginRequest,
    account_line,
    list_accounts,
    login,
)
from extract.families.bc4.oauth import LAUNCHPAD, Tokens
from extract.families.bc4.tokens import DEFAULT_TOKEN_FILE, TokenStore
from transforms.errors import BasecampExtractError, ConfigError
from transforms.redact import REDACTOR

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class AuthCommandError(click.ClickException):
    """A ``BasecampExtractError`` as click shows it: ``Error: <one line>``, its exit code."""

    def __init__(self, error: BasecampExtractError) -> None:
        super().__init__(REDACTOR.scrub(error.one_line()))
        self.exit_code = error.exit_code


def one_line_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BasecampExtractError as exc:
            raise AuthCommandError(exc) from None

    return wrapper


def _common(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
                     envvar="BASECAMP_TOKEN_FILE",
                     help=f"Where tokens are kept [default {DEFAULT_TOKEN_FILE}; env "
                          "BASECAMP_TOKEN_FILE]."),
        click.option("--user-agent", envvar="BASECAMP_USER_AGENT", default=DEFAULT_USER_AGENT,
                     show_default=True,
                     help="User-Agent for Launchpad, ideally with a contact address "
                          "[env BASECAMP_USER_AGENT]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group("auth", context_settings=CONTEXT,
             short_help="Basecamp 4 sign-in (Launchpad) and its accounts.")
def auth() -> None:
    """Basecamp 4 OAuth: authorize through Launchpad, list the accounts a token reaches."""


@auth.command("login", short_help="Sign in with a browser and save the Basecamp 4 tokens.")
@click.option("--client-id", envvar="BASECAMP_CLIENT_ID", required=True,
              help="Your Launchpad integration's client id [env BASECAMP_CLIENT_ID].")
@click.option("--client-secret", envvar="BASECAMP_CLIENT_SECRET", required=True,
              help="Its client secret; prefer the env var, command lines are visible to other "
                   "users [env BASECAMP_CLIENT_SECRET].")
@click.option("--launchpad", envvar="BASECAMP_LAUNCHPAD", default=LAUNCHPAD, show_default=True,
              help="Launchpad's URL [env BASECAMP_LAUNCHPAD].")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Loopback port for the callback; the app's registered redirect URI must be "
                   "http://127.0.0.1:PORT/callback.")
@click.option("--redirect-uri", metavar="URI",
              help="The registered redirect URI, if not http://127.0.0.1:PORT/callback "
                   "(must be http on 127.0.0.1 or localhost, with a port).")
@click.option("--no-browser", is_flag=True, help="Only print the authorization URL.")
@click.option("--timeout", type=click.FloatRange(0, min_open=True),
              default=DEFAULT_LOGIN_TIMEOUT, show_default=True,
              help="Seconds to wait for the browser to come back.")
@_common
@click.pass_context
@one_line_errors
def login_command(ctx: click.Context, client_id: str, client_secret: str, launchpad: str,
                  port: int, redirect_uri: str | None, no_browser: bool, timeout: float,
                  token_file: Path | None, user_agent: str) -> None:
    """Authorize in a browser, save the tokens (mode 0600), list the Basecamp accounts."""
    if redirect_uri is not None and \
            ctx.get_parameter_source("port") is not click.core.ParameterSource.DEFAULT:
        uri_port, _, _ = callback_address(redirect_uri, port)
        if uri_port != port:
            raise ConfigError(f"--port {port} disagrees with --redirect-uri's port {uri_port}: "
                              "pass only one")
    store = TokenStore(token_file)
    request = LoginRequest(client_id=client_id.strip(), client_secret=client_secret.strip(),
                           launchpad=launchpad, redirect_uri=redirect_uri, port=port,
                           timeout=timeout, user_agent=user_agent)
    tokens, app, launchpad = login(request, open_browser=not no_browser,
                                   say=lambda text: click.echo(text, err=True))
    store.save(tokens, app, launchpad)
    click.echo(f"Authorized; tokens saved to {store.path}", err=True)
    _print_accounts(list_accounts(tokens, app, launchpad, user_agent, store.save_tokens))


@auth.command("accounts", short_help="List the Basecamp 4 accounts the token reaches.")
@click.option("--token", envvar="BASECAMP_TOKEN",
              help="A bare access token instead of the token file (no refresh) "
                   "[env BASECAMP_TOKEN].")
@click.option("--launchpad", envvar="BASECAMP_LAUNCHPAD",
              help=f"Launchpad's URL [default: the token file's, else {LAUNCHPAD}; env "
                   "BASECAMP_LAUNCHPAD].")
@_common
@one_line_errors
def accounts_command(token: str | None, launchpad: str | None, token_file: Path | None,
                     user_agent: str) -> None:
    """Print each Basecamp 3/4/5 account the token reaches: id, name, API href (tab-separated).

    An expired access token is refreshed once and the rotated tokens go back to the file.
    """
    if token:
        REDACTOR.add(token)
        accounts = list_accounts(Tokens(token.strip()), None, launchpad or LAUNCHPAD, user_agent)
    else:
        store = TokenStore(token_file)
        grant = store.load()
        if grant is None:
            raise ConfigError(f"no token file at {store.path}: run `basecamp-extract auth "
                              "login` first, or pass --token")
        tokens, app, stored_launchpad = grant
        accounts = list_accounts(tokens, app, launchpad or stored_launchpad, user_agent,
                                 store.save_tokens)
    _print_accounts(accounts)


def _print_accounts(accounts: list[dict[str, Any]]) -> None:
    if not accounts:
        click.echo("This authorization reaches no Basecamp 3/4/5 (bc3) account.", err=True)
    for account in accounts:
        click.echo(account_line(account))
