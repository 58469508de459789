"""Backpack as the harness sees it: a token (random 40 hex by default), 100 requests per 5 s
plus a calendar window, XML fault kinds, a wrong-scheme side listener; no ``mutate``."""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.backpack.app import BackpackApp
from sandbox.backpack.data import DEFAULT_ACCOUNT, generate_account
from sandbox.backpack.faults import BACKPACK_FAULT_KINDS, BACKPACK_RANDOM_FAULTS
from sandbox.backpack.model import BackpackAccount
from sandbox.backpack.server import CALENDAR_WINDOW, BackpackFront, resource_key
from sandbox.credentials import Credentials
from sandbox.family import SandboxFamily, ServeOptions, plain_credentials
from sandbox.pipeline import API_WINDOW
from sandbox.server import Limit


def _generate(size: str, seed: int, account_id: int | None = None) -> BackpackAccount:
    """A numbered account is also a subdomain of its own (``sandbox<id>``)."""
    if account_id is None:
        return generate_account(size, seed)
    return generate_account(size, seed, account_id, f"{DEFAULT_ACCOUNT}{account_id}")


def _front(truth: BackpackAccount, credentials: Credentials,
           options: ServeOptions) -> BackpackFront:
    return BackpackFront(BackpackApp(truth), credentials)


def _limits(limit: Limit | None, options: ServeOptions) -> dict[str, Limit | None]:
    return {API_WINDOW: limit, CALENDAR_WINDOW: options.calendar_rate_limit}


def _account_name(truth: Any) -> str:
    """Backpack's account is a subdomain name."""
    return str(truth.account)


FAMILY = SandboxFamily(
    api="backpack",
    generate=_generate,
    credentials=plain_credentials(lambda: Credentials(token=secrets.token_hex(20))),
    front=_front,
    rate_limit=(100, 5.0),
    base_url=lambda origin, truth: origin,
    account_name=_account_name,
    limits=_limits,
    log_key=resource_key,
    random_faults=BACKPACK_RANDOM_FAULTS,
    fault_kinds=BACKPACK_FAULT_KINDS,
)
