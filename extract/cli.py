"""The ``basecamp-extract`` command line: export, steps, tables, sandbox, auth, load, report."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from extract.export import ExportConfig, ExportResult, run_export
from extract.families import FAMILIES, family
from extract.families.bc4.auth_cli import auth
from extract.families.bc4.grant import Grant
from extract.families.bc4.login import TokenStore, list_accounts
from extract.families.bc4.oauth import LAUNCHPAD, OAuthApp, Tokens
from extract.http import (
    DEFAULT_RETRIES,
    DEFAULT_RETRY_FOR,
    Credentials,
    RateLimit,
    require_safe_base_url,
)
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
from extract.summary import (
    account_entry,
    export_document,
    failed_entry,
    status_document,
)
from transforms.errors import BasecampExtractError, ConfigError, PartialExportError
from transforms.redact import REDACTOR

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
@click.version_option(package_name="basecamp-extract")
def cli() -> None:
    """Extract Basecamp 2, Basecamp 4 and Backpack accounts into typed, partitioned Parquet.

    The options -v, --log-file and --json go before or after the command:
    `basecamp-extract -v export` and `basecamp-extract export -v` are the same.
    """
    _apply_globals()


cli.add_command(auth)
auth.short_help = "Basecamp 4 sign-in (Launchpad) and its accounts."
auth.commands["login"].short_help = "Sign in with a browser and save the Basecamp 4 tokens."
auth.commands["accounts"].short_help = "List the Basecamp 4 accounts the token reaches."
# A first line that fits the command list, for commands whose docstring lives elsewhere.
SHORT_HELP = {"tables": "List the output tables: key, partitions and what each holds."}

OUR_LOGGERS = ("extract", "transforms", "sandbox")
# Below -vvv these say only what our own retries already report (pool full, retrying).
QUIET_LIBRARIES = {"urllib3": logging.ERROR}


class Verbosity(logging.Filter):
    """Our records from one level, libraries' (urllib3, requests_cache, filelock…) from another.

    A filter on the handler rather than logger levels, so nothing outlives the command.
    """

    def __init__(self, ours: int, libraries: int) -> None:
        super().__init__()
        self.ours, self.libraries = ours, libraries

    def filter(self, record: logging.LogRecord) -> bool:
        top = record.name.split(".", 1)[0]
        if top in OUR_LOGGERS:
            return record.levelno >= self.ours
        if self.libraries > logging.DEBUG:
            return record.levelno >= max(self.libraries, QUIET_LIBRARIES.get(top, 0))
        return record.levelno >= self.libraries


def configure_logging(verbose: int, log_file: Path | None) -> None:
    """-v: our INFO (progress, decisions); -vv: our DEBUG; -vvv: libraries' DEBUG too.

    --log-file is the debug log: our DEBUG whatever -v says, and from -vv the libraries' DEBUG
    as well (their request lines are where a leaked secret would show; the redactor masks it).
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "basecamp_extract", False):
            handler.close()
    root.handlers.clear()
    ours = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    libraries = logging.DEBUG if verbose >= 3 else logging.WARNING
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console.addFilter(Verbosity(ours, libraries))
    console.addFilter(REDACTOR)
    root.addHandler(console)
    root.setLevel(ours if log_file is None else logging.DEBUG)
    if log_file is not None:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(Verbosity(logging.DEBUG,
                                    logging.DEBUG if verbose >= 2 else logging.WARNING))
        handler.addFilter(REDACTOR)
        handler.basecamp_extract = True  # type: ignore[attr-defined]
        root.addHandler(handler)


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
    """Export one account (or every Basecamp 4 account) into Parquet.

    Without credentials this exports the built-in sandbox:

        basecamp-extract export

    A real Basecamp 2 account:

        basecamp-extract export --account 123 --username me@example.com --password … \\
            --user-agent "MyApp (me@example.com)"

    With --json, stdout holds one JSON document (extract/schemas/export-v1.json) and
    nothing else, also when the run fails; the exit code is the same as without it.
    """
    chosen = [s.strip() for s in steps.split(",") if s.strip()] if steps else None
    _run(chosen, options, "export")


