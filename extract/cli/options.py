"""Options shared by the commands that talk to an API, and the typed form they travel in.

The option lists are declared once and applied by decorators, in the manner of sqlite-utils;
a command turns click's keyword arguments into one frozen ``ExportOptions`` at its start.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from extract.families import FAMILIES
from extract.http import DEFAULT_RETRIES, DEFAULT_RETRY_FOR, RateLimit
from extract.pagination import DEFAULT_MAX_PAGES
from extract.progress import LOG_EVERY
from transforms.errors import ConfigError
from transforms.store.layout import LAYOUTS, TABLE
from transforms.store.location import Location, parse_location

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
DEFAULT_API = "bc2"
SIZES = ["tiny", "default", "large"]


@dataclass(frozen=True)
class ExportOptions:
    """Every option of ``export`` and ``step``, as given (click's names)."""

    api: str
    account: str | None
    base_url: str | None
    username: str | None
    password: str | None
    token: str | None
    token_file: Path | None
    launchpad: str | None
    full: bool
    with_: str | None
    with_events: bool
    timezone: str | None
    user_agent: str | None
    use_sandbox: bool
    sandbox_size: str
    output: Location
    partition_by: str
    work_dir: Path | None
    workers: int
    rate_limit: str | None
    no_rate_limit: bool
    no_cache: bool
    retries: int | None
    retry_for: float | None
    max_pages: int
    keep_raw: bool
    progress: bool
    progress_every: float
    no_wait: bool
    allow_shrink: str | None = None

    @property
    def fan_outs(self) -> tuple[str, ...]:
        """--with, comma-separated, and --with-events."""
        chosen = {w.strip() for w in (self.with_ or "").split(",") if w.strip()}
        if self.with_events:
            chosen.add("events")
        return tuple(sorted(chosen))

    @property
    def shrink_allowance(self) -> frozenset[str]:
        return frozenset(t.strip() for t in (self.allow_shrink or "").split(",") if t.strip())

    @property
    def has_credentials(self) -> bool:
        return bool(self.token or (self.username and self.password))


def parse_rate(text: str) -> RateLimit:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*", text or "")
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise ConfigError(f"rate limit must look like 475/10 (requests/seconds), not {text!r}")
    return RateLimit(int(match.group(1)), float(match.group(2)))


class LocationType(click.ParamType):
    """``-o/--output``: a local folder or a URI, parsed into a ``Location``.

    A local path goes through ``click.Path`` as before (``file_okay=False`` where a command
    reads a folder); a URI is parsed as given, since ``click.Path`` would fold ``s3://b`` into
    the local ``s3:/b``. A bad URI raises ``ConfigError``: one line, exit 2.
    """

    name = "path_or_uri"

    def __init__(self, *, file_okay: bool = True) -> None:
        self.local = click.Path(file_okay=file_okay, path_type=str)

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Location:
        if isinstance(value, Location):
            return value
        location = parse_location(value)
        if not location.remote:
            self.local.convert(location.path, param, ctx)  # today's checks of a local folder
        return location


def output_option(help_text: str, *, file_okay: bool = True) -> Decorator:
    """``-o/--output`` of every command: a folder or URI, default ``output`` [env]."""
    return click.option("-o", "--output", type=LocationType(file_okay=file_okay),
                        default="output", envvar="BASECAMP_OUTPUT", show_default=True,
                        metavar="PATH_OR_URI",
                        help=f"{help_text}: a local folder (s3://, gs://, abfs:// URIs are "
                             "checked but not yet supported) [env BASECAMP_OUTPUT].")


def api_option(**extra: Any) -> Decorator:
    """``--api``: one of the registered families."""
    settings: dict[str, Any] = {"default": DEFAULT_API, "show_default": True, **extra}
    return click.option("--api", type=click.Choice(sorted(FAMILIES)), **settings)


WITH_HELP = (
    "Opt-in reads, comma-separated. Basecamp 2: subscribers (every to-do, to-do list and "
    "calendar event read as a member, for the *__subscribers tables and to-dos' attachments, "
    "which are not written otherwise). Basecamp 4: costly per-recording fan-outs: events, "
    "boosts, subscriptions, versions (one request per recording each); details (one request "
    "per trashed or archived to-do and card and per one in an archived project, for their "
    "assignees, completion subscribers, steps and card attachments, which are not written "
    "otherwise). `tables` marks what each option writes.")

# Which account, and how to sign in.
CONNECTION = (
    api_option(help="API family."),
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
)
# What to export, and where to.
SCOPE = (
    click.option("--full", is_flag=True,
                 help="Export everything even when an earlier run left bookmarks (the "
                      "default is incremental then)."),
    click.option("--with", "with_", metavar="WHAT", help=WITH_HELP),
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
    click.option("--sandbox-size", type=click.Choice(SIZES), default="default",
                 show_default=True, help="Size of the sandbox account."),
    output_option("Where to write: a folder, or s3:// gs:// abfs:// (credentials from the "
                  "cloud's standard chain)"),
    click.option("--partition-by", "partition_by", type=click.Choice(LAYOUTS), default=TABLE,
                 show_default=True,
                 help="File layout: 'table' writes each table's rows of an account into "
                      "right-sized files; 'project' keeps the Hive folders of earlier "
                      "versions (project_id=P/part-0.parquet)."),
    click.option("--work-dir", "work_dir", type=click.Path(file_okay=False, path_type=Path),
                 envvar="BASECAMP_WORK_DIR",
                 help="Local folder for the resume journal, HTTP cache and lock (default: "
                      "the output when it is local, the user cache dir for a remote one) "
                      "[env BASECAMP_WORK_DIR]."),
)
# How hard to ask, and what to show meanwhile.
CLIENT = (
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
                 help="Keep every fetched page (decoded, in the resume journal's "
                      "page format) under WORK_DIR/API/_raw/RUN_ID."),
    click.option("--progress/--no-progress", default=True, show_default=True,
                 help="Show progress on stderr: a bar on a terminal, otherwise a log line "
                      "every --progress-every seconds."),
    click.option("--progress-every", type=click.FloatRange(0, min_open=True),
                 default=LOG_EVERY, show_default=True, metavar="SECONDS",
                 help="Seconds between progress log lines when stderr is not a terminal."),
    click.option("--no-wait", is_flag=True,
                 help="If another export of the same account into the same output is "
                      "running, exit at once (code 9) instead of waiting for it."),
)


def export_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that talks to an API, in the order help lists them."""
    for option in reversed((*CONNECTION, *SCOPE, *CLIENT)):
        func = option(func)
    return func


def shrink_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--allow-shrink`` alone accepts every table's loss; ``--allow-shrink=t1,t2`` those."""
    return click.option(
        "--allow-shrink", "allow_shrink", is_flag=False, flag_value="*", default=None,
        metavar="[TABLES]",
        help="Accept a real mass deletion the shrink guard refused: every table, or only "
             "the comma-separated TABLES (--allow-shrink=todos,people).")(func)
