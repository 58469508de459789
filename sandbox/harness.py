"""``Sandbox``: one fake API account on loopback, wired from its family's description.

This is the object tests, benchmarks and the CLI hold. It generates the account from
``size``/``seed``, serves it, and exposes the ground truth, the request log and the oracle.
What differs per API (data, credentials, front, default rate limits, fault kinds) comes from
the family's ``SandboxFamily`` in ``sandbox.registry``: Backpack, for instance, has its own
defaults (100 requests per 5 s, plus ``calendar_rate_limit`` for the calendar routes), a
random 40-hex token when no credentials are given, and a second ``wrong_scheme_url`` listener
that only redirects.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.credentials import Credentials
from sandbox.family import ServeOptions
from sandbox.faults import FaultPlan
from sandbox.jsonapi import Authenticator
from sandbox.pipeline import API_WINDOW, WRONG_SCHEME
from sandbox.ratelimit import SlidingWindowLimiter
from sandbox.registry import family_for
from sandbox.requestlog import RequestLog
from sandbox.server import Limit, SandboxServer


class _Default(enum.Enum):
    """Marker for "the documented limit of the chosen API" (the APIs differ)."""

    LIMIT = "api default"


API_DEFAULT = _Default.LIMIT


class Sandbox:
    """A local, faithful fake of a 37signals API for one synthetic account."""

    def __init__(
        self,
        api: str = "bc2",
        size: str = "tiny",
        seed: int = 0,
        rate_limit: Limit | _Default | None = API_DEFAULT,
        latency: float = 0.0,
        credentials: Credentials | Authenticator | None = None,
        log_path: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        faults: float = 0.0,
        fault_seed: int = 0,
        fault_kinds: Sequence[str] | None = None,
        slow_seconds: float = 5.0,
        calendar_rate_limit: Limit | None = (10, 5.0),
        page_gear: Sequence[int] | None = None,
        shared_limiter: SlidingWindowLimiter | None = None,
        account_id: int | None = None,
    ) -> None:
        """``credentials``: ``Credentials`` (BC4 also takes ``Bc4Credentials``) or None for
        random ones; ``calendar_rate_limit`` is Backpack's, ``page_gear`` BC4's page sizes;
        ``shared_limiter`` replaces ``rate_limit`` by a limiter other sandboxes use too;
        ``account_id`` numbers the account (None: the family's default id)."""
        self.family = family_for(api)
        self.api = api
        self.size = size
        self.seed = seed
        limit = self.family.rate_limit if isinstance(rate_limit, _Default) else rate_limit
        options = ServeOptions(calendar_rate_limit=calendar_rate_limit, page_gear=page_gear)
        numbered = () if account_id is None else (account_id,)
        self.truth: Any = self.family.generate(size, seed, *numbered)
        self.credentials: Any = self.family.credentials(credentials)
        self._log = RequestLog(log_path, key=self.family.log_key)
        self._faults = FaultPlan(rate=faults, seed=fault_seed,
                                 kinds=fault_kinds or self.family.random_faults,
                                 allowed=self.family.fault_kinds)
        self._front = self.family.front(self.truth, self.credentials, options)
        self._server = SandboxServer(
            self._front, log=self._log, faults=self._faults,
            limits=self.family.limits(limit, options), latency=latency,
            slow_seconds=slow_seconds, host=host, port=port,
            shared={API_WINDOW: shared_limiter} if shared_limiter else None,
        )

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> Sandbox:
        """Serve in a background thread; returns self for chaining."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the log file."""
        self._server.stop()
        self._log.close()

    def serve_forever(self) -> None:
        """Serve in the foreground until Ctrl-C (for the CLI)."""
        try:
            self._server.serve_forever()
        finally:
            self.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses
    @property
    def account_id(self) -> int:
        return self.truth.account_id

    @property
    def origin(self) -> str:
        """``http://host:port``; reading it binds the port (so it is known before serving)."""
        self._server.bind()
        return self._server.origin

    @property
    def base_url(self) -> str:
        """BC2: ``http://host:port/<account_id>/api/v1``; BC4: ``http://host:port/<account_id>``;
        Backpack: the origin (no prefix).

        No trailing slash; binds like origin.
        """
        return self.family.base_url(self.origin, self.truth)

    @property
    def launchpad_url(self) -> str:
        """BC4 only: the Launchpad stand-in (``/authorization.json``, ``/authorization/token``)."""
        return f"{self.origin}{self._launchpad()}"

    def expire_token(self) -> None:
        """BC4 only: every access token issued so far answers 401; refreshing still works."""
        self._launchpad()
        self.credentials.expire()

    def revoke(self) -> None:
        """BC4 only: access and refresh tokens stop working (refresh answers 400)."""
        self._launchpad()
        self.credentials.revoke()

    def _launchpad(self) -> str:
        if self.family.launchpad is None:
            raise AttributeError(f"OAuth token controls don't exist for api={self.api!r}")
        return self.family.launchpad

    @property
    def account(self) -> str:
        """The account's name in URLs: Backpack's subdomain, BC2's id as text."""
        return self.family.account_name(self.truth)

    @property
    def wrong_scheme_url(self) -> str:
        """Backpack only: an origin that 302s every request to the same path on base_url."""
        self._server.bind()
        try:
            return self._server.side_origin(WRONG_SCHEME)
        except KeyError:
            raise AttributeError(f"wrong_scheme_url doesn't exist for api={self.api!r}") from None

    # ------------------------------------------------------------------ log, oracle, faults
    @property
    def requests(self) -> list[dict[str, Any]]:
        """The live request log (never holds headers or credentials)."""
        return self._log.entries

    def reset_log(self) -> None:
        """Forget logged requests (and the resources the oracle knows about)."""
        self._log.reset()

    def minimum_requests(self) -> int:
        """Requests a perfect client would have needed for the resources requested so far."""
        return self._log.minimum_requests()

    def inject(self, kind: str, path_regex: str = ".*", times: int = 1) -> None:
        """Make the next ``times`` requests whose path matches ``path_regex`` fail as ``kind``."""
        self._faults.inject(kind, path_regex, times)

    # ------------------------------------------------------------------ changes
    def mutate(self, n: int, seed: int = 0) -> dict[str, list[int]]:
        """Apply ``n`` deterministic changes to the served account; ids changed, by kind.

        BC4 (``sandbox.bc4.mutate``, safe while serving): create, update, trash, archive,
        restore, complete, uncomplete and hard delete, listed under ``created``, ``updated``,
        ``trashed``, ... plus the parents they ``touched``. BC2 delegates to
        ``sandbox.bc2.mutate``; Backpack has none (NotImplementedError).
        """
        if self.family.mutate is None:
            raise NotImplementedError(f"mutate is not implemented for api={self.api!r}")
        return self.family.mutate(self._front, self.truth, n, seed)
