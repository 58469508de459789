"""The ``basecamp-extract`` command line: export, steps, tables, sandbox, auth, load, report."""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from extract.cli_auth import auth
from extract.errors import BasecampExtractError, ConfigError, PartialExportError
from extract.export import ExportConfig, ExportResult, run_export
from extract.families import FAMILIES, family
from extract.grant import Grant
from extract.http import (
    DEFAULT_RETRIES,
    DEFAULT_RETRY_FOR,
    Credentials,
    RateLimit,
    require_safe_base_url,
)
from extract.oauth import LAUNCHPAD, OAuthApp, Tokens
from extract.oauth_login import TokenStore, list_accounts
from extract.pagination import DEFAULT_MAX_PAGES
from extract.progress import (
    BAR_REFRESH,
    LOG_EVERY,
    LogTicker,
    Progress,
    TerminalBar,
    View,
    watching,
)
from extract.redact import REDACTOR

log = logging.getLogger("extract")

SANDBOX_USER_AGENT = "basecamp-extract sandbox (sandbox@localhost)"
SANDBOX_PORT = 8765
SANDBOX_CREDENTIALS = {"username": "sandbox", "password": "sandbox", "token": "sandbox-token"}
# Fixed, so the HTTP cache of one sandbox run serves the next (the cache is named by client).
SANDBOX_OAUTH = {"token": "sandbox-token", "refresh_token": "sandbox-refresh-token",
                 "client_id": "sandbox-client", "client_secret": "sandbox-client-secret"}
ACCOUNT_IN_URL = re.compile(r"/(\d+)(?:/api/v1)?/?$")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a debug log to this file (secrets are masked).")
@click.version_option(package_name="basecamp-extract")
def cli(verbose: int, log_file: Path | None) -> None:
    """Extract Basecamp 2 and Backpack accounts into typed, partitioned Parquet."""
    configure_logging(verbose, log_file)


cli.add_command(auth)


def configure_logging(verbose: int, log_file: Path | None) -> None:
    root = logging.getLogger()
    root.handlers.clear()
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(level)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console.addFilter(REDACTOR)
    root.addHandler(console)
    root.setLevel(level)
    if verbose < 2:
        logging.getLogger("urllib3").setLevel(logging.ERROR)
    if log_file is not None:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(REDACTOR)
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)


