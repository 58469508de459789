"""One measured job, run in its own process: ``python -m bench.jobs SPEC.json RESULT.json``.

Kinds:

- ``export``: our ``run_export`` against the sandbox (client limiter scaled with the server's);
- ``shape``: ``shape_from_raw`` over a ``--keep-raw`` spool (the run journal's page format)
  into a given output and layout, the CPU path alone (wall and CPU time around the call;
  ``start_at``, a wall-clock time, lines up jobs run side by side);
- ``ceiling``: the best simple ceiling over the same spool (``bench.ceiling``);
- ``scan``: DuckDB over an export's files vs the same rows in one file (``bench.scan``);
- ``dlt``: dlt's ``rest_api`` source into duckdb (``bench.peers.run_dlt``);
- ``sdk``: the official ``basecamp-sdk`` listing loops (``bench.peers.run_sdk``).

The result JSON always carries ``ru_maxrss_kb`` (this process's RSS high-water mark, which
``bench.measure`` folds into the tree peak) and, on failure, ``error`` instead of crashing.
Each job imports what it needs when it runs: the process tunes its allocators first (as the
CLI entry does), and a job never pays for another's libraries (dlt, the SDK).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any


def _scaled_family(api: str, time_scale: float) -> None:
    """Scale the family's per-endpoint group limits (Backpack calendars) like its main limit.

    ``ExportConfig.rate_limit`` carries only the main limit; the group limits come from the
    family table, so this job process swaps in a scaled copy (no file of the project changes).
    """
    if time_scale == 1:
        return
    from extract import families
    from extract.http import RateLimit

    fam = families.FAMILIES[api]
    if fam.group_rates:
        scaled = {k: RateLimit(v.requests, v.seconds / time_scale)
                  for k, v in fam.group_rates.items()}
        families.FAMILIES[api] = replace(fam, group_rates=scaled)


def export(spec: dict[str, Any]) -> dict[str, Any]:
    from extract.config import ExportConfig
    from extract.export import run_export
    from extract.families.bc4.grant import Grant
    from extract.families.bc4.oauth import Tokens
    from extract.http import Credentials, RateLimit

    api = spec["api"]
    _scaled_family(api, spec["time_scale"])
    creds = spec["credentials"]
    values: dict[str, Any] = {
        "account_id": spec["account"], "base_url": spec["base_url"],
        "user_agent": spec["user_agent"], "output": Path(spec["output"]), "api": api,
        "workers": spec["workers"], "keep_raw": spec["keep_raw"],
        "rate_limit": RateLimit(*spec["rate_limit"]) if spec["rate_limit"] else None,
    }
    if creds["login"] == "oauth":
        values.update(credentials=Credentials(), grant=Grant(Tokens(creds["token"])))
    elif creds["login"] == "token":
        values.update(credentials=Credentials(token=creds["token"]))
    else:
        values.update(credentials=Credentials(username=creds["username"],
                                              password=creds["password"]))
    started = time.monotonic()
    result = run_export(ExportConfig(**values))
    seconds = time.monotonic() - started
    m = result.manifest
    return {
        "seconds": round(seconds, 3),
        "manifest_seconds": m["seconds"],
        "http": m["http"],
        "tables": {name: t["rows"] for name, t in m["tables"].items()},
        "rows": sum(t["rows"] for t in m["tables"].values()),
        "failures": len(m["failures"]),
        "warnings": len(m["warnings"]),
        "count_mismatches": len(m["count_mismatches"]),
        "raw": m["raw"],
    }


def shape(spec: dict[str, Any]) -> dict[str, Any]:
    """The CPU path into ``spec["output"]`` in the layout ``spec["partition_by"]`` names."""
    from extract.export import shape_from_raw

    raw, out = Path(spec["raw"]), Path(spec["output"])
    pages = len(list(raw.glob("*.json")))
    if spec.get("start_at"):  # jobs run side by side start together, after their imports
        time.sleep(max(0.0, spec["start_at"] - time.time()))
    started_at = time.time()
    started, cpu_started = time.monotonic(), time.process_time()
    written = shape_from_raw(raw, out, spec["api"], partition_by=spec["partition_by"])
    seconds, cpu_s = time.monotonic() - started, time.process_time() - cpu_started
    rows = sum(t["rows"] for t in written.values())
    return {"seconds": round(seconds, 3), "cpu_s": round(cpu_s, 3), "rows": rows,
            "pages": pages, "records_per_s": round(rows / seconds) if seconds > 0 else None,
            "started_at": started_at, "ended_at": started_at + seconds}


def ceiling(spec: dict[str, Any]) -> dict[str, Any]:
    """The best simple ceiling over the same spool (``bench.ceiling``)."""
    from bench.ceiling import simple_ceiling

    with tempfile.TemporaryDirectory(prefix="bench-ceiling-") as work:
        return simple_ceiling(Path(spec["raw"]), Path(work), spec["api"])


def scan(spec: dict[str, Any]) -> dict[str, Any]:
    from bench.scan import scan_layouts

    with tempfile.TemporaryDirectory(prefix="bench-scan-") as work:
        return {"layouts": scan_layouts(spec, Path(work))}


def dlt(spec: dict[str, Any]) -> dict[str, Any]:
    from bench.peers import run_dlt

    with tempfile.TemporaryDirectory(prefix="bench-dlt-") as work:
        started = time.monotonic()
        found = run_dlt(spec["api"], spec, work)
        found["seconds"] = round(time.monotonic() - started, 3)
        return found


def sdk(spec: dict[str, Any]) -> dict[str, Any]:
    from bench.peers import run_sdk

    started = time.monotonic()
    found = run_sdk(spec)
    found["seconds"] = round(time.monotonic() - started, 3)
    return found


JOBS = {"export": export, "shape": shape, "ceiling": ceiling, "scan": scan, "dlt": dlt,
        "sdk": sdk}


def main(argv: list[str]) -> int:
    spec_path, result_path = Path(argv[0]), Path(argv[1])
    spec = json.loads(spec_path.read_text())
    # dlt phones home unless told not to; the bench must not touch the network.
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("DLT_DATA_DIR", str(spec_path.parent / "dlt-data"))
    try:
        result = JOBS[spec["kind"]](spec)
        code = 0
    except Exception as exc:  # a failing job is a result, not a crash of the bench
        result = {"error": f"{type(exc).__name__}: {exc}"[:2000],
                  "traceback": traceback.format_exc()[-4000:]}
        code = 1
    result["ru_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result_path.write_text(json.dumps(result, default=str))
    return code


if __name__ == "__main__":
    from extract.memory import tune

    tune()  # as the CLI entry point does, before any job imports pyarrow
    raise SystemExit(main(sys.argv[1:]))
