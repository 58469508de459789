"""From options to one ``ExportConfig`` per account: sandbox, sign-in, account, base URL.

What differs by family is asked of the ``Family``: how it signs in and finds its accounts
(``Family.login``), and how its built-in sandbox is reached (``Family.sandbox_target``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import click

from extract.cli.options import ExportOptions, parse_rate
from extract.cli.sandbox_cmd import SANDBOX_USER_AGENT, local_sandbox
from extract.config import ExportConfig
from extract.families import Family, family
from extract.families.family import Target
from extract.http import Credentials, RateLimit, require_safe_base_url
from transforms.errors import ConfigError

ACCOUNT_IN_URL = re.compile(r"/(\d+)(?:/api/v1)?/?$")


def check_output(opts: ExportOptions) -> None:
    """Before any request or sandbox: a remote output's bucket is there and these
    credentials see it (exit 5 when it is missing or unreachable)."""
    if opts.output.remote:
        opts.output.probe()


@contextmanager
def sandbox_if_needed(opts: ExportOptions) -> Iterator[Target]:
    """No credentials and no base URL: run against an in-process sandbox, and say so."""
    fam = family(opts.api)
    has_creds = opts.has_credentials or (fam.login is not None
                                         and fam.login.stored(opts.token_file))
    if not opts.use_sandbox and (has_creds or opts.base_url):
        yield Target()
        return
    if fam.sandbox_target is None:
        raise ConfigError(f"{fam.api} has no built-in sandbox; pass credentials")
    if not opts.use_sandbox:
        click.echo("No credentials given: exporting the built-in sandbox "
                   f"({opts.sandbox_size} size). See README to export a real account.",
                   err=True)
    with local_sandbox(fam, opts.sandbox_size) as box:
        yield replace(fam.sandbox_target(box),
                      user_agent=opts.user_agent or SANDBOX_USER_AGENT)


def accounts(opts: ExportOptions, target: Target) -> list[Target]:
    """Targets to export: the one named, or every account the family's sign-in reaches."""
    fam = family(opts.api)
    named = target.account or opts.account or opts.base_url
    if fam.login is None or named:
        return [target]
    grant, launchpad = fam.login.grant(opts, target)
    return fam.login.accounts(grant, launchpad, _user_agent(opts, target), target)


def export_config(steps: list[str] | None, opts: ExportOptions,
                  target: Target) -> ExportConfig:
    fam = family(opts.api)
    base_url, account = _address(fam, target.base_url or opts.base_url,
                                 target.account or opts.account)
    require_safe_base_url(base_url)
    grant = fam.login.grant(opts, target)[0] if fam.login is not None else None
    credentials = _credentials(fam, opts, target, signed_in=grant is not None)
    user_agent = _user_agent(opts, target)
    return ExportConfig(
        account_id=account, timezone=opts.timezone, base_url=base_url.rstrip("/"),
        user_agent=user_agent, credentials=credentials,
        output=opts.output if opts.output.remote else opts.output.path, api=opts.api,
        steps=steps, partition_by=opts.partition_by, work_dir=opts.work_dir,
        workers=opts.workers, rate_limit=_rate(fam, opts), cache=not opts.no_cache,
        max_pages=opts.max_pages, keep_raw=opts.keep_raw,
        retries=opts.retries, retry_for=opts.retry_for, grant=grant,
        options=opts.fan_outs, full=opts.full, wait_for_lock=not opts.no_wait,
        allow_shrink=opts.shrink_allowance,
    )


def _address(fam: Family, base_url: str | None,
             account: str | int | None) -> tuple[str, str | int]:
    """The base URL with its account filled in, and the account (from the URL if need be)."""
    slot = "{" + fam.account_column + "}"
    if not base_url:
        if not account:
            raise ConfigError("--account is required (or --base-url with the account in it)")
        base_url = fam.catalog.base_url.replace(slot, str(account))
    elif slot in base_url:
        if not account:
            raise ConfigError(f"--account is required: the base URL has an {slot} slot")
        base_url = base_url.replace(slot, str(account))
    elif not account:
        match = ACCOUNT_IN_URL.search(base_url)
        if not match:
            raise ConfigError("--account is required: no account id in --base-url")
        account = match.group(1)
    if fam.account_column == "account_id":
        if not str(account).isdigit():
            raise ConfigError(f"--account must be a numeric account id, not {account!r}")
        account = int(account)
    return base_url, account


def _credentials(fam: Family, opts: ExportOptions, target: Target, *,
                 signed_in: bool) -> Credentials:
    own = fam.login is None  # an OAuth family signs in with its grant, not these options
    credentials = target.credentials or Credentials(
        username=opts.username if own else None, password=opts.password if own else None,
        token=opts.token if own else None)
    if not signed_in and (not credentials.present
                          or (not fam.session_auth and not credentials.token)):
        raise ConfigError("credentials are required: --token"
                          + ("" if not fam.session_auth else ", or --username and --password"))
    return credentials


def _user_agent(opts: ExportOptions, target: Target) -> str:
    user_agent = target.user_agent or opts.user_agent
    if not user_agent:
        raise ConfigError("a User-Agent is required: pass --user-agent 'MyApp (you@example.com)' "
                          "or set BASECAMP_USER_AGENT")
    return user_agent


def _rate(fam: Family, opts: ExportOptions) -> RateLimit | None:
    if opts.no_rate_limit:
        return None
    return parse_rate(opts.rate_limit) if opts.rate_limit else fam.rate
