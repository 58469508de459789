"""What a family is: a catalog plus its table registry, its manners, and step resolution.

A step is one primary output table (``todos``, ``comments``); running it runs every endpoint whose
records land in it, plus their ancestors for the path ids, and writes that table with its child
tables. A family also says how it is spoken to: its limits, whether HTTP caching applies, how
credentials travel, and what turns a unit into pages; for the CLI, how it signs in and finds
its accounts (``Login``), how its built-in sandbox is reached (``Target``), and any commands of
its own. Nothing outside the family folders asks which family it is talking to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import click
import requests

from extract.catalog import Catalog, Endpoint
from extract.crawl import PageSource
from extract.http import Credentials, RateLimit
from extract.incremental import Feed
from extract.signin import Grant
from transforms.errors import ConfigError
from transforms.schemas import Registry
from transforms.tables import TableSet

PageSourceFactory = Callable[[requests.Session, str, ZoneInfo | None], PageSource]
# What the built-in sandbox serves and is signed into when the CLI runs it.
SANDBOX_LOGIN = {"username": "sandbox", "password": "sandbox", "token": "sandbox-token"}


@dataclass(frozen=True)
class Target:
    """Where one export goes and how it signs in, where the options do not say it themselves.

    The built-in sandbox fills it for an export without credentials; a family that finds its
    accounts (``Login.accounts``) makes one per account.
    """

    account: str | int | None = None
    base_url: str | None = None
    credentials: Credentials | None = None
    grant: Grant | None = None
    launchpad: str | None = None
    user_agent: str | None = None
    sandbox: Any = None  # sandbox.Sandbox, loaded only when a sandbox runs


class LoginOptions(Protocol):
    """The options an OAuth sign-in reads (``extract.cli.options.ExportOptions`` has them)."""

    @property
    def token(self) -> str | None: ...

    @property
    def token_file(self) -> Path | None: ...

    @property
    def launchpad(self) -> str | None: ...


class Login(Protocol):
    """A family that signs in with an OAuth grant and can find its accounts (Basecamp 4)."""

    def stored(self, token_file: Path | None) -> bool:
        """A grant saved by ``auth login`` counts as credentials given."""
        ...

    def grant(self, options: LoginOptions, target: Target) -> tuple[Grant, str]:
        """The grant to export with, and the Launchpad URL it came from."""
        ...

    def accounts(self, grant: Grant, launchpad: str, user_agent: str,
                 target: Target) -> list[Target]:
        """One target per account the grant reaches (none named: export them all)."""
        ...


SandboxTarget = Callable[[Any], Target]
# Where a family's limit counts: per account (in the exporting process), or per host (one
# budget shared by every process of the machine, ``extract.hostlimit``).
RATE_SCOPES = ("account", "host")


@dataclass(frozen=True)
class Family:
    api: str
    catalog: Catalog
    tables: TableSet
    preflight: str
    rate: RateLimit
    group_rates: Mapping[str, RateLimit] = field(default_factory=dict)
    rate_scope: str = "account"
    http_cache: bool = True
    session_auth: bool = True
    retry_methods: frozenset[str] = frozenset({"GET", "HEAD"})
    page_source: PageSourceFactory | None = None
    feed: Callable[[], Feed] | None = None
    # Options that widen crawled entries ({option: {endpoint id: fields to replace}}) and
    # tables written only with their option (filled by conditional fetches otherwise).
    widen: Mapping[str, Mapping[str, Mapping[str, Any]]] = field(default_factory=dict)
    opt_in_tables: Mapping[str, str] = field(default_factory=dict)
    chosen: frozenset[str] = frozenset()
    # The context name and partition column of a project (a bucket): rows of a listing asked
    # per project are judged, kept and replaced per bucket by the shrink guard and storing.
    bucket_column: str = "project_id"
    # How the CLI signs in (None: --username/--password or --token) and runs the sandbox.
    login: Login | None = None
    sandbox_target: SandboxTarget | None = None
    sandbox_login: Callable[[], object] | None = None
    # Commands of its own the CLI offers (Basecamp 4: `auth login`, `auth accounts`).
    commands: tuple[click.Command, ...] = ()

    def __post_init__(self) -> None:
        if self.rate_scope not in RATE_SCOPES:
            raise ValueError(f"rate_scope {self.rate_scope!r} is not one of {RATE_SCOPES}")

    @property
    def host_budget(self) -> str | None:
        """The machine-wide budget the main limit counts in (``HttpSettings.host_budget``),
        None when it counts per account."""
        return self.api if self.rate_scope == "host" else None

    @property
    def registry(self) -> Registry:
        return self.tables.registry

    @property
    def account_column(self) -> str:
        return self.tables.account_column

    @property
    def options(self) -> tuple[str, ...]:
        return tuple(sorted({*self.catalog.options, *self.widen}))

    def with_options(self, names: Iterable[str]) -> Family:
        """This family with opt-in endpoints (``events``) crawled or entries widened."""
        wanted = set(names)
        unknown = wanted - set(self.options)
        if unknown:
            raise ConfigError(f"{self.api} has no option(s) {', '.join(sorted(unknown))}; "
                              f"known: {', '.join(self.options) or 'none'}")
        catalog = self.catalog.with_options(wanted - set(self.widen))
        changes = {e: f for name in sorted(wanted & set(self.widen))
                   for e, f in self.widen[name].items()}
        catalog = replace(catalog, endpoints=tuple(
            replace(e, **changes[e.id]) if e.id in changes else e for e in catalog.endpoints))
        return replace(self, catalog=catalog, chosen=self.chosen | wanted)

    def opt_in(self, table: str) -> str | None:
        """The option a table needs to be written: its own, or that of every entry feeding it."""
        if table in self.opt_in_tables:
            return self.opt_in_tables[table]
        if any(table in self.feeds(e) for e in self.catalog.crawled):
            return None
        options = {e.opt_in for e in self.catalog.endpoints if e.opt_in and e.crawl
                   and table in self.feeds(e)}
        return ", ".join(sorted(options)) or None

    def not_written(self, steps: Iterable[str] | None) -> list[str]:
        """Tables of these steps left out because their option was not chosen."""
        return sorted(t for t in self._closure(steps)
                      if t in self.opt_in_tables and self.opt_in_tables[t] not in self.chosen)

    def steps(self) -> list[str]:
        """Primary tables some crawled endpoint fills, directly or as embedded records."""
        produced: set[str] = set()
        for endpoint in self.catalog.crawled:
            produced |= self.registry.closure([endpoint.table])
        return sorted(t for t in produced if self.registry[t].child_of is None)

    def tables_for(self, steps: Iterable[str] | None) -> set[str]:
        return self._closure(steps) - set(self.not_written(steps))

    def _closure(self, steps: Iterable[str] | None) -> set[str]:
        chosen = list(steps) if steps else self.steps()
        unknown = sorted(set(chosen) - set(self.steps()))
        if unknown:
            raise ConfigError(f"unknown step(s) {', '.join(unknown)}; "
                              f"known: {', '.join(self.steps())}")
        return self.registry.closure(chosen)

    def feeds(self, endpoint: Endpoint) -> set[str]:
        """Tables an endpoint's records can land in.

        A member response can embed first-class records of other tables (a message's
        comments); a listing row only carries its own child lists.
        """
        tables = self.registry.closure([endpoint.table])
        if endpoint.is_member:
            return tables
        return {t for t in tables if t == endpoint.table or self.registry[t].child_of}

    def endpoints_for(self, tables: set[str]) -> set[str]:
        """Crawled endpoints feeding ``tables``, their ancestors, and the preflight."""
        needed = {e.id for e in self.catalog.crawled if self.feeds(e) & tables}
        for endpoint_id in list(needed):
            needed |= self.catalog.ancestors(endpoint_id)
        needed.add(self.preflight)
        return needed

    def endpoints_into(self, table: str) -> list[str]:
        return [e.id for e in self.catalog.crawled if table in self.feeds(e)]

    def prefix_limits(self, base_url: str) -> dict[str, RateLimit]:
        """URL prefixes of endpoints with a stricter limit of their own (Backpack calendars)."""
        out: dict[str, RateLimit] = {}
        for endpoint in self.catalog.endpoints:
            if endpoint.limit_group in self.group_rates:
                static = endpoint.path.split("{")[0].removesuffix(".xml").rstrip("/")
                out[base_url.rstrip("/") + static] = self.group_rates[endpoint.limit_group]
        return out
