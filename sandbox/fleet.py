"""Many sandbox accounts at once, for fleet exports, limited the way each API counts.

One server per account (each family's routes, Launchpad and side listeners stay as they are).
Basecamp 2 and Backpack limit per account, so each account's server keeps its own window.
Basecamp 4 limits per client address across every account and token (``SandboxFamily``
``limit_scope="address"``): the fleet's BC4 accounts share one limiter, which the BC4 front keys
by ``request.remote_addr``. Clients bound to 127.0.0.2 and 127.0.0.3 therefore get a budget
each, and one address exporting two accounts gets one between them.

    with SandboxFleet([FleetAccount("bc4", seed=s) for s in range(4)], token="t") as fleet:
        text = fleet.accounts_toml(user_agent="...", token_env="FLEET_TOKEN")
        busiest_window(fleet.requests, 10.0)  # {client address: most requests in any 10 s}

``python -m sandbox.fleet --bc2 8 --bc4 4 --accounts accounts.toml`` serves a fleet until Ctrl-C
(or SIGTERM), and prints the token to export under the name the accounts file gives.
"""

from __future__ import annotations

import argparse
import bisect
import json
import secrets
import signal
import sys
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.credentials import Credentials
from sandbox.harness import API_DEFAULT, Sandbox
from sandbox.ratelimit import SlidingWindowLimiter
from sandbox.registry import DEFAULT_RATE_LIMITS, SUPPORTED_APIS, family_for
from sandbox.server import Limit

Entry = dict[str, Any]
FIRST_ACCOUNT_ID = 900_000_000


@dataclass(frozen=True)
class FleetAccount:
    """One generated account of the fleet: its family, generator seed and size.

    Its id is numbered by the seed (``FIRST_ACCOUNT_ID + seed``; Backpack's subdomain follows),
    so the fleet's accounts of one family land in partitions of their own.
    """

    api: str
    seed: int = 0
    size: str = "tiny"

    @property
    def name(self) -> str:
        return f"{self.api}-{self.seed}"

    @property
    def account_id(self) -> int:
        return sandbox_account_id(self.seed)


def sandbox_account_id(seed: int) -> int:
    """A fleet's sandbox account of ``seed``: its own id (Backpack: subdomain), per seed."""
    return FIRST_ACCOUNT_ID + seed


class SandboxFleet:
    """Serves ``accounts`` side by side; every account accepts the one bearer ``token``.

    ``limits`` maps a family to its main limit (requests, seconds), None for none; a family
    left out keeps its documented default. ``calendar_rate_limit`` is Backpack's second window.
    """

    def __init__(self, accounts: Sequence[FleetAccount], *, token: str | None = None,
                 limits: Mapping[str, Limit | None] | None = None, latency: float = 0.0,
                 calendar_rate_limit: Limit | None = (10, 5.0),
                 host: str = "127.0.0.1") -> None:
        names = [a.name for a in accounts]
        if len(set(names)) != len(names):
            raise ValueError(f"fleet accounts must differ in family or seed: {names}")
        self.token = token or secrets.token_urlsafe(24)
        self.limits = {api: (limits or {}).get(api, DEFAULT_RATE_LIMITS[api])
                       for api in {a.api for a in accounts}}
        self.shared = {api: SlidingWindowLimiter(*limit) for api, limit in self.limits.items()
                       if limit and family_for(api).limit_scope == "address"}
        self.accounts = list(accounts)
        self.boxes: dict[str, Sandbox] = {
            a.name: Sandbox(api=a.api, size=a.size, seed=a.seed, account_id=a.account_id,
                            rate_limit=self.limits.get(a.api, API_DEFAULT), latency=latency,
                            credentials=Credentials(token=self.token), host=host,
                            calendar_rate_limit=calendar_rate_limit,
                            shared_limiter=self.shared.get(a.api))
            for a in accounts
        }

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SandboxFleet:
        for box in self.boxes.values():
            box.start()
        return self

    def stop(self) -> None:
        for box in self.boxes.values():
            box.stop()

    def __enter__(self) -> SandboxFleet:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------------ what clients need
    def accounts_toml(self, *, user_agent: str, token_env: str) -> str:
        """An accounts file (issue 16's ``[[accounts]]`` tables) naming every served account;
        the token travels as the name of the environment variable that holds it."""
        return accounts_toml([
            {"name": spec.name, "family": spec.api, "account": self.boxes[spec.name].account,
             "base_url": self.boxes[spec.name].base_url, "user_agent": user_agent,
             "token_env": token_env} for spec in self.accounts])

    # ------------------------------------------------------------------ the log
    @property
    def requests(self) -> list[Entry]:
        """Every account's request log, merged in arrival order, each entry with its
        account's ``name`` and ``api``."""
        merged = [{**entry, "name": name, "api": box.api}
                  for name, box in self.boxes.items() for entry in list(box.requests)]
        return sorted(merged, key=lambda e: e["t"])

    def reset_log(self) -> None:
        for box in self.boxes.values():
            box.reset_log()

    def minimum_requests(self) -> int:
        return sum(box.minimum_requests() for box in self.boxes.values())


