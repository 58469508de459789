"""What the harness needs to know of one fake API: ``SandboxFamily``, built in its folder.

Each family folder (``sandbox/bc2/family.py``, ...) describes how to generate its account,
which credentials it takes, how its front is built and its documented defaults; the registry
(``sandbox.registry``) lists them by API name, and ``Sandbox`` asks the description instead of
comparing names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sandbox.credentials import Credentials
from sandbox.faults import FAULT_KINDS
from sandbox.pipeline import API_WINDOW, Front
from sandbox.requestlog import Key, default_key
from sandbox.server import Limit


@dataclass(frozen=True)
class ServeOptions:
    """Options only some families read (the others ignore them)."""

    calendar_rate_limit: Limit | None = (10, 5.0)  # Backpack's calendar window
    page_gear: Sequence[int] | None = None  # BC4's page sizes (None: the family's default)


def api_window(limit: Limit | None, options: ServeOptions) -> dict[str, Limit | None]:
    """One rate-limit window per account (BC2, BC4)."""
    return {API_WINDOW: limit}


def account_id_text(truth: Any) -> str:
    """The account's name in URLs for the Basecamps: its id."""
    return str(truth.account_id)


def plain_credentials(default: Callable[[], Credentials]
                      ) -> Callable[[Any], Credentials]:
    """A credentials policy for families that take only plain ``Credentials``."""

    def choose(given: Any) -> Credentials:
        if given is None:
            return default()
        if not isinstance(given, Credentials):
            raise TypeError(f"{type(given).__name__} are not accepted here; "
                            "this API takes plain Credentials")
        return given

    return choose


@dataclass(frozen=True)
class SandboxFamily:
    """One fake API as the harness sees it.

    ``generate(size, seed)`` builds the truth, ``generate(size, seed, account_id)`` one
    numbered apart (a fleet's accounts); ``credentials(given)`` turns what the caller
    passed (or None) into what the front checks; ``front(truth, credentials, options)``
    builds the front; ``mutate(front, truth, n, seed)`` changes the served account (None:
    not offered). ``launchpad`` is the OAuth prefix on the same origin, when there is one.
    ``limit_scope`` "address": the front keys its limit by client address, and a fleet's
    accounts of this family share one limiter.
    """

    api: str
    generate: Callable[..., Any]
    credentials: Callable[[Any], Any]
    front: Callable[[Any, Any, ServeOptions], Front]
    rate_limit: Limit
    base_url: Callable[[str, Any], str]
    account_name: Callable[[Any], str] = account_id_text
    limits: Callable[[Limit | None, ServeOptions], Mapping[str, Limit | None]] = api_window
    log_key: Key = default_key
    random_faults: Sequence[str] = FAULT_KINDS
    fault_kinds: Sequence[str] = FAULT_KINDS
    mutate: Callable[[Front, Any, int, int], dict[str, list[int]]] | None = None
    launchpad: str | None = None
    # What the main limit counts per when one server holds many accounts (``sandbox.fleet``):
    # each account its own window, or one window per client address across all of them.
    limit_scope: Literal["account", "address"] = "account"