@cli.command()
@click.argument("name")
@export_options
@shrink_option
def step(name: str, **options: Any) -> None:
    """Export one step of an account: `basecamp-extract step todos`."""
    _run([name], options, "step")


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
@click.option("--json", "as_json", is_flag=True,
              help="Print the data dictionary as one JSON document (columns included).")
def list_tables(api: str, columns: bool, as_json: bool) -> None:
    """List the output tables with primary key, partitioning and purpose.

    Tables marked `opt-in: --with X` are written only when the export runs with that option,
    and are then complete; every other table is complete by default. `--json` prints the
    same declarations, with every column's type and note, as one versioned JSON document
    (the shape of docs/tables.md).
    """
    if as_json:
        from extract.dictionary import describe

        _emit_json(describe(api))
        return
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
    """Serve a fake Basecamp 2, Basecamp 4 or Backpack API on loopback.

    `basecamp-extract sandbox --api bc4 --port 8765`; export it with --base-url.
    """
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
    """Per account: the last run, bookmarks and the next run."""
    document = status_document(output)
    if _wants_json():
        _emit_json(document)
        return
    for entry in document["accounts"]:
        for line in status_lines(entry):
            click.echo(line)
    if not document["accounts"]:
        click.echo(f"no export state under {output}; the next run is a full export")


NEXT_RUN = {"full": "full export",
            "incremental": "incremental (only what changed; --full for everything)"}


def status_lines(entry: dict[str, Any]) -> list[str]:
    """The human `status` block of one account, from its JSON entry."""
    lines = [f"{entry['api']} {entry['account_dir']}"]
    if entry["state_error"]:
        return [*lines, f"  state:      {entry['state_error']}"]
    last, attempt = entry["last_run"], entry["last_attempt"]
    failed = attempt is not None and attempt["status"] != "ok" and (
        last is None or attempt["run_id"] != last.get("run_id"))
    if last:
        lines.append(f"  last run:   {last.get('mode', '-')} {last.get('started_at', '-')}, "
                     f"{_number(last.get('requests', 0))} requests, "
                     f"{_number(last.get('rows', 0))} rows written")
    elif failed:
        lines.append(f"  last run:   no successful run yet; last attempt failed "
                     f"({_attempt_problems(attempt)}; see manifest {attempt['manifest']})")
    else:
        lines.append("  last run:   no successful run yet")
    if last and failed:
        lines.append(f"  last try:   failed {attempt['started_at']} "
                     f"({_attempt_problems(attempt)}; see manifest {attempt['manifest']})")
    lines.append(f"  last full:  {entry['last_full'] or '-'}")
    for mark in entry["bookmarks"]:
        lines.append(f"  bookmark:   {mark['name']} since {mark['since']}"
                     + (f" (cannot be used: {mark['problem']})" if mark["problem"] else ""))
    nxt = entry["next_run"]
    if nxt["mode"] == "resume":
        text = (f"resume: {nxt['resumed_units']} completed unit(s) are read from disk, "
                "the rest fetched")
    else:
        text = NEXT_RUN[nxt["mode"]]
    lines.append(f"  next run:   {text}")
    return lines