def accounts_toml(entries: Iterable[Mapping[str, Any]]) -> str:
    """An accounts file of these entries, one ``[[accounts]]`` table each (JSON strings and
    numbers are TOML values too: quoting and escapes agree)."""
    return "\n".join("[[accounts]]\n" + "".join(f"{key} = {json.dumps(value)}\n"
                                               for key, value in entry.items())
                     for entry in entries)


def busiest_window(entries: Iterable[Entry], seconds: float, by: str = "client"
                   ) -> dict[str, int]:
    """Per value of ``by`` (the client address), the most API requests that arrived within
    any ``seconds`` (the server's sliding window: ``(t - seconds, t]``). Requests outside an
    account (Launchpad) are not counted, as the API does not limit them."""
    times: dict[str, list[float]] = defaultdict(list)
    for entry in entries:
        if entry.get("account") is not None:
            times[str(entry.get(by))].append(entry["t"])
    return {key: _densest(sorted(found), seconds) for key, found in times.items()}


def _densest(times: list[float], seconds: float) -> int:
    """The largest count of ``times`` inside any half-open window of ``seconds``."""
    return max((i + 1 - bisect.bisect_right(times, t - seconds) for i, t in enumerate(times)),
               default=0)


# ---------------------------------------------------------------------- command line
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sandbox.fleet",
                                description="Serve many sandbox accounts at once.")
    for api in SUPPORTED_APIS:
        p.add_argument(f"--{api}", type=int, default=0, metavar="N",
                       help=f"{api} accounts (seeds 0..N-1)")
    p.add_argument("--size", choices=("tiny", "default", "large"), default="tiny")
    p.add_argument("--time-scale", type=float, default=1.0, metavar="X",
                   help="divide every rate-limit window by X")
    p.add_argument("--accounts", type=Path, required=True, help="accounts file to write")
    p.add_argument("--token-env", default="FLEET_TOKEN",
                   help="environment variable the accounts file names for the token")
    p.add_argument("--user-agent", default="basecamp-extract fleet (fleet@example.com)")
    p.add_argument("--host", default="127.0.0.1")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    accounts = [FleetAccount(api, seed, args.size) for api in SUPPORTED_APIS
                for seed in range(getattr(args, api))]
    if not accounts:
        print("no accounts: pass --bc2 N, --bc4 N or --backpack N", file=sys.stderr)
        return 2
    limits = {api: (n, s / args.time_scale) for api, (n, s) in DEFAULT_RATE_LIMITS.items()}
    fleet = SandboxFleet(accounts, limits=limits, host=args.host,
                         calendar_rate_limit=(10, 5.0 / args.time_scale)).start()
    args.accounts.write_text(fleet.accounts_toml(user_agent=args.user_agent,
                                                 token_env=args.token_env))
    print(f"serving {len(accounts)} accounts; wrote {args.accounts}\n"
          f"export {args.token_env}={fleet.token}", file=sys.stderr, flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fleet.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
