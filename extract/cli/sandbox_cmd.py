"""`sandbox`: serve a fake API on loopback, and the in-process one an export falls back to.

The ``sandbox`` package (a web server and generated accounts) is imported only when a sandbox
runs, so an export of a real account never loads it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click

from extract.cli.app import cli
from extract.cli.options import SIZES, api_option, parse_rate
from extract.families import Family
from extract.families.family import SANDBOX_LOGIN
from extract.origin import is_loopback
from transforms.errors import ConfigError

log = logging.getLogger("extract")

SANDBOX_PORT = 8765
SANDBOX_USER_AGENT = "basecamp-extract sandbox (sandbox@localhost)"


@cli.command()
@api_option()
@click.option("--size", type=click.Choice(SIZES), default="default", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=SANDBOX_PORT, show_default=True)
@click.option("--username", default=SANDBOX_LOGIN["username"], show_default=True)
@click.option("--password", default=SANDBOX_LOGIN["password"], show_default=True)
@click.option("--token", default=SANDBOX_LOGIN["token"], show_default=True)
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
    from sandbox import Credentials as SandboxCredentials  # see the module docstring
    from sandbox import Sandbox

    if not is_loopback(host):
        raise ConfigError("the sandbox serves loopback only (127.0.0.1, ::1 or localhost)")
    limits: dict[str, Any] = {}
    if rate_limit == "off":
        limits["rate_limit"] = None
    elif rate_limit:
        limit = parse_rate(rate_limit)
        limits["rate_limit"] = (limit.requests, limit.seconds)
    box = Sandbox(api=api, size=size, host=host, port=port, log_path=request_log,
                  faults=faults, fault_seed=fault_seed, **limits,
                  credentials=SandboxCredentials(username=username, password=password,
                                                 token=token))
    click.echo(f"sandbox {api} ({size}) at {box.base_url}  account {box.account_id}  "
               f"user {username}  (Ctrl-C to stop)")
    box.serve_forever()


def local_sandbox(fam: Family, size: str, port: int = SANDBOX_PORT, **settings: Any) -> Any:
    """Fixed port and credentials when free, so a re-run revalidates from the HTTP cache (and
    a fleet task rerun resumes its journal); ``settings`` go to ``Sandbox`` as they are."""
    from sandbox import Sandbox  # see the module docstring

    creds = fam.sandbox_login() if fam.sandbox_login is not None else None
    box = Sandbox(api=fam.api, size=size, credentials=creds, port=port, **settings)
    try:
        box.start()
    except OSError:
        log.info("port %s is busy; the in-process sandbox takes a free one", port)
        box = Sandbox(api=fam.api, size=size, credentials=creds, **settings)
    return box