def _attempt_problems(attempt: dict[str, Any]) -> str:
    parts = []
    if attempt["failures"]:
        parts.append(f"{attempt['failures']} unit(s) failed")
    if attempt["shrink_refused"]:
        parts.append(f"{attempt['shrink_refused']} shrink(s) refused")
    return ", ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


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
    """Load an export into DuckDB or PostgreSQL, merging by primary key.

    `basecamp-extract load` loads OUTPUT into OUTPUT/warehouse.duckdb. One schema per API
    (bc2), one typed table per Parquet table. Loading again updates
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
    """Write a self-contained HTML report of an export.

    `basecamp-extract report` writes OUTPUT/report.html.
    """
    from transforms.report import write_report

    path, tables, charts = write_report(output, target)
    click.echo(f"report of {tables} tables with {charts} charts -> {path}")


def _run(steps: list[str] | None, options: dict[str, Any], command: str = "export") -> None:
    """Export one account, or every Basecamp 4 account the grant reaches when none is named.

    With --json the human summaries give way to one document on stdout, written even when
    the run stops with an error (that account is then ``failed``, with the error line).
    """
    as_json = _wants_json()
    failed: list[ExportResult] = []
    entries: list[dict[str, Any]] = []
    current: dict[str, Any] = {"api": options["api"], "account": options["account"]}
    try:
        with _sandbox_if_needed(options) as target:
            box = target.get("sandbox")
            for account_target in _accounts(options, target):
                current["account"] = account_target.get("account") or options["account"]
                config = _config(steps, options, account_target)
                current["account"] = config.account_id
                log.info("%s account %s: exporting into %s", config.api, config.account_id,
                         config.output)
                before = box.minimum_requests() if box is not None else 0  # Launchpad
                with _progress_bar(options, f"{config.api} {config.account_id}") as progress:
                    config.progress = progress
                    result = run_export(config)
                if box is not None:
                    result.manifest["sandbox_minimum_requests"] = \
                        box.minimum_requests() - before
                entry = account_entry(result.manifest, result.manifest_path)
                entries.append(entry)
                if not as_json:
                    click.echo(summary_line(result, entry))
                if not result.ok:
                    failed.append(result)
    except BasecampExtractError as exc:
        if as_json:
            line = REDACTOR.scrub(exc.one_line())
            entries.append(failed_entry(current["api"], current["account"], exc.exit_code,
                                        line))
            _emit_json(export_document(entries, command, line, exc.exit_code))
        raise
    if as_json:
        _emit_json(export_document(entries, command))
    if failed:
        raise PartialExportError(_failure_line(failed[0]))


def _emit_json(document: dict[str, Any]) -> None:
    """Write the one JSON document of this invocation on stdout."""
    click.echo(json.dumps(document, indent=2, default=str))
    JSON_SENT.append(document)


JSON_SENT: list[dict[str, Any]] = []  # main() writes an error document only if none was


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


def summary_line(result: ExportResult, entry: dict[str, Any] | None = None) -> str:
    """The human one-line summary; an incremental run says what changed and what is stored."""
    m = result.manifest
    entry = entry or account_entry(m, result.manifest_path)
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
    if m.get("mode") == "incremental":
        rows = (f"{_count(entry['rows_changed'], 'row')} changed in "
                f"{_count(entry['tables_changed'], 'table')}; "
                f"{entry['rows_stored']:,} rows stored")
    else:
        filled = sum(1 for t in entry["tables"].values() if t["rows_stored"])
        rows = f"{filled} tables, {entry['rows_stored']:,} rows stored"
    return (f"{m['api']} account {m['account']}: {status}, {rows}, "
            f"{entry['requests']:,} requests{floor}, {entry['not_modified']:,} not modified, "
            f"{entry['retries']:,} retries, {entry['throttled']:,} throttled (429/503), "
            f"{m['seconds']:.1f}s -> {result.manifest_path.parent.parent.parent}")


GLOBALS = "basecamp_extract.globals"


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Fold a global option given at any level into one setting (-v counts add up)."""
    settings = ctx.meta.setdefault(GLOBALS, {"verbose": 0, "log_file": None, "json": False})
    if param.name == "verbose":
        settings["verbose"] += value or 0
    elif param.name == "log_file" and value is not None:
        settings["log_file"] = value
    elif param.name == "json" and value:
        settings["json"] = True
    return value