def export_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that talks to an API."""
    options = [
        click.option("--api", type=click.Choice(sorted(FAMILIES)), default="bc2",
                     show_default=True, help="API family."),
        click.option("--account", envvar="BASECAMP_ACCOUNT",
                     help="Account id (Backpack: the subdomain) [env BASECAMP_ACCOUNT]."),
        click.option("--base-url", envvar="BASECAMP_BASE_URL",
                     help="API base URL, e.g. https://basecamp.com/123/api/v1 "
                          "[env BASECAMP_BASE_URL]."),
        click.option("--username", envvar="BASECAMP_USERNAME",
                     help="Basic-auth user [env BASECAMP_USERNAME]."),
        click.option("--password", envvar="BASECAMP_PASSWORD",
                     help="Basic-auth password [env BASECAMP_PASSWORD]."),
        click.option("--token", envvar="BASECAMP_TOKEN",
                     help="OAuth 2 access token; Backpack: the API token [env BASECAMP_TOKEN]."),
        click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path),
                     envvar="BASECAMP_TOKEN_FILE",
                     help="Basecamp 4: the grant `auth login` stored (default "
                          "~/.config/basecamp-extract/bc4-token.json) [env BASECAMP_TOKEN_FILE]."),
        click.option("--launchpad", envvar="BASECAMP_LAUNCHPAD",
                     help="Basecamp 4: Launchpad URL for account discovery "
                          "[env BASECAMP_LAUNCHPAD]."),
        click.option("--full", is_flag=True,
                     help="Export everything even when an earlier run left bookmarks (the "
                          "default is incremental then)."),
        click.option("--with", "with_", metavar="WHAT",
                     help="Opt-in reads, comma-separated. Basecamp 2: subscribers (every "
                          "to-do, to-do list and calendar event read as a member, for the "
                          "*__subscribers tables and to-dos' attachments, which are not written "
                          "otherwise). Basecamp 4: costly per-recording fan-outs: events, "
                          "boosts, subscriptions, versions (one request per recording each); "
                          "details (one request per trashed or archived to-do and card and per "
                          "one in an archived project, for their assignees, completion "
                          "subscribers, steps and card attachments, which are not written "
                          "otherwise). `tables` marks what each option writes."),
        click.option("--with-events", is_flag=True, help="Same as --with events."),
        click.option("--timezone", envvar="BASECAMP_TIMEZONE",
                     help="Zone of timestamps that carry none (Backpack; default: the "
                          "account's own, from me.xml) [env BASECAMP_TIMEZONE]."),
        click.option("--user-agent", envvar="BASECAMP_USER_AGENT",
                     help="Required for real APIs: 'MyApp (you@example.com)' "
                          "[env BASECAMP_USER_AGENT]."),
        click.option("--sandbox", "use_sandbox", is_flag=True,
                     help="Export the built-in sandbox (the default when no credentials "
                          "are given)."),
        click.option("--sandbox-size", type=click.Choice(["tiny", "default", "large"]),
                     default="default", show_default=True, help="Size of the sandbox account."),
        click.option("-o", "--output", type=click.Path(path_type=Path),
                     default=Path("output"), envvar="BASECAMP_OUTPUT", show_default=True,
                     help="Output directory [env BASECAMP_OUTPUT]."),
        click.option("--workers", type=click.IntRange(1, 64), default=8, show_default=True,
                     help="Concurrent requests (the rate limiter still caps the rate)."),
        click.option("--rate-limit", "rate_limit", metavar="N/SECONDS",
                     help="Client-side limit, e.g. 475/10 (default: 95% of the API's)."),
        click.option("--no-rate-limit", is_flag=True, help="Turn the client-side limiter off."),
        click.option("--no-cache", is_flag=True, help="Do not use or store the HTTP cache."),
        click.option("--retries", type=click.IntRange(0, 1000), default=DEFAULT_RETRIES,
                     help="At most N re-sends per request for 429, 5xx and network errors "
                          "(default: no count; --retry-for bounds the time)."),
        click.option("--retry-for", "retry_for", type=click.FloatRange(0), metavar="SECONDS",
                     default=DEFAULT_RETRY_FOR, show_default=True,
                     help="Keep re-sending one request for up to this long while the server "
                          "answers 429/5xx or the network fails."),
        click.option("--max-pages", type=click.IntRange(1), default=DEFAULT_MAX_PAGES,
                     show_default=True, help="Page cap per listing (hitting it warns)."),
        click.option("--keep-raw", is_flag=True,
                     help="Keep every raw response under OUTPUT/API/_raw/RUN_ID."),
        click.option("--progress/--no-progress", default=True, show_default=True,
                     help="Show progress on stderr: a bar on a terminal, otherwise a log line "
                          "every --progress-every seconds."),
        click.option("--progress-every", type=click.FloatRange(0, min_open=True),
                     default=LOG_EVERY, show_default=True, metavar="SECONDS",
                     help="Seconds between progress log lines when stderr is not a terminal."),
        click.option("--no-wait", is_flag=True,
                     help="If another export of the same account into the same output is "
                          "running, exit at once (code 9) instead of waiting for it."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def shrink_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--allow-shrink`` alone accepts every table's loss; ``--allow-shrink=t1,t2`` those."""
    return click.option(
        "--allow-shrink", "allow_shrink", is_flag=False, flag_value="*", default=None,
        metavar="[TABLES]",
        help="Accept a real mass deletion the shrink guard refused: every table, or only "
             "the comma-separated TABLES (--allow-shrink=todos,people).")(func)


@cli.command()
@export_options
@shrink_option
@click.option("--steps", help="Comma-separated steps to run (default: all). See `steps`.")
def export(steps: str | None, **options: Any) -> None:
    """Export every step of one account into Parquet.

    Without credentials this exports the built-in sandbox:

        basecamp-extract export

    A real Basecamp 2 account:

        basecamp-extract export --account 123 --username me@example.com --password … \\
            --user-agent "MyApp (me@example.com)"
    """
    chosen = [s.strip() for s in steps.split(",") if s.strip()] if steps else None
    _run(chosen, options)


@cli.command()
@click.argument("name")
@export_options
@shrink_option
def step(name: str, **options: Any) -> None:
    """Run one extract step: `basecamp-extract step todos`."""
    _run([name], options)


@cli.command("steps")
@click.option("--api", type=click.Choice(sorted(FAMILIES)), default="bc2", show_default=True)
def list_steps(api: str) -> None:
    """List the extract steps and the endpoints each one runs."""
    fam = family(api)
    for name in fam.steps():
        click.echo(f"{name:20} {', '.join(fam.endpoints_into(name))}")


