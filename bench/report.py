"""Plain-text tables of a bench result (what ``python -m bench`` prints)."""

from __future__ import annotations

from typing import Any


def _fmt(value: Any, spec: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float | int) and spec:
        return format(value, spec)
    return str(value)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    last = len(headers) - 1

    def cells(row: list[str]) -> str:
        # names (first two) and the free-text last column left, numbers right
        return "  ".join(c.ljust(w) if i < 2 or i == last else c.rjust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    body = [cells(row) for row in rows]
    line = cells(headers)
    return [line, "-" * max(len(x) for x in [line, *body]), *body]


def render(result: dict[str, Any]) -> str:
    s = result["settings"]
    lines = [
        f"bench: size={s['size']} seed={s['seed']} time-scale={s['time_scale']:g} "
        f"latency={s['latency_s']:g}s (sandbox {s['sandbox_latency_s']:g}s) "
        f"peers={'on' if s['peers'] else 'off'} workers={s['workers']} "
        f"({result.get('seconds', 0):.0f}s in all)",
        "",
    ]
    apis = result["apis"]
    if apis:  # none when only the fleet section ran
        lines += _runs(apis)
        lines += _ratios(apis)
        lines += _coverage(apis)
        lines += _files(apis)
        lines += _duckdb(apis)
        lines += _targets(apis)
    lines += _fleet(result.get("fleet"))
    return "\n".join(lines)


def _fleet(fleet: dict[str, Any] | None) -> list[str]:
    """One line per fleet configuration, the floor beside each (issue 16)."""
    if not fleet:
        return []
    rows = []
    for r in fleet["runs"]:
        busiest = ", ".join(f"{k} {v}" for k, v in sorted(r["busiest_window"].items()))
        speedup = fleet["speedups"].get(f"{r['api']} {r['workers']}w/{r['hosts']}h")
        note = r.get("error", "")[:60] or (
            f"account median {_fmt(r.get('account_seconds_median'), '.1f')} s; "
            f"busiest window: {busiest or '-'}")
        rows.append([r["api"], f"{r['workers']}w/{r['hosts']}h", f"{r['ok']}/{r['accounts']}",
                     _fmt(r["accounts_per_hour"], ",.0f"), _fmt(speedup, ".2f"),
                     _fmt(r["requests"]), _fmt(r["requests_per_s"], ".1f"),
                     _fmt(r["wall_s"], ".1f"), _fmt(r["floor_s"], ".1f"),
                     _fmt(r["efficiency_pct"], ".0f"), _fmt(r["throttled_429"]),
                     f"{r['limit'][0]}/{r['limit'][1]:g}s per {r['limit_per']}",
                     _fmt(r["within_limit"]), note])
    s = fleet["settings"]
    return ["", f"fleet (Dask workers as simulated hosts; time-scale {s['time_scale']:g}, "
                f"{s['size']} accounts; accounts/hour in scaled time; floor = requests / "
                f"(limit x budgets spent at once))",
            *_table(["api", "run", "ok", "acct/h", "x one", "requests", "req/s", "wall s",
                     "floor s", "eff %", "429", "limit", "within", "notes"], rows)]


def _runs(apis: dict[str, Any]) -> list[str]:
    """Per family: our run, its re-run, the CPU path, then each peer."""
    runs: list[list[str]] = []
    for api, out in apis.items():
        ours, rerun, cpu = out.get("ours", {}), out.get("rerun", {}), out.get("cpu_path", {})
        runs.append(_run_row(api, "ours", ours, ours.get("minimum_requests")))
        rerun_note = (f"{_fmt(rerun.get('requests_pct_of_full'))}% of full requests, "
                      f"{_fmt(rerun.get('not_modified'))} x 304"
                      if "error" not in rerun else "ERROR " + rerun["error"][:60])
        runs.append([api, "re-run", _fmt(rerun.get("requests")), "-", "-",
                     _fmt(rerun.get("seconds"), ".1f"), "-", "-",
                     _fmt(rerun.get("throttled_429")), _fmt(rerun.get("unavailable_503")),
                     _fmt(rerun.get("retries")), _fmt(rerun.get("peak_rss_mb"), ".0f"),
                     rerun_note])
        runs.append(_cpu_row(api, "cpu path", cpu, ""))
        if "cpu_ceiling" in out:
            share = (f"; cpu path = {_fmt(out.get('cpu_path_of_ceiling'))}x this; "
                     f"skipped {', '.join(out['cpu_ceiling'].get('skipped', [])) or 'none'}")
            runs.append(_cpu_row(api, "cpu ceiling", out["cpu_ceiling"], share))
        if "cpu_per_core" in out:
            runs.append(_per_core_row(api, out["cpu_per_core"]))
        if "cpu_path_project" in out:
            speedup = (f"; default layout: {_fmt(out.get('cpu_path_speedup'))}x this rec/s, "
                       f"{_fmt(out.get('cpu_path_speedup_cpu_time'))}x in CPU time")
            runs.append(_cpu_row(api, "cpu (project)", out["cpu_path_project"], speedup))
        for peer, found in out.get("peers", {}).items():
            runs.append(_run_row(api, peer, found, found.get("minimum_requests")))
    return _table(["api", "run", "requests", "minimum", "req/min", "seconds", "floor s",
                   "eff %", "429", "503", "retries", "rss MB", "notes"], runs)


def _per_core_row(api: str, cores: dict[str, Any]) -> list[str]:
    """One CPU path per core at once: records/s in all, each job's, peak RSS per job."""
    each = "/".join(_fmt(r, ",") for r in cores.get("each_records_per_s", []))
    extra = (f"; {cores.get('jobs')} jobs at once, each {each} rec/s, "
             f"peak RSS {_fmt(cores.get('peak_rss_mb'), '.0f')} MB per job "
             f"({_fmt(cores.get('peak_rss_mb_all'), '.0f')} MB in all)")
    return _cpu_row(api, f"cpu x{cores.get('jobs')} at once", cores, extra)


def _cpu_row(api: str, name: str, cpu: dict[str, Any], extra: str) -> list[str]:
    """One CPU-path line: its layout's median run (seconds of every run in the notes)."""
    if "error" in cpu:
        note = "ERROR " + cpu["error"][:60]
    else:
        runs = "/".join(_fmt(s, ".2f") for s in cpu.get("runs_s", []))
        count = cpu.get("rows", cpu.get("records"))
        note = (f"{_fmt(count, ',')} {'rows' if 'rows' in cpu else 'records'}, "
                f"{_fmt(cpu.get('records_per_s'), ',')} "
                f"rec/s (runs {runs or '-'} s, CPU {_fmt(cpu.get('cpu_s'), '.2f')} s){extra}")
    return [api, name, "-", "-", "-", _fmt(cpu.get("seconds"), ".2f"), "-", "-", "-", "-", "-",
            _fmt(cpu.get("peak_rss_mb"), ".0f"), note]


def _files(apis: dict[str, Any]) -> list[str]:
    """Files per table and rows per file, per family and layout, with the worst big tables."""
    rows = []
    for api, out in apis.items():
        for layout, f in out.get("files", {}).items():
            if "error" in f:
                rows.append([api, layout, *["-"] * 5, "ERROR " + f["error"][:60]])
                continue
            worst = ", ".join(f"{w['table']} {_fmt(w['median_rows_per_file'], 'g')}/"
                              f"{w['files']}" for w in f["worst"])
            rows.append([api, layout, _fmt(f["files"], ","), _fmt(f["rows"], ","),
                         _fmt(f["median_rows_per_file"], "g"),
                         _fmt(f["median_rows_per_file_big_tables"], "g"),
                         _fmt(f["files_under_10_rows_pct"], ".1f"), worst or "-"])
    if not rows:
        return []
    return ["", "files and rows per file (median; big = tables of >= 1,000 rows; worst big "
                "tables as table median/files)",
            *_table(["api", "layout", "files", "rows", "median", "median big", "<10 rows %",
                     "worst big tables"], rows)]


def _duckdb(apis: dict[str, Any]) -> list[str]:
    """DuckDB over each layout's files vs the same rows in one file (median ms)."""
    rows = []
    for api, out in apis.items():
        scanned = out.get("duckdb", {})
        if "error" in scanned:
            rows.append([api, "-", "-", "-", "-", "-", "-", "-", "ERROR " + scanned["error"][:60]])
        for layout, tables in scanned.get("layouts", {}).items():
            for table, found in tables.items():
                rows += _scan_rows(api, layout, table, found)
    if not rows:
        return []
    return ["", "DuckDB read_parquet: the export's files vs one compacted file (median ms; "
                "ratio = files / one file)",
            *_table(["api", "layout", "table", "query", "files", "files ms", "1 file ms",
                     "ratio", "same answer"], rows)]


def _scan_rows(api: str, layout: str, table: str, found: dict[str, Any]) -> list[list[str]]:
    if "error" in found:
        return [[api, layout, table, "-", "-", "-", "-", "-", "ERROR " + found["error"][:60]]]
    return [[api, layout, table, query, _fmt(found["files"]), _fmt(q["files_ms"], ".2f"),
             _fmt(q["one_file_ms"], ".2f"), _fmt(q["ratio"], ".2f"), _fmt(q["same_answer"])]
            for query, q in found.items() if isinstance(q, dict)]


def _ratios(apis: dict[str, Any]) -> list[str]:
    ratios = []
    for api, out in apis.items():
        for peer, found in out.get("peers", {}).items():
            r = found.get("ratios_ours_over_theirs") or {}
            ratios.append([api, peer, _fmt(r.get("requests"), ".3f"), _fmt(r.get("seconds"), ".3f"),
                           _fmt(r.get("peak_rss"), ".3f"),
                           _fmt((found.get("error") or "")[:80] or None)])
    if not ratios:
        return []
    return ["", "ours / theirs (lower is better for us)",
            *_table(["api", "peer", "requests", "seconds", "peak RSS", "error"], ratios)]


def _coverage(apis: dict[str, Any]) -> list[str]:
    cover = []
    for api, out in apis.items():
        peers = list(out.get("peers", {}))
        for name, row in out.get("coverage", {}).items():
            cells = [api, name, _fmt(row.get("truth")), _mark(row.get("ours"), row.get("truth"))]
            cells.append(", ".join(f"{p} {_mark(row.get(p), row.get('truth'))}" for p in peers)
                         or "-")
            cover.append(cells)
    if not cover:
        return []
    return ["", "rows per table vs the sandbox's truth (* = differs)",
            *_table(["api", "table", "truth", "ours", "peers"], cover)]


def _targets(apis: dict[str, Any]) -> list[str]:
    checks = []
    for api, out in apis.items():
        for name, t in out.get("targets", {}).items():
            met = {True: "met", False: "MISSED", None: "n/a"}[t["met"]]
            checks.append([api, name, _fmt(t["value"]), t["target"], met, t.get("note", "")])
    return ["", "targets (reported, never enforced)",
            *_table(["api", "target", "value", "wanted", "result", "note"], checks)]


def _mark(value: Any, truth: Any) -> str:
    if value is None:
        return "-"
    return f"{value}{'' if value == truth else '*'}"


def _run_row(api: str, name: str, found: dict[str, Any], minimum: Any) -> list[str]:
    if "requests" not in found and "error" in found:
        return [api, name, "-", "-", "-", "-", "-", "-", "-", "-", "-",
                _fmt(found.get("peak_rss_mb"), ".0f"), "ERROR " + found["error"][:60]]
    notes = f"{_fmt(found.get('rows'), ',')} rows" if "rows" in found else ""
    if "rows_by_truth_table" in found:
        notes = (f"{sum(found['tables'].values()):,} rows in {len(found['tables'])} tables "
                 f"({sum(found['rows_by_truth_table'].values()):,} in truth tables)")
    if found.get("error"):
        notes = "ERROR " + found["error"][:60]
    req_min = found.get("requests_vs_minimum")
    if req_min is None and minimum:
        req_min = round(found["requests"] / minimum, 3)
    return [api, name, _fmt(found.get("requests")), _fmt(minimum), _fmt(req_min, ".3f"),
            _fmt(found.get("seconds"), ".1f"), _fmt(found.get("floor_s"), ".1f"),
            _fmt(found.get("efficiency_pct"), ".1f"), _fmt(found.get("throttled_429")),
            _fmt(found.get("unavailable_503")), _fmt(found.get("retries")),
            _fmt(found.get("peak_rss_mb"), ".0f"), notes]
