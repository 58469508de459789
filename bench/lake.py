"""Issue 14's figures for one family, measured after our export from its ``--keep-raw`` spool.

- **CPU path** per layout: ``shape_from_raw`` into the default layout (``partition_by="table"``)
  and the old one (``"project"``, Hive folders), each in its own job process, ``runs``
  times (``--cpu-runs``, default ``SHAPE_RUNS``) with the layouts alternating, so a load that
  comes and goes on the machine hits both alike; each layout's median run is reported, and
  the speed-up of the default over the old, in records/s (wall time) and in CPU time (the
  process's, all threads: less disturbed by other work on a shared machine).
- **One account per core**: as many CPU paths as the machine has cores, side by side, each in
  its own process over the same spool into its own output, started together after their
  imports: what a fleet's workers shape at once on this machine. Reported in all (every
  job's rows over the span from the first start to the last end), with each job's own
  records/s and peak RSS; run once per round like the ceiling, the median round reported.
- **Ceiling**: ``bench.ceiling``'s simple path over the same spool (orjson, inferred types,
  no rules, no child tables, no merge), run once per round beside the CPU path, the median
  reported, and the CPU path's records/s as a share of it.
- **Files**: files per table and rows per file of our export (default layout) and of the old
  layout's CPU-path output (``bench.files``).
- **DuckDB**: the family's ``Profile.scans`` over both outputs vs one compacted file
  (``bench.scan``, one job process).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.files import file_stats
from bench.measure import run_job
from bench.profiles import PROFILES
from bench.targets import ratio

# --partition-by value -> whether its tables sit in Hive folders (partition columns in names)
LAYOUTS = {"table": False, "project": True}
DEFAULT_LAYOUT, OLD_LAYOUT = "table", "project"
SHAPE_RUNS = 3
CEILING = "ceiling"  # bench.ceiling's simple path, run beside each round of the CPU path
PER_CORE = "per_core"  # one CPU path per core at once, run beside each round
START_DELAY_S = 5.0  # time for side-by-side jobs to import before they start together
SCAN_REPEAT = 9


def cpu_paths(api: str, raw: str, work: Path, timeout: float, runs: int = SHAPE_RUNS
              ) -> dict[str, tuple[dict[str, Any], Path | None]]:
    """Per layout: the median CPU-path run (with every run's seconds) and where it wrote."""
    done: dict[str, list[tuple[dict[str, Any], Path]]] = {layout: [] for layout in LAYOUTS}
    done[CEILING] = []
    for n in range(runs):
        for layout in LAYOUTS:
            out = work / f"shape-{layout}-{n}"
            job = run_job("shape", {"api": api, "raw": raw, "output": str(out),
                                    "partition_by": layout}, timeout=timeout)
            done[layout].append((job, out))
        done[CEILING].append((run_job("ceiling", {"api": api, "raw": raw}, timeout=timeout),
                              work))
        if (cores := os.cpu_count() or 1) > 1:
            done.setdefault(PER_CORE, []).append(
                (per_core(api, raw, work / f"per-core-{n}", timeout, cores), work))
    return {layout: _median_run(layout, found) for layout, found in done.items()}


def per_core(api: str, raw: str, work: Path, timeout: float, cores: int) -> dict[str, Any]:
    """``cores`` CPU paths side by side (default layout), one process each, started together;
    records/s in all over the span from the first start to the last end."""
    start_at = time.time() + START_DELAY_S
    specs = [{"api": api, "raw": raw, "output": str(work / f"job-{k}"), "partition_by":
              DEFAULT_LAYOUT, "start_at": start_at} for k in range(cores)]
    with ThreadPoolExecutor(cores) as pool:
        jobs = list(pool.map(lambda spec: run_job("shape", spec, timeout=timeout), specs))
    failed = [job for job in jobs if "error" in job]
    if failed:
        return {"jobs": cores, "error": failed[0]["error"]}
    span = max(j["ended_at"] for j in jobs) - min(j["started_at"] for j in jobs)
    rows = sum(j["rows"] for j in jobs)
    return {"jobs": cores, "rows": rows, "seconds": round(span, 3),
            "records_per_s": round(rows / span) if span > 0 else None,
            "cpu_s": round(sum(j["cpu_s"] for j in jobs), 3),
            "each_records_per_s": [j["records_per_s"] for j in jobs],
            "late_start_s": round(max(j["started_at"] for j in jobs) - start_at, 3),
            "peak_rss_mb": max(j["peak_rss_mb"] for j in jobs),
            "peak_rss_mb_all": round(sum(j["peak_rss_mb"] for j in jobs), 1)}


def _median_run(layout: str, runs: list[tuple[dict[str, Any], Path]]
                ) -> tuple[dict[str, Any], Path | None]:
    failed = [job for job, _ in runs if "error" in job]
    if failed:
        return {**failed[0], **({"partition_by": layout} if layout in LAYOUTS else {})}, None
    ordered = sorted(runs, key=lambda run: run[0]["seconds"])
    job, out = ordered[len(ordered) // 2]
    cpu = [j["cpu_s"] for j, _ in runs]
    kind = {"partition_by": layout} if layout in LAYOUTS else {}
    return {**job, **kind, "runs_s": [j["seconds"] for j, _ in runs],
            "cpu_s": statistics.median(cpu), "cpu_runs_s": cpu}, out


def _files(outputs: dict[str, Path], api: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for layout, output in outputs.items():
        try:
            found[layout] = file_stats(output, api)
        except Exception as exc:  # a figure that cannot be taken is a result, not a crash
            found[layout] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
    return found


def _duckdb(api: str, outputs: dict[str, Path], timeout: float) -> dict[str, Any]:
    scans = PROFILES[api].scans
    if not scans:
        return {}
    spec = {"api": api, "repeat": SCAN_REPEAT,
            "scans": {table: [s.group_by, s.time] for table, s in scans.items()},
            "outputs": {layout: {"path": str(path), "hive": LAYOUTS[layout]}
                        for layout, path in outputs.items()}}
    job = run_job("scan", spec, timeout=timeout)
    return {"repeat": SCAN_REPEAT, "peak_rss_mb": job.get("peak_rss_mb"),
            **({"error": job["error"]} if "error" in job else {}),
            "layouts": job.get("layouts", {})}


def measure_lake(api: str, raw: str, ours: Path, work: Path, *, timeout: float,
                 runs: int = SHAPE_RUNS, say: Callable[[str], None] = print) -> dict[str, Any]:
    """``cpu_path`` (default layout), ``cpu_path_project``, ``cpu_path_speedup``, ``files``
    and ``duckdb``; ``ours`` is our export's output (the default layout)."""
    say(f"[{api}] CPU path: shape_from_raw over {raw}, both layouts x {runs} ...")
    paths = cpu_paths(api, raw, work, timeout, runs)
    default, _ = paths[DEFAULT_LAYOUT]
    old, old_output = paths[OLD_LAYOUT]
    outputs = {DEFAULT_LAYOUT: ours, **({OLD_LAYOUT: old_output} if old_output else {})}
    say(f"[{api}] files per table, DuckDB over {', '.join(outputs)} ...")
    ceiling, _ = paths[CEILING]
    cores = {"cpu_per_core": paths[PER_CORE][0]} if PER_CORE in paths else {}
    return {
        "cpu_path": default, f"cpu_path_{OLD_LAYOUT}": old, "cpu_ceiling": ceiling, **cores,
        "cpu_path_of_ceiling": ratio(default.get("records_per_s"),
                                     ceiling.get("records_per_s"), 2),
        "cpu_path_speedup": ratio(default.get("records_per_s"), old.get("records_per_s"), 2),
        "cpu_path_speedup_cpu_time": ratio(old.get("cpu_s"), default.get("cpu_s"), 2),
        "files": _files(outputs, api),
        "duckdb": _duckdb(api, outputs, timeout),
    }
