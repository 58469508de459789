"""The fleet bench (issue 16): accounts/hour and requests/s for 1, 2 and 4 workers and hosts.

A host is simulated by a source address: a Dask scheduler and N ``dask worker`` subprocesses are
started, each worker with ``BASECAMP_SOURCE_ADDRESS=127.0.0.(2+k)`` for its host k, so N hosts
bind N addresses (and draw on N Basecamp 4 budgets), and one host's N processes share one
address and one budget (the workers share a ``BASECAMP_LIMITS_DIR`` as processes of one machine
share the user cache). The fleet is a ``sandbox.fleet.SandboxFleet`` held by this process,
limiting Basecamp 4 per client address across its accounts as the API does. Each configuration
runs ``basecamp-extract export --accounts FILE --scheduler ... --json`` into a fresh output.

Reported per run: accounts/hour and requests/s (wall clock of the export command, in the bench's
scaled time), the floor (requests over the allowed rate: the limit times the budgets that can be
spent at once, i.e. hosts for a per-address limit, accounts running at once for a per-account
one), efficiency (floor over wall), 429s, and per host (Basecamp 4) or per account (the others)
the most requests the server saw in any of its windows, which must stay within the limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from distributed import Client

from extract import hostlimit
from extract.families import family
from sandbox.fleet import FleetAccount, SandboxFleet, busiest_window
from sandbox.registry import DEFAULT_RATE_LIMITS, family_for

ROOT = Path(__file__).resolve().parent.parent
UA = "basecamp-extract fleet bench (bench@example.com)"
TOKEN_ENV = "FLEET_BENCH_TOKEN"
FIRST_HOST = 2  # 127.0.0.2 is the first simulated host; 127.0.0.1 stays the sandbox's
CLUSTER_TIMEOUT = 120.0


@dataclass(frozen=True)
class FleetRun:
    """One configuration: ``workers`` Dask worker processes spread over ``hosts`` addresses."""

    api: str
    accounts: int
    workers: int
    hosts: int = 1

    @property
    def label(self) -> str:
        return f"{self.workers} worker(s) on {self.hosts} host(s)"

    def addresses(self) -> list[str]:
        """The source address of each worker: worker i runs on host i mod hosts."""
        return [f"127.0.0.{FIRST_HOST + i % self.hosts}" for i in range(self.workers)]


def default_plan(accounts: int = 8, workers: Sequence[int] = (1, 2, 4),
                 apis: Sequence[str] = ("bc2", "bc4")) -> list[FleetRun]:
    """Per family, more workers on one host; for a family limited per address (BC4), then as
    many hosts as workers too (a per-account limit gains nothing from more addresses)."""
    plan = []
    for api in apis:
        plan += [FleetRun(api, accounts, n) for n in workers]
        if family_for(api).limit_scope == "address":
            plan += [FleetRun(api, accounts, n, hosts=n) for n in workers if n > 1]
    return plan


class Cluster:
    """A Dask scheduler and one worker process per address, as subprocesses.

    Every worker gets ``env`` plus its own ``BASECAMP_SOURCE_ADDRESS``; one thread each, so a
    worker exports one account at a time.
    """

    def __init__(self, addresses: Sequence[str], env: dict[str, str], work: Path) -> None:
        self.addresses = list(addresses)
        self.env = env
        self.file = work / "scheduler.json"
        self.procs: list[subprocess.Popen[bytes]] = []

    @property
    def address(self) -> str:
        return str(json.loads(self.file.read_text())["address"])

    def __enter__(self) -> Cluster:
        self._spawn(["scheduler", "--scheduler-file", str(self.file), "--port", "0",
                     "--host", "127.0.0.1", "--dashboard-address", ":0"], {})
        deadline = time.monotonic() + CLUSTER_TIMEOUT
        while not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        for i, address in enumerate(self.addresses):
            self._spawn(["worker", "--scheduler-file", str(self.file), "--nthreads", "1",
                         "--nworkers", "1", "--name", f"host{address}-w{i}",
                         "--no-dashboard", "--host", "127.0.0.1"],
                        {hostlimit.SOURCE_ADDRESS_ENV: address})
        with Client(scheduler_file=str(self.file), timeout=CLUSTER_TIMEOUT) as client:
            client.wait_for_workers(len(self.addresses), timeout=CLUSTER_TIMEOUT)
        return self

    def _spawn(self, args: list[str], extra: dict[str, str]) -> None:
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "dask", *args], env={**self.env, **extra},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for proc in reversed(self.procs):  # workers first, the scheduler last
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class FleetBench:
    """Runs a plan of fleet configurations against one sandbox fleet per family."""

    def __init__(self, plan: Sequence[FleetRun], *, time_scale: float = 1.0,
                 latency: float = 0.0, size: str = "tiny", http_workers: int = 8,
                 say: Callable[[str], None] = print, job_timeout: float = 3600.0) -> None:
        self.plan, self.time_scale, self.latency = list(plan), time_scale, latency
        self.size, self.http_workers = size, http_workers
        self.say, self.job_timeout = say, job_timeout

    def limit(self, api: str) -> tuple[int, float]:
        """The server's main limit, its window divided by the time scale."""
        n, seconds = DEFAULT_RATE_LIMITS[api]
        return n, seconds / self.time_scale

    def client_rate(self, api: str) -> str:
        """``--rate-limit`` for the exports: the family's own, scaled like the server's."""
        rate = family(api).rate
        return f"{rate.requests}/{rate.seconds / self.time_scale:g}"

    def run(self) -> dict[str, Any]:
        runs: list[dict[str, Any]] = []
        for api in dict.fromkeys(r.api for r in self.plan):
            largest = max(r.accounts for r in self.plan if r.api == api)
            accounts = [FleetAccount(api, seed, self.size) for seed in range(largest)]
            with SandboxFleet(accounts, limits={api: self.limit(api)},
                              latency=self.latency / self.time_scale) as fleet:
                for config in (r for r in self.plan if r.api == api):
                    self.say(f"[fleet {api}] {config.accounts} accounts, {config.label} ...")
                    runs.append(self.measure(fleet, config))
                    time.sleep(self.limit(api)[1] + 0.2)  # let the windows empty
        return {"settings": {"time_scale": self.time_scale, "size": self.size,
                             "latency_s": self.latency, "http_workers": self.http_workers,
                             "cpus": os.cpu_count()},
                "runs": runs, "speedups": speedups(runs)}

    def measure(self, fleet: SandboxFleet, config: FleetRun) -> dict[str, Any]:
        fleet.reset_log()
        load = os.getloadavg()[0]  # the machine's load as the run starts (CPU-bound runs)
        with tempfile.TemporaryDirectory(prefix=f"bench-fleet-{config.api}-") as tmp:
            work = Path(tmp)
            accounts_file = work / "accounts.toml"
            text = fleet.accounts_toml(user_agent=UA, token_env=TOKEN_ENV)
            accounts_file.write_text(_first_tables(text, config.accounts))
            env = {**os.environ, TOKEN_ENV: fleet.token,
                   hostlimit.LIMITS_DIR_ENV: str(work / "limits"),
                   "PYTHONPATH": os.pathsep.join(
                       p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
            env.pop(hostlimit.SOURCE_ADDRESS_ENV, None)
            with Cluster(config.addresses(), env, work) as cluster:
                found = self.export(config, accounts_file, work / "out", cluster.address, env)
        return {**summarize(config, found, fleet.requests, self.limit(config.api)),
                "load_1m_before": round(load, 2)}

    def export(self, config: FleetRun, accounts_file: Path, output: Path, scheduler: str,
               env: dict[str, str]) -> dict[str, Any]:
        """``basecamp-extract export --accounts`` on the cluster; its JSON and wall time."""
        args = [sys.executable, "-m", "extract.main", "export", "--accounts", str(accounts_file),
                "-o", str(output), "--scheduler", scheduler, "--json",
                "--rate-limit", self.client_rate(config.api),
                "--workers", str(self.http_workers)]
        started = time.monotonic()
        try:
            done = subprocess.run(args, env=env, capture_output=True, text=True,
                                  timeout=self.job_timeout)
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {self.job_timeout:.0f}s",
                    "wall_s": time.monotonic() - started}
        wall = time.monotonic() - started
        try:
            document = json.loads(done.stdout)
        except json.JSONDecodeError:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            return {"error": f"exit {done.returncode}: {tail}", "wall_s": wall}
        return {"document": document, "exit": done.returncode, "wall_s": wall}


def _first_tables(text: str, count: int) -> str:
    """The first ``count`` ``[[accounts]]`` tables of an accounts file."""
    tables = [t for t in text.split("[[accounts]]") if t.strip()]
    return "".join("[[accounts]]" + t for t in tables[:count])


def summarize(config: FleetRun, found: dict[str, Any], entries: list[dict[str, Any]],
              limit: tuple[int, float]) -> dict[str, Any]:
    """One run's row: throughput, floor, efficiency and what the server saw per host."""
    n, seconds = limit
    status = Counter(str(e["status"]) for e in entries)
    requests = len(entries)
    per_address = family_for(config.api).limit_scope == "address"
    budgets = config.hosts if per_address else min(config.workers, config.accounts)
    floor = requests * seconds / (n * budgets)
    wall = found["wall_s"]
    document = found.get("document", {})
    accounts = document.get("accounts", [])
    ok = sum(1 for a in accounts if a.get("status") == "ok")
    each = sorted(a["seconds"] for a in accounts if a.get("seconds") is not None)
    busiest = busiest_window(entries, seconds, by="client" if per_address else "name")
    row: dict[str, Any] = {
        "api": config.api, "accounts": config.accounts, "workers": config.workers,
        "hosts": config.hosts, "ok": ok, "failed": len(accounts) - ok,
        "wall_s": round(wall, 2), "accounts_per_hour": round(ok * 3600 / wall, 1) if wall else None,
        "requests": requests, "requests_per_s": round(requests / wall, 2) if wall else None,
        "floor_s": round(floor, 2), "budgets": budgets,
        "efficiency_pct": round(100 * floor / wall, 1) if wall else None,
        "throttled_429": status.get("429", 0), "status": dict(sorted(status.items())),
        "limit": [n, round(seconds, 3)], "limit_per": "host" if per_address else "account",
        "busiest_window": busiest,
        "within_limit": all(v <= n for v in busiest.values()),
        "export_requests": sum(a.get("requests") or 0 for a in accounts),
        "account_seconds_median": each[len(each) // 2] if each else None,
    }
    if "error" in found:
        row["error"] = found["error"]
    elif found.get("exit"):
        row["error"] = f"exit {found['exit']}: " + "; ".join(
            f"{a.get('name')}: {a.get('error')}" for a in accounts if a.get("status") != "ok")
    return row


def speedups(runs: list[dict[str, Any]]) -> dict[str, float | None]:
    """Accounts/hour of each run over its family's one-worker, one-host run."""
    base = {r["api"]: r["accounts_per_hour"] for r in runs
            if r["workers"] == 1 and r["hosts"] == 1}
    out: dict[str, float | None] = {}
    for r in runs:
        one = base.get(r["api"])
        key = f"{r['api']} {r['workers']}w/{r['hosts']}h"
        out[key] = round(r["accounts_per_hour"] / one, 2) if one and r["accounts_per_hour"] \
            else None
    return out