@cli.command("tables")
@click.option("--api", type=click.Choice(sorted(FAMILIES)), default="bc2", show_default=True)
@click.option("--columns", is_flag=True, help="Also list every column with its type.")
def list_tables(api: str, columns: bool) -> None:
    """List the output tables with primary key, partitioning and purpose.

    Tables marked `opt-in: --with X` are written only when the export runs with that option,
    and are then complete; every other table is complete by default.
    """
    fam = family(api)
    for spec in fam.registry.values():
        option = fam.opt_in(spec.name)
        mark = f"  [opt-in: --with {option}]" if option else ""
        click.echo(f"{spec.name:40} key=({', '.join(spec.key)}) "
                   f"partition=({', '.join(spec.partition)}){mark}  {spec.doc}")
        if columns:
            for field in spec.arrow_schema():
                click.echo(f"    {field.name:45} {field.type}")


@cli.command()
@click.option("--api", type=click.Choice(sorted(FAMILIES)), default="bc2", show_default=True)
@click.option("--size", type=click.Choice(["tiny", "default", "large"]), default="default",
              show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=SANDBOX_PORT, show_default=True)
@click.option("--username", default=SANDBOX_CREDENTIALS["username"], show_default=True)
@click.option("--password", default=SANDBOX_CREDENTIALS["password"], show_default=True)
@click.option("--token", default=SANDBOX_CREDENTIALS["token"], show_default=True)
@click.option("--rate-limit", "rate_limit", metavar="N/SECONDS",
              help="Server-side limit (default: the API's own: 500/10, 50/10, 100/5); "
                   "'off' to disable.")
@click.option("--faults", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="Share of requests answered with a random fault: 5xx, 429 storms, resets, "
                   "slow answers, truncated or HTML bodies.")
@click.option("--fault-seed", type=int, default=0, show_default=True)
@click.option("--request-log", type=click.Path(dir_okay=False, path_type=Path),
              help="Append one JSON line per request to this file.")
def sandbox(api: str, size: str, host: str, port: int, username: str, password: str,
            token: str, rate_limit: str | None, faults: float, fault_seed: int,
            request_log: Path | None) -> None:
    """Serve the built-in fake API on loopback: `basecamp-extract sandbox --port 8765`."""
    from sandbox import Credentials as SandboxCredentials
    from sandbox import Sandbox

    if not _loopback_host(host):
        raise ConfigError("the sandbox serves loopback only (127.0.0.1, ::1 or localhost)")
    limits: dict[str, Any] = {}
    if rate_limit == "off":
        limits["rate_limit"] = None
    elif rate_limit:
        limit = _parse_rate(rate_limit)
        limits["rate_limit"] = (limit.requests, limit.seconds)
    box = Sandbox(api=api, size=size, host=host, port=port, log_path=request_log,
                  faults=faults, fault_seed=fault_seed, **limits,
                  credentials=SandboxCredentials(username=username, password=password,
                                                 token=token))
    click.echo(f"sandbox {api} ({size}) at {box.base_url}  account {box.account_id}  "
               f"user {username}  (Ctrl-C to stop)")
    box.serve_forever()


@cli.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), envvar="BASECAMP_OUTPUT", show_default=True,
              help="Output directory [env BASECAMP_OUTPUT].")
