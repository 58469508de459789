"""The benchmark proper: per API family, our export, its re-run, the CPU path, then peers.

Everything for one family happens against one ``Sandbox`` held by this (parent) process; every
measured run is a subprocess (``bench.measure.run_job``) so its peak RSS is its own. Requests
are read from the sandbox's request log, which is reset before each run.

Time scaling: the sandbox has no clock of its own to speed up, so ``time_scale`` X divides the
window of both rate limits by X (server: ``(n, seconds / X)``, our client:
``RateLimit(n', seconds' / X)``, Backpack's calendar limits too) and the sandbox's latency by X.
Allowed rates are X times the real ones and every floor is computed from the scaled rate, so
efficiency percentages stay comparable. What does not scale: ``Retry-After`` (whole seconds,
at least 1, so a 429/503 costs relatively more when X > 1), and the CPU work per request (at a
high X the client, not the limit, can become the bottleneck on a small machine).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.fleet import FleetBench, FleetRun
from bench.lake import SHAPE_RUNS, measure_lake
from bench.measure import run_job
from bench.peers import DLT_COVERS, SDK_COVERS
from bench.profiles import PROFILES
from bench.targets import ratio, targets
from bench.truth import truth_counts
from extract.families import family
from sandbox import Sandbox
from sandbox.registry import DEFAULT_RATE_LIMITS

UA = "basecamp-extract bench (bench@example.com)"
SCHEMA_VERSION = 2
APIS = tuple(PROFILES)
CALENDAR_PREFIX = "/calendar"

def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for dist in ("basecamp-extract", "dlt", "basecamp-sdk", "psutil", "duckdb", "pyarrow"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            found[dist] = None
    return found


def log_stats(box: Sandbox) -> dict[str, Any]:
    entries = list(box.requests)
    statuses = Counter(str(e["status"]) for e in entries)
    calendar = sum(1 for e in entries if e["path"].startswith(CALENDAR_PREFIX))
    return {"requests": len(entries), "status": dict(sorted(statuses.items())),
            "throttled_429": statuses.get("429", 0), "unavailable_503": statuses.get("503", 0),
            "calendar_requests": calendar, "minimum_requests": box.minimum_requests()}


class Bench:
    def __init__(self, apis: list[str], size: str, time_scale: float = 1.0,
                 latency: float = 0.0, peers: bool = True, seed: int = 0, workers: int = 8,
                 say: Callable[[str], None] = print, job_timeout: float = 3600.0,
                 cpu_runs: int = SHAPE_RUNS, fleet: Sequence[FleetRun] = (),
                 fleet_size: str = "tiny") -> None:
        if time_scale <= 0:
            raise ValueError("time scale must be > 0")
        self.apis, self.size, self.time_scale = apis, size, time_scale
        self.latency, self.peers, self.seed, self.workers = latency, peers, seed, workers
        self.say, self.job_timeout, self.cpu_runs = say, job_timeout, cpu_runs
        self.fleet, self.fleet_size = list(fleet), fleet_size

    # ------------------------------------------------------------------ scaling
    def server_limit(self, api: str) -> tuple[int, float]:
        n, seconds = DEFAULT_RATE_LIMITS[api]
        return n, seconds / self.time_scale

    def client_limit(self, api: str) -> tuple[int, float]:
        rate = family(api).rate
        return rate.requests, rate.seconds / self.time_scale

    def floor_s(self, api: str, requests: int, calendar: int = 0) -> float:
        """Requests / the API's allowed rate (Backpack: the slower of its two limits)."""
        n, seconds = self.server_limit(api)
        floor = requests * seconds / n
        calendar_limit = PROFILES[api].calendar_limit
        if calendar_limit is not None:
            cal_n, cal_seconds = calendar_limit
            floor = max(floor, calendar * cal_seconds / self.time_scale / cal_n)
        return floor

    def settle(self, api: str) -> None:
        """Let the server's window empty so the next run starts unthrottled."""
        time.sleep(self.server_limit(api)[1] + 0.2)

    # ------------------------------------------------------------------ whole run
    def run(self) -> dict[str, Any]:
        started = time.monotonic()
        result: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "started_at": datetime.now(UTC).isoformat(),
            "settings": {
                "apis": self.apis, "size": self.size, "seed": self.seed,
                "time_scale": self.time_scale, "latency_s": self.latency,
                "sandbox_latency_s": self.latency / self.time_scale, "peers": self.peers,
                "workers": self.workers, "cpu_runs": self.cpu_runs,
                "fleet": [vars(r) for r in self.fleet],
                "time_scaling": "rate-limit windows (server and client) and latency divided "
                                "by time_scale; Retry-After is not scaled",
            },
            "environment": {"python": sys.version.split()[0], "platform": platform.platform(),
                            "cpus": _cpus(), "versions": versions()},
            "apis": {},
        }
        for api in self.apis:
            result["apis"][api] = self.run_api(api)
        if self.fleet:
            result["fleet"] = FleetBench(
                self.fleet, time_scale=self.time_scale, latency=self.latency,
                size=self.fleet_size, http_workers=self.workers, say=self.say,
                job_timeout=self.job_timeout).run()
        result["finished_at"] = datetime.now(UTC).isoformat()
        result["seconds"] = round(time.monotonic() - started, 1)
        return result

    def run_api(self, api: str) -> dict[str, Any]:
        limit = self.server_limit(api)
        extra: dict[str, Any] = {}
        calendar_limit = PROFILES[api].calendar_limit
        if calendar_limit is not None:
            n, seconds = calendar_limit
            extra["calendar_rate_limit"] = (n, seconds / self.time_scale)
        box = Sandbox(api=api, size=self.size, seed=self.seed, rate_limit=limit,
                      latency=self.latency / self.time_scale, **extra)
        out: dict[str, Any] = {
            "sandbox": {"rate_limit": list(limit), "allowed_per_s": round(limit[0] / limit[1], 3),
                        "client_rate_limit": list(self.client_limit(api)),
                        "latency_s": self.latency / self.time_scale, **{
                            k: list(v) for k, v in extra.items()}},
        }
        with box, tempfile.TemporaryDirectory(prefix=f"bench-{api}-") as tmp:
            out["truth"] = truth_counts(api, box.truth)
            spec = self.export_spec(api, box, Path(tmp) / "ours")
            self.say(f"[{api}] our export ({self.size}) ...")
            ours = self.measure_ours(api, box, spec | {"keep_raw": True})
            out["ours"] = ours
            if ours.get("raw"):
                out |= measure_lake(api, ours["raw"], Path(spec["output"]), Path(tmp),
                                    timeout=self.job_timeout, runs=self.cpu_runs, say=self.say)
            else:
                out["cpu_path"] = {"error": "no raw spool (the export failed)"}
            self.settle(api)
            self.say(f"[{api}] re-run with nothing changed ...")
            out["rerun"] = self.measure_rerun(api, box, spec | {"keep_raw": False}, ours)
            out["peers"] = {}
            if self.peers:
                for peer in PROFILES[api].peers:
                    self.settle(api)
                    self.say(f"[{api}] peer {peer} ...")
                    out["peers"][peer] = self.measure_peer(api, peer, box, ours, out["truth"])
        out["coverage"] = coverage(out)
        out["targets"] = targets(api, self.size, out)
        return out

    # ------------------------------------------------------------------ our runs
    def export_spec(self, api: str, box: Sandbox, output: Path) -> dict[str, Any]:
        c, profile = box.credentials, PROFILES[api]
        password = profile.login == "password"
        return {
            "api": api, "account": getattr(box, profile.account_attr),
            "base_url": box.base_url, "user_agent": UA, "output": str(output),
            "credentials": {"login": profile.login,
                            "username": c.username if password else None,
                            "password": c.password if password else None,
                            "token": c.token},
            "workers": self.workers, "rate_limit": list(self.client_limit(api)),
            "time_scale": self.time_scale,
        }

    def _export(self, box: Sandbox, spec: dict[str, Any]) -> tuple[dict[str, Any], dict]:
        """One export job against a fresh request log: (job result, what the sandbox saw)."""
        box.reset_log()
        job = run_job("export", spec, timeout=self.job_timeout)
        return job, log_stats(box)

    def measure_ours(self, api: str, box: Sandbox, spec: dict[str, Any]) -> dict[str, Any]:
        job, seen = self._export(box, spec)
        if "error" in job:
            return {**job, "sandbox": seen}
        http = job["http"]
        floor = self.floor_s(api, http["requests"], seen["calendar_requests"])
        return {
            "requests": http["requests"], "sandbox_requests": seen["requests"],
            "minimum_requests": seen["minimum_requests"],
            "requests_vs_minimum": ratio(http["requests"], seen["minimum_requests"]),
            "seconds": job["seconds"], "wall_s": job["wall_s"], "floor_s": round(floor, 3),
            "efficiency_pct": round(100 * floor / job["seconds"], 1) if job["seconds"] else None,
            "throttled_429": http["throttled_429"], "unavailable_503": http["unavailable_503"],
            "retries": http["retries"], "not_modified": http["not_modified"],
            "throttle_wait_s": http["throttle_wait_s"], "peak_rss_mb": job["peak_rss_mb"],
            "rows": job["rows"], "tables": job["tables"], "failures": job["failures"],
            "count_mismatches": job["count_mismatches"], "raw": job["raw"],
            "status": seen["status"],
        }

    def measure_rerun(self, api: str, box: Sandbox, spec: dict[str, Any],
                      ours: dict[str, Any]) -> dict[str, Any]:
        job, seen = self._export(box, spec)
        if "error" in job:
            return {**job, "sandbox": seen}
        http = job["http"]
        full = ours.get("requests")
        return {
            "requests": http["requests"], "not_modified": http["not_modified"],
            "requests_pct_of_full": round(100 * http["requests"] / full, 1) if full else None,
            "seconds": job["seconds"], "seconds_pct_of_full": (
                round(100 * job["seconds"] / ours["seconds"], 1) if ours.get("seconds")
                else None),
            "throttled_429": http["throttled_429"], "unavailable_503": http["unavailable_503"],
            "retries": http["retries"], "peak_rss_mb": job["peak_rss_mb"],
            "what_it_is": describe_rerun(seen["status"], full),
            "status": seen["status"],
        }

    # ------------------------------------------------------------------ peers
    def measure_peer(self, api: str, peer: str, box: Sandbox, ours: dict[str, Any],
                     truth: dict[str, int]) -> dict[str, Any]:
        c = box.credentials
        spec = {"api": api, "base_url": box.base_url, "origin": box.origin,
                "account_id": box.account_id, "user_agent": UA, "token": c.token,
                "username": getattr(c, "username", None), "password": getattr(c, "password", None)}
        box.reset_log()
        job = run_job(peer, spec, timeout=self.job_timeout)
        seen = log_stats(box)
        result: dict[str, Any] = {
            "requests": seen["requests"], "minimum_requests": seen["minimum_requests"],
            "throttled_429": seen["throttled_429"], "unavailable_503": seen["unavailable_503"],
            "status": seen["status"], "wall_s": job.get("wall_s"),
            "seconds": job.get("seconds"), "peak_rss_mb": job.get("peak_rss_mb"),
            "version": job.get("version"),
        }
        if "error" in job:
            result["error"] = job["error"]
            if "traceback" in job:
                result["traceback"] = job["traceback"]
            return result
        result["tables"] = job["tables"]
        covers = DLT_COVERS[api] if peer == "dlt" else SDK_COVERS
        covered: dict[str, int] = {}
        for table, rows in job["tables"].items():
            if table in covers:
                covered[covers[table]] = covered.get(covers[table], 0) + rows
        result["rows_by_truth_table"] = covered
        result["ratios_ours_over_theirs"] = {
            "requests": ratio(ours.get("requests"), seen["requests"]),
            "seconds": ratio(ours.get("seconds"), job.get("seconds")),
            "peak_rss": ratio(ours.get("peak_rss_mb"), job.get("peak_rss_mb")),
        }
        return result


def describe_rerun(status: dict[str, int], full: int | None) -> str:
    """What a re-run with nothing changed costs, in words (the strategy may change)."""
    sent = sum(status.values())
    parts = ", ".join(f"{n} x {code}" for code, n in sorted(status.items()))
    if sent and status.get("304", 0) == sent:
        return f"{sent} conditional requests, every one answered 304 Not Modified"
    if not status.get("304") and full and sent >= full:
        return f"{sent} requests, all re-read in full (no HTTP cache for this API): {parts}"
    return f"{sent} requests ({parts})"


def coverage(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per truth table: truth, ours, each peer; ``*_ok`` says whether it matches the truth."""
    truth = out.get("truth", {})
    ours = out.get("ours", {}).get("tables", {})
    table: dict[str, dict[str, Any]] = {}
    for name, expected in truth.items():
        row: dict[str, Any] = {"truth": expected, "ours": ours.get(name)}
        for peer, found in out.get("peers", {}).items():
            if "rows_by_truth_table" in found:
                row[peer] = found["rows_by_truth_table"].get(name)
        table[name] = row
    return table


def _cpus() -> int | None:
    return os.cpu_count()
