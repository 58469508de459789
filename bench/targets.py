"""The targets a bench result is judged against: reported, never enforced.

Each target is judged only where it applies (a size, or a family whose ``Profile`` says so);
elsewhere ``met`` is None and a note says why.
"""

from __future__ import annotations

from typing import Any

from bench.profiles import PROFILES

# name -> (target, comparison, description)
TARGETS = {
    "efficiency_pct": (90.0, ">=", "wall time within 90% of the rate-limit floor (bc2, bc4)"),
    "requests_vs_minimum": (1.05, "<=", "requests <= 1.05 x the sandbox oracle's minimum"),
    "walk_over_ours": (10.0, ">=", "bc4: >= 10x fewer requests than a peer's container walk"),
    "records_per_s": (50_000, ">=", "CPU path (shape_from_raw) at size large: >= 50,000 "
                                    "records/s (bc2, bc4), >= 100,000 (backpack)"),
    "records_per_s_per_core": (50_000, ">=", "one CPU path per core at once (a fleet's "
                                             "workers), records/s in all, at size large: the "
                                             "same targets"),
    "cpu_peak_rss_mb": (300.0, "<=", "peak RSS of the CPU path <= 300 MB at size large"),
    "peak_rss_mb": (300.0, "<=", "peak RSS of our export <= 300 MB at size large"),
    "rerun_pct": (1.0, "<=", "re-run with nothing changed <= 1% of the full run's requests"),
    "rows_per_file": (1_000, ">=", "median rows per file >= 1,000 in every table of >= 1,000 "
                                   "rows (our export, default layout)"),
    "duckdb_ratio": (1.5, "<=", "DuckDB over the export's files within 1.5x of the same rows "
                                "in one file (worst query, default layout)"),
    "cpu_speedup": (3.0, ">=", "CPU path, default layout >= 3x the old layout "
                               "(--partition-by project)"),
}


def ratio(a: float | None, b: float | None, digits: int = 3) -> float | None:
    if a is None or not b:
        return None
    return round(a / b, digits)


def check(name: str, value: float | None, applies: bool = True,
          note: str | None = None, target: float | None = None) -> dict[str, Any]:
    default, op, what = TARGETS[name]
    target = default if target is None else target
    met = None
    if value is not None and applies:
        met = value >= target if op == ">=" else value <= target
    found = {"value": value, "target": f"{op} {target:g}", "met": met, "what": what}
    if note:
        found["note"] = note
    return found


def _only_at(size: str, sizes: tuple[str, ...]) -> str | None:
    return None if size in sizes else f"judged only at size {' and '.join(sizes)}"


def targets(api: str, size: str, out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    ours, rerun, cpu = out.get("ours", {}), out.get("rerun", {}), out.get("cpu_path", {})
    found = {
        "requests_vs_minimum": check("requests_vs_minimum", ours.get("requests_vs_minimum")),
        "records_per_s": check("records_per_s", cpu.get("records_per_s"), size == "large",
                               _only_at(size, ("large",)), PROFILES[api].cpu_records_per_s),
        "cpu_peak_rss_mb": check("cpu_peak_rss_mb", cpu.get("peak_rss_mb"), size == "large",
                                 _only_at(size, ("large",))),
        "records_per_s_per_core": check(
            "records_per_s_per_core", out.get("cpu_per_core", {}).get("records_per_s"),
            size == "large", _only_at(size, ("large",)), PROFILES[api].cpu_records_per_s),
        "rerun_pct": check("rerun_pct", rerun.get("requests_pct_of_full")),
        "peak_rss_mb": check("peak_rss_mb", ours.get("peak_rss_mb"), size == "large",
                             _only_at(size, ("large",))),
    }
    if PROFILES[api].judge_efficiency:
        found["efficiency_pct"] = check(
            "efficiency_pct", ours.get("efficiency_pct"), size == "default",
            _only_at(size, ("default",)))
    if PROFILES[api].judge_walk:
        walks = [p["requests"] for p in out.get("peers", {}).values()
                 if "error" not in p and p.get("requests")]
        found["walk_over_ours"] = check(
            "walk_over_ours", ratio(max(walks), ours.get("requests"), 2) if walks else None,
            note=None if walks else "no peer ran")
    return found | lake_targets(api, size, out)


def lake_targets(api: str, size: str, out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Issue 14's figures: rows per file, DuckDB over many files, the CPU path's speed-up."""
    files = out.get("files", {}).get("table", {})
    big = files.get("worst_big_table_median")
    found = {
        "rows_per_file": check(
            "rows_per_file", big, size in ("default", "large"),
            _only_at(size, ("default", "large")) if files.get("big_tables", 1)
            else "no table has 1,000 rows"),
    }
    scanned = out.get("duckdb", {}).get("layouts", {}).get("table", {})
    ratios = [q["ratio"] for table in scanned.values() for q in table.values()
              if isinstance(q, dict) and q.get("ratio") is not None]
    if PROFILES[api].scans:
        found["duckdb_ratio"] = check("duckdb_ratio", max(ratios) if ratios else None,
                                      size == "large", _only_at(size, ("large",)))
    if PROFILES[api].judge_cpu_speedup:
        found["cpu_speedup"] = check("cpu_speedup", out.get("cpu_path_speedup"),
                                     size == "default", _only_at(size, ("default",)))
    return found