def status(output: Path) -> None:
    """Bookmarks, the last run and what the next run will do, per API and account."""
    from extract.journal import pending
    from extract.state import DamagedState, load_state

    found = False
    for api in sorted(FAMILIES):
        fam = family(api)
        folder = output / api / "_state"
        runs = output / api / "_runs"
        accounts = {p.stem for p in _glob(folder, "*.json")} | \
            {p.name for p in _glob(runs, "*=*") if p.is_dir()}
        for account in sorted(accounts):
            found = True
            click.echo(f"{api} {account}")
            try:
                state = load_state(folder / f"{account}.json")
            except DamagedState as exc:
                click.echo(f"  state:      {exc.one_line()}")
                continue
            waiting = pending(runs / account)
            last = state.last_run if state else {}
            click.echo(f"  last run:   {last.get('mode', '-')} {last.get('started_at', '-')}, "
                       f"{_number(last.get('requests', 0))} requests, "
                       f"{_number(last.get('rows', 0))} rows")
            click.echo(f"  last full:  {state.last_full if state else '-'}")
            feed = fam.feed() if fam.feed is not None else None
            usable = False
            for name, mark in (state.bookmarks if state else {}).items():
                since = mark.get("since") if isinstance(mark, dict) else mark
                problem = feed.check(mark) if feed is not None and name == feed.name else None
                usable |= feed is not None and name == feed.name and not problem
                click.echo(f"  bookmark:   {name} since {since}"
                           + (f" (cannot be used: {problem})" if problem else ""))
            if waiting:
                nxt = f"resume: {waiting} completed unit(s) are read from disk, the rest fetched"
            elif usable:
                nxt = "incremental (only what changed; --full for everything)"
            else:
                nxt = "full export"
            click.echo(f"  next run:   {nxt}")
    if not found:
        click.echo(f"no export state under {output}; the next run is a full export")


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _glob(folder: Path, pattern: str) -> list[Path]:
    """Entries of a folder that may be missing, unreadable or a file."""
    try:
        return list(folder.glob(pattern)) if folder.is_dir() else []
    except OSError:
        return []


@cli.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), envvar="BASECAMP_OUTPUT", show_default=True,
              help="Export directory to load [env BASECAMP_OUTPUT].")
@click.option("--api", type=click.Choice(sorted(FAMILIES)),
              help="Load only this API family (default: every one in the export).")
@click.option("--to", "target", metavar="PATH_OR_URL", envvar="BASECAMP_WAREHOUSE",
              help="DuckDB file (default OUTPUT/warehouse.duckdb) or "
                   "postgresql://user:pass@host/db [env BASECAMP_WAREHOUSE].")
def load(output: Path, api: str | None, target: str | None) -> None:
    """Load an export into a warehouse, merging by primary key: `basecamp-extract load`.

    One schema per API (bc2), one typed table per Parquet table. Loading again updates
    changed rows and adds new ones; rows gone from the export are kept.
    """
    from transforms.warehouse import load_export

    click.echo(load_export(output, target, [api] if api else None).summary())


@cli.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), envvar="BASECAMP_OUTPUT", show_default=True,
              help="Export directory to report on [env BASECAMP_OUTPUT].")
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default OUTPUT/report.html).")
def report(output: Path, target: Path | None) -> None:
    """Write a self-contained HTML report of an export: `basecamp-extract report`."""
    from transforms.report import write_report

    path, tables, charts = write_report(output, target)
    click.echo(f"report of {tables} tables with {charts} charts -> {path}")


def _run(steps: list[str] | None, options: dict[str, Any]) -> None:
    """Export one account, or every Basecamp 4 account the grant reaches when none is named."""
    failed: list[ExportResult] = []
    with _sandbox_if_needed(options) as target:
        box = target.get("sandbox")
        for account_target in _accounts(options, target):
            config = _config(steps, options, account_target)
            before = box.minimum_requests() if box is not None else 0  # Launchpad, earlier
            with _progress_bar(options, f"{config.api} {config.account_id}") as progress:
                config.progress = progress
                result = run_export(config)
            if box is not None:
                result.manifest["sandbox_minimum_requests"] = box.minimum_requests() - before
            click.echo(summary_line(result))
            if not result.ok:
                failed.append(result)
    if failed:
        raise PartialExportError(_failure_line(failed[0]))


def _failure_line(result: ExportResult) -> str:
    """The one line a run with failed units or refused shrinks ends with (exit 7)."""
    failures = result.manifest["failures"]
    refused = result.manifest.get("shrink_refused") or []
    parts = []
    if failures:
        parts.append(f"{len(failures)} unit(s) failed, first: {failures[0]['endpoint']} "
                     f"{failures[0]['url']}: {failures[0]['error']}; what succeeded was "
                     "stored, stored rows of what failed were kept")
    if refused:
        first = refused[0]
        names = ",".join(sorted({r["table"] for r in refused}))
        parts.append(f"{len(refused)} shrink(s) refused, first: {first['table']} would go "
                     f"from {first['before']:,} to {first['after']:,} rows; the stored rows "
                     f"were kept; re-run with --allow-shrink={names} if the deletion is real")
    return "; ".join(parts) + f"; see {result.manifest_path}"


