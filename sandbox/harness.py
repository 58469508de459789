"""``Sandbox``: one fake API account on loopback, wired from data, app and generic server.

This is the object tests, benchmarks and the CLI hold. It generates the account from
``size``/``seed``, serves it, and exposes the ground truth, the request log and the oracle.
``api="backpack"`` serves the Backpack XML API instead of BC2: its own defaults (100 requests
per 5 s, plus ``calendar_rate_limit`` for the calendar routes), a random 40-hex token when no
credentials are given, and a second ``wrong_scheme_url`` listener that only redirects.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.backpack import data as backpack_data
from sandbox.backpack.app import BackpackApp
from sandbox.backpack.faults import BACKPACK_FAULT_KINDS, BACKPACK_RANDOM_FAULTS
from sandbox.backpack.model import BackpackAccount
from sandbox.backpack.server import BackpackServer, resource_key
from sandbox.bc2.app import Bc2App
from sandbox.bc2.data import generate_account
from sandbox.bc2.model import Bc2Account
from sandbox.bc4.app import Bc4App
from sandbox.bc4.auth import Bc4Credentials
from sandbox.bc4.data import generate_account as generate_bc4_account
from sandbox.bc4.model import Bc4Account
from sandbox.bc4.mutate import mutate as mutate_bc4_account
from sandbox.bc4.paging import DEFAULT_GEAR, check_gear
from sandbox.bc4.server import LAUNCHPAD, Bc4Server
from sandbox.credentials import Credentials
from sandbox.faults import FaultPlan
from sandbox.requestlog import RequestLog
from sandbox.server import SandboxServer

SUPPORTED_APIS = ("bc2", "backpack", "bc4")


class _Default(enum.Enum):
    """Marker for "the documented limit of the chosen API" (BC2 and Backpack differ)."""

    LIMIT = "api default"


API_DEFAULT = _Default.LIMIT
DEFAULT_RATE_LIMITS: dict[str, tuple[int, float]] = {
    "bc2": (500, 10.0), "backpack": (100, 5.0), "bc4": (50, 10.0),
}


class Sandbox:
    """A local, faithful fake of a 37signals API for one synthetic account."""

    def __init__(
        self,
        api: str = "bc2",
        size: str = "tiny",
        seed: int = 0,
        rate_limit: tuple[int, float] | _Default | None = API_DEFAULT,
        latency: float = 0.0,
        credentials: Credentials | Bc4Credentials | None = None,
        log_path: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        faults: float = 0.0,
        fault_seed: int = 0,
        fault_kinds: Sequence[str] | None = None,
        slow_seconds: float = 5.0,
        calendar_rate_limit: tuple[int, float] | None = (10, 5.0),
        page_gear: Sequence[int] = DEFAULT_GEAR,
    ) -> None:
        if api not in SUPPORTED_APIS:
            raise ValueError(f"unsupported api {api!r}; expected one of {SUPPORTED_APIS}")
        self.api = api
        self.size = size
        self.seed = seed
        limit = DEFAULT_RATE_LIMITS[api] if isinstance(rate_limit, _Default) else rate_limit
        self.truth: Bc2Account | BackpackAccount | Bc4Account
        self._server: SandboxServer | BackpackServer
        self.credentials: Credentials | Bc4Credentials
        if api == "bc4":
            self.truth = generate_bc4_account(size, seed)
            self.credentials = _bc4_credentials(credentials)
            self._log = RequestLog(log_path)
            self._faults = FaultPlan(rate=faults, seed=fault_seed, kinds=fault_kinds)
            self._server = Bc4Server(
                Bc4App(self.truth, check_gear(tuple(page_gear))), credentials=self.credentials,
                log=self._log, faults=self._faults, rate_limit=limit, latency=latency,
                slow_seconds=slow_seconds, host=host, port=port,
            )
            return
        if api == "backpack":
            self.truth = backpack_data.generate_account(size, seed)
            self.credentials = _plain(credentials) or Credentials(token=secrets.token_hex(20))
            self._log = RequestLog(log_path, key=resource_key)
            self._faults = FaultPlan(rate=faults, seed=fault_seed,
                                     kinds=fault_kinds or BACKPACK_RANDOM_FAULTS,
                                     allowed=BACKPACK_FAULT_KINDS)
            self._server = BackpackServer(
                BackpackApp(self.truth), credentials=self.credentials, log=self._log,
                faults=self._faults, rate_limit=limit, calendar_rate_limit=calendar_rate_limit,
                latency=latency, slow_seconds=slow_seconds, host=host, port=port,
            )
            return
        self.truth = generate_account(size, seed)
        self.credentials = _plain(credentials) or Credentials()
        self._log = RequestLog(log_path)
        self._faults = FaultPlan(rate=faults, seed=fault_seed, kinds=fault_kinds)
        self._server = SandboxServer(
            Bc2App(self.truth),
            credentials=self.credentials,
            log=self._log,
            faults=self._faults,
            rate_limit=limit,
            latency=latency,
            slow_seconds=slow_seconds,
            host=host,
            port=port,
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
        if self.api == "backpack":
            return self.origin
        if self.api == "bc4":
            return f"{self.origin}/{self.account_id}"
        return f"{self.origin}/{self.account_id}/api/v1"

    @property
    def launchpad_url(self) -> str:
        """BC4 only: the Launchpad stand-in (``/authorization.json``, ``/authorization/token``)."""
        self._bc4_credentials()
        return f"{self.origin}{LAUNCHPAD}"

    def expire_token(self) -> None:
        """BC4 only: every access token issued so far answers 401; refreshing still works."""
        self._bc4_credentials().expire()

    def revoke(self) -> None:
        """BC4 only: access and refresh tokens stop working (refresh answers 400)."""
        self._bc4_credentials().revoke()

    def _bc4_credentials(self) -> Bc4Credentials:
        if not isinstance(self.credentials, Bc4Credentials):
            raise AttributeError("OAuth token controls exist only for api='bc4'")
        return self.credentials

    @property
    def account(self) -> str:
        """The account's name in URLs: Backpack's subdomain, BC2's id as text."""
        if isinstance(self.truth, BackpackAccount):
            return self.truth.account
        return str(self.account_id)

    @property
    def wrong_scheme_url(self) -> str:
        """Backpack only: an origin that 302s every request to the same path on base_url."""
        if not isinstance(self._server, BackpackServer):
            raise AttributeError("wrong_scheme_url exists only for api='backpack'")
        self._server.bind()
        return self._server.redirect_origin

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
        if isinstance(self.truth, Bc4Account) and isinstance(self._server, Bc4Server):
            with self._server.app.lock:
                return mutate_bc4_account(self.truth, n, seed)
        if isinstance(self.truth, Bc2Account):
            from sandbox.bc2.mutate import mutate as mutate_bc2_account  # owned by the BC2 side

            return mutate_bc2_account(self.truth, n, seed)
        raise NotImplementedError(f"mutate is not implemented for api={self.api!r}")


def _plain(credentials: Credentials | Bc4Credentials | None) -> Credentials | None:
    """BC2/Backpack take only plain ``Credentials``."""
    if isinstance(credentials, Bc4Credentials):
        raise TypeError("Bc4Credentials are only for api='bc4'")
    return credentials


def _bc4_credentials(credentials: Credentials | Bc4Credentials | None) -> Bc4Credentials:
    """BC4 grant: given as is, built around a plain ``Credentials`` token, or random."""
    if isinstance(credentials, Bc4Credentials):
        return credentials
    if isinstance(credentials, Credentials):
        return Bc4Credentials(token=credentials.token)
    return Bc4Credentials()
