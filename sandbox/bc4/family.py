"""Basecamp 4 as the harness sees it: OAuth via Launchpad, 50 requests per 10 s per client
address (across every account a fleet serves), geared pages.

Credentials: a ``Bc4Credentials`` grant as given, one built around a plain ``Credentials``
token, or a random one. ``mutate`` holds the app's lock, so it is safe while serving.
"""

from __future__ import annotations

from typing import Any

from sandbox.bc4.app import Bc4App
from sandbox.bc4.auth import Bc4Credentials
from sandbox.bc4.data import generate_account
from sandbox.bc4.model import Bc4Account
from sandbox.bc4.mutate import mutate
from sandbox.bc4.paging import DEFAULT_GEAR, check_gear
from sandbox.bc4.server import LAUNCHPAD, Bc4Front
from sandbox.credentials import Credentials
from sandbox.family import SandboxFamily, ServeOptions
from sandbox.pipeline import Front


def _credentials(given: Any) -> Bc4Credentials:
    if isinstance(given, Bc4Credentials):
        return given
    if isinstance(given, Credentials):
        return Bc4Credentials(token=given.token)
    return Bc4Credentials()


def _front(truth: Bc4Account, credentials: Bc4Credentials, options: ServeOptions) -> Bc4Front:
    gear = DEFAULT_GEAR if options.page_gear is None else tuple(options.page_gear)
    return Bc4Front(Bc4App(truth, check_gear(gear)), credentials)


def _mutate(front: Front, truth: Bc4Account, n: int, seed: int) -> dict[str, list[int]]:
    assert isinstance(front, Bc4Front)
    with front.app.lock:
        return mutate(truth, n, seed)


FAMILY = SandboxFamily(
    api="bc4",
    generate=generate_account,
    credentials=_credentials,
    front=_front,
    rate_limit=(50, 10.0),
    base_url=lambda origin, truth: f"{origin}/{truth.account_id}",
    mutate=_mutate,
    launchpad=LAUNCHPAD,
    limit_scope="address",
)