def _accounts(options: dict[str, Any], target: dict[str, Any]) -> list[dict[str, Any]]:
    """Targets to export: the one named, or (Basecamp 4) every bc3 account from Launchpad."""
    named = target.get("account") or options["account"] or options["base_url"]
    if options["api"] != "bc4" or named:
        return [target]
    grant, launchpad = _grant(options, target)
    user_agent = target.get("user_agent") or options["user_agent"]
    if not user_agent:
        raise ConfigError("a User-Agent is required: pass --user-agent 'MyApp (you@example.com)' "
                          "or set BASECAMP_USER_AGENT")
    found = list_accounts(grant.tokens, grant.app, launchpad, user_agent,
                          on_refresh=grant.remember)
    if not found:
        raise ConfigError("the token reaches no Basecamp 4 (bc3) account; pass --account")
    click.echo(f"exporting {len(found)} Basecamp 4 account(s) found through Launchpad", err=True)
    return [{**target, "grant": grant, "account": a["id"], "base_url": a["href"]}
            for a in found]


def _grant(options: dict[str, Any], target: dict[str, Any]) -> tuple[Grant, str]:
    """Basecamp 4 credentials: the sandbox's, a bare --token, or the stored `auth login` grant."""
    if target.get("grant") is not None:
        return target["grant"], target.get("launchpad") or LAUNCHPAD
    launchpad = options["launchpad"] or LAUNCHPAD
    if options["token"]:
        return Grant(Tokens(options["token"])), launchpad
    store = TokenStore(options["token_file"])
    loaded = store.load()
    if loaded is None:
        raise ConfigError(f"no Basecamp 4 credentials: run `basecamp-extract auth login` "
                          f"(no token file at {store.path}) or pass --token")
    tokens, app, stored_launchpad = loaded
    return Grant(tokens, app, on_refresh=store.save_tokens), options["launchpad"] or \
        stored_launchpad


