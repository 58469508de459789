"""``python -m bench``: measure the export against the sandbox (and peers), print, save JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.fleet import default_plan
from bench.lake import SHAPE_RUNS
from bench.report import render
from bench.run import APIS, Bench

DEFAULT_RESULTS = Path(__file__).resolve().parent / "results"


def _apis(text: str) -> list[str]:
    names = [a.strip() for a in text.split(",") if a.strip()]
    unknown = [a for a in names if a not in APIS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown API(s) {unknown}; choose from {APIS}")
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark basecamp-extract against the local sandbox (and peers).")
    p.add_argument("--api", type=_apis, default=list(APIS),
                   help="comma-separated families (default: bc2,bc4,backpack)")
    p.add_argument("--size", choices=("tiny", "default", "large"), default="default")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--time-scale", type=float, default=1.0, metavar="X",
                   help="divide rate-limit windows (server and client) and latency by X "
                        "(default 1: the real limits)")
    p.add_argument("--latency", type=float, default=0.05, metavar="SECONDS",
                   help="sandbox latency per request before scaling (default 0.05)")
    p.add_argument("--peers", action=argparse.BooleanOptionalAction, default=True,
                   help="also run dlt's rest_api (bc2, bc4) and basecamp-sdk (bc4)")
    p.add_argument("--workers", type=int, default=8, help="our export's workers (default 8)")
    p.add_argument("--out", type=Path, default=None,
                   help="result JSON (default bench/results/<UTC stamp>.json)")
    p.add_argument("--cpu-runs", type=int, default=SHAPE_RUNS, metavar="N",
                   help=f"runs of the CPU path per layout; the median is reported "
                        f"(default {SHAPE_RUNS})")
    p.add_argument("--job-timeout", type=float, default=3600.0,
                   help="seconds before one measured run is killed (default 3600)")
    fleet = p.add_argument_group("fleet (issue 16): Dask workers as simulated hosts")
    fleet.add_argument("--fleet", action="store_true",
                       help="also run the fleet section (bc2 and bc4 fleets on a Dask cluster)")
    fleet.add_argument("--fleet-only", action="store_true",
                       help="run only the fleet section (no per-family runs)")
    fleet.add_argument("--fleet-accounts", type=int, default=8, metavar="N",
                       help="accounts per fleet (default 8)")
    fleet.add_argument("--fleet-workers", type=_counts, default=(1, 2, 4), metavar="1,2,4",
                       help="worker counts to measure (bc4 also as that many hosts)")
    fleet.add_argument("--fleet-api", type=_apis, default=["bc2", "bc4"], metavar="bc2,bc4",
                       help="families with a fleet (default bc2,bc4)")
    fleet.add_argument("--fleet-size", choices=("tiny", "default", "large"), default="tiny",
                       help="size of each fleet account (default tiny)")
    return p


def _counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(n) for n in text.split(",") if n.strip())
    except ValueError:
        counts = ()
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"expected worker counts like 1,2,4, got {text!r}")
    return counts


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = args.out or DEFAULT_RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    fleet = (default_plan(args.fleet_accounts, args.fleet_workers, args.fleet_api)
             if args.fleet or args.fleet_only else [])
    bench = Bench([] if args.fleet_only else args.api, args.size, time_scale=args.time_scale,
                  latency=args.latency, peers=args.peers, seed=args.seed, workers=args.workers,
                  say=say, job_timeout=args.job_timeout, cpu_runs=args.cpu_runs, fleet=fleet,
                  fleet_size=args.fleet_size)
    result = bench.run()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(render(result))
    print(f"\nwrote {out}")
    return 0