def _global_options() -> list[click.Option]:
    """Fresh option objects for one command: each command owns its parameters."""
    return [
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_remember,
                     help="More log output: -v progress and decisions, -vv debug, -vvv "
                          "libraries' debug too."),
        click.Option(["--log-file"], type=click.Path(dir_okay=False, path_type=Path),
                     expose_value=False, callback=_remember,
                     help="Also write a debug log to this file: ours, with -vv the "
                          "libraries' too (secrets are masked)."),
        click.Option(["--json", "json"], is_flag=True, expose_value=False, callback=_remember,
                     help="One JSON document on stdout (export, step, status, tables; see the "
                          "README)."),
    ]


def _settings() -> dict[str, Any]:
    ctx = click.get_current_context(silent=True)
    empty = {"verbose": 0, "log_file": None, "json": False}
    return ctx.meta.get(GLOBALS, empty) if ctx is not None else empty


def _apply_globals() -> None:
    settings = _settings()
    configure_logging(settings["verbose"], settings["log_file"])


def _wants_json() -> bool:
    return bool(_settings()["json"])


JSON_COMMANDS = {"export", "step", "status"}  # and any command declaring its own --json


def _accept_globals(command: click.Command, top: bool = True) -> None:
    """Give a command (and a group's commands) -v and --log-file, and --json where it is
    offered, before or after its name. A command that declares one of them keeps its own, and
    gets the global --json when it was given before the command's name."""
    taken = {opt for param in command.params for opt in param.opts}
    own_json = next((p.name for p in command.params if "--json" in p.opts), None)
    offers_json = top or own_json is not None or command.name in JSON_COMMANDS
    command.params.extend(o for o in _global_options() if not taken & set(o.opts)
                          and (offers_json or "--json" not in o.opts))
    callback = command.callback
    group = isinstance(command, click.Group)
    if callback is not None and not getattr(callback, "applies_globals", False):
        @functools.wraps(callback)
        def run(*args: Any, **kwargs: Any) -> Any:
            _apply_globals()
            if _wants_json() and not group and not offers_json:
                raise click.UsageError(f"`{command.name}` has no --json output (export, step, "
                                       "status and tables have)")
            if own_json and own_json in kwargs and _wants_json():
                kwargs[own_json] = True
            return callback(*args, **kwargs)

        run.applies_globals = True  # type: ignore[attr-defined]
        command.callback = run
    if group:
        for sub in command.commands.values():
            _accept_globals(sub, top=False)


_accept_globals(cli)
for _name, _text in SHORT_HELP.items():
    if _name in cli.commands:
        cli.commands[_name].short_help = _text


def main() -> None:
    """Console entry point: every expected failure is one line on stderr and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _error_document(exc.exit_code, exc.format_message())
        exc.show()
        sys.exit(exc.exit_code)
    except BasecampExtractError as exc:
        line = REDACTOR.scrub(exc.one_line())
        _error_document(exc.exit_code, line)
        _leave(exc.exit_code, f"Error: {line}")
    except (KeyboardInterrupt, click.exceptions.Abort):
        _leave(130, "Error: interrupted; files already written are complete, the rest was not "
                    "changed")


def _error_document(code: int, line: str) -> None:
    """With --json, a failure before any document was written still answers in JSON."""
    args = sys.argv[1:]
    command = next((a for a in args if a in cli.commands), None)
    if JSON_SENT or "--json" not in args or command not in ("export", "step", "status"):
        return
    if command == "status":
        _emit_json({"version": 1, "command": "status", "output": "", "status": "failed",
                    "exit_code": code, "error": line, "accounts": []})
    else:
        _emit_json(export_document([], command, line, code))


def _leave(code: int, message: str) -> None:
    """Say the one line and exit now, without waiting for crawl threads still in a retry sleep.

    Every file is written through a temp file and a rename, so stopping here cannot leave a
    partial Parquet file or manifest behind.
    """
    click.echo(message, err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