@contextmanager
def _sandbox_if_needed(options: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """No credentials and no base URL: run against an in-process sandbox, and say so."""
    has_creds = options["token"] or (options["username"] and options["password"])
    if options["api"] == "bc4" and not has_creds:
        has_creds = TokenStore(options["token_file"]).path.is_file()
    if not options["use_sandbox"] and (has_creds or options["base_url"]):
        yield {}
        return
    if not options["use_sandbox"]:
        click.echo("No credentials given: exporting the built-in sandbox "
                   f"({options['sandbox_size']} size). See README to export a real account.",
                   err=True)
    with _local_sandbox(options["api"], options["sandbox_size"]) as box:
        creds = box.credentials
        if options["api"] == "bc4":
            app = OAuthApp(creds.client_id, creds.client_secret,
                           f"{box.launchpad_url}/authorization/token")
            yield {"sandbox": box, "launchpad": box.launchpad_url,
                   "grant": Grant(Tokens(creds.token, creds.refresh_token), app),
                   "user_agent": options["user_agent"] or SANDBOX_USER_AGENT}
            return
        backpack = options["api"] == "backpack"
        yield {"sandbox": box, "base_url": box.base_url,
               "account": box.account if backpack else box.account_id,
               "credentials": Credentials(token=creds.token) if backpack else
               Credentials(username=creds.username, password=creds.password),
               "user_agent": options["user_agent"] or SANDBOX_USER_AGENT}


def _local_sandbox(api: str, size: str) -> Any:
    """Fixed port and credentials when free, so a re-run revalidates from the HTTP cache."""
    from sandbox import Bc4Credentials, Sandbox
    from sandbox import Credentials as SandboxCredentials

    creds: Any = None
    if api == "bc2":
        creds = SandboxCredentials(**SANDBOX_CREDENTIALS)
    elif api == "bc4":
        creds = Bc4Credentials(**SANDBOX_OAUTH)
    box = Sandbox(api=api, size=size, credentials=creds, port=SANDBOX_PORT)
    try:
        box.start()
    except OSError:
        log.info("port %s is busy; the in-process sandbox takes a free one", SANDBOX_PORT)
        box = Sandbox(api=api, size=size, credentials=creds)
    return box


def _config(steps: list[str] | None, options: dict[str, Any],
            target: dict[str, Any]) -> ExportConfig:
    api = options["api"]
    base_url = target.get("base_url") or options["base_url"]
    account = target.get("account") or options["account"]
    fam = family(api)
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
    require_safe_base_url(base_url)
    grant = _grant(options, target)[0] if fam.oauth else None
    credentials = target.get("credentials") or Credentials(
        username=None if fam.oauth else options["username"],
        password=None if fam.oauth else options["password"],
        token=None if fam.oauth else options["token"])
    if grant is None and (not credentials.present
                          or (not fam.session_auth and not credentials.token)):
        raise ConfigError("credentials are required: --token"
                          + ("" if not fam.session_auth else ", or --username and --password"))
    user_agent = target.get("user_agent") or options["user_agent"]
    if not user_agent:
        raise ConfigError("a User-Agent is required: pass --user-agent 'MyApp (you@example.com)' "
                          "or set BASECAMP_USER_AGENT")
    rate: RateLimit | None = None
    if not options["no_rate_limit"]:
        rate = _parse_rate(options["rate_limit"]) if options["rate_limit"] else fam.rate
    return ExportConfig(
        account_id=account, timezone=options["timezone"], base_url=base_url.rstrip("/"),
        user_agent=user_agent,
        credentials=credentials, output=options["output"], api=api, steps=steps,
        workers=options["workers"], rate_limit=rate, cache=not options["no_cache"],
        max_pages=options["max_pages"], keep_raw=options["keep_raw"],
        retries=options["retries"], retry_for=options["retry_for"], grant=grant,
        options=_fan_outs(options), full=options["full"], wait_for_lock=not options["no_wait"],
        allow_shrink=_shrink_allowance(options.get("allow_shrink")),
    )


def _shrink_allowance(text: str | None) -> frozenset[str]:
    return frozenset(t.strip() for t in (text or "").split(",") if t.strip())


def _fan_outs(options: dict[str, Any]) -> tuple[str, ...]:
    chosen = {w.strip() for w in (options["with_"] or "").split(",") if w.strip()}
    if options["with_events"]:
        chosen.add("events")
    return tuple(sorted(chosen))


def _parse_rate(text: str) -> RateLimit:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*", text or "")
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise ConfigError(f"rate limit must look like 475/10 (requests/seconds), not {text!r}")
    return RateLimit(int(match.group(1)), float(match.group(2)))


def _loopback_host(host: str) -> bool:
    from extract.http import is_loopback

    return is_loopback(host)


@contextmanager
def _progress_bar(options: dict[str, Any], label: str) -> Iterator[Progress | None]:
    """A bar on a terminal; otherwise a log line every --progress-every seconds, so an
    unattended run is not blind; nothing with --no-progress."""
    if not options["progress"]:
        yield None
        return
    view: View
    if sys.stderr.isatty():
        view, every = TerminalBar(sys.stderr, label), BAR_REFRESH
    else:
        view, every = LogTicker(sys.stderr, label), options["progress_every"]
    with watching(Progress(), view, every) as progress:
        yield progress


def summary_line(result: ExportResult) -> str:
    m = result.manifest
    http = m["http"]
    rows = sum(t["rows"] for t in m["tables"].values())
    filled = sum(1 for t in m["tables"].values() if t["rows"])
    minimum = m.get("sandbox_minimum_requests")
    floor = f" (minimum {minimum:,})" if minimum else ""
    problems = [f"{len(m['failures'])} FAILED"] if m["failures"] else []
    if m.get("incomplete"):
        problems.append(f"{len(m['incomplete'])} tables incomplete")
    if m.get("shrink_refused"):
        problems.append(f"{len(m['shrink_refused'])} shrink refused")
    status = ", ".join(problems) or "ok"
    if m.get("rejects"):
        status += f", {sum(m['rejects'].values()):,} rows rejected (no key, see _rejects)"
    return (f"{m['api']} account {m['account']}: {status}, {filled} tables, {rows:,} rows, "
            f"{http['requests']:,} requests{floor}, {http['not_modified']:,} not modified, "
            f"{http['retries']:,} retries, "
            f"{http['throttled_429'] + http['unavailable_503']:,} throttled (429/503), "
            f"{m['seconds']:.1f}s -> {result.manifest_path.parent.parent.parent}")


def main() -> None:
    """Console entry point: every expected failure is one line on stderr and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BasecampExtractError as exc:
        _leave(exc.exit_code, f"Error: {REDACTOR.scrub(exc.one_line())}")
    except (KeyboardInterrupt, click.exceptions.Abort):
        _leave(130, "Error: interrupted; files already written are complete, the rest was not "
                    "changed")


def _leave(code: int, message: str) -> None:
    """Say the one line and exit now, without waiting for crawl threads still in a retry sleep.

    Every file is written through a temp file and a rename, so stopping here cannot leave a
    partial Parquet file or manifest behind.
    """
    click.echo(message, err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
