"""The human lines: one summary per exported account, one block per account in `status`."""

from __future__ import annotations

from typing import Any

from extract.export import ExportResult
from extract.summary import account_entry

NEXT_RUN = {"full": "full export",
            "incremental": "incremental (only what changed; --full for everything)"}


def summary_line(result: ExportResult, entry: dict[str, Any] | None = None) -> str:
    """The human one-line summary; an incremental run says what changed and what is stored."""
    m = result.manifest
    entry = entry or account_entry(m, result.tree, result.manifest_at)
    minimum = m.get("sandbox_minimum_requests")
    floor = f" (minimum {minimum:,})" if minimum else ""
    problems = [f"{len(m['failures'])} FAILED"] if m["failures"] else []
    if m.get("incomplete"):
        problems.append(f"{len(m['incomplete'])} tables incomplete")
    if m.get("shrink_refused"):
        problems.append(f"{len(m['shrink_refused'])} shrink refused")
    status = ", ".join(problems) or "ok"
    if m.get("rejects"):
        status += f", {sum(m['rejects'].values()):,} rows rejected (no key, see _rejects)"
    if m.get("mode") == "incremental":
        rows = (f"{_count(entry['rows_changed'], 'row')} changed in "
                f"{_count(entry['tables_changed'], 'table')}; "
                f"{entry['rows_stored']:,} rows stored")
    else:
        filled = sum(1 for t in entry["tables"].values() if t["rows_stored"])
        rows = f"{filled} tables, {entry['rows_stored']:,} rows stored"
    return (f"{m['api']} account {m['account']}: {status}, {rows}, "
            f"{entry['requests']:,} requests{floor}, {entry['not_modified']:,} not modified, "
            f"{entry['retries']:,} retries, {entry['throttled']:,} throttled (429/503), "
            f"{m['seconds']:.1f}s -> {result.tree.shown}")


def failure_line(result: ExportResult) -> str:
    """The one line a run with failed units or refused shrinks ends with (exit 7)."""
    failures = result.manifest["failures"]
    refused = result.manifest.get("shrink_refused") or []
    parts = []
    if failures:
        parts.append(f"{len(failures)} unit(s) failed, first: {failures[0]['endpoint']} "
                     f"{failures[0]['url']}: {failures[0]['error']}; what succeeded was "
                     "stored, stored rows of what failed were kept")
    if refused:
        first = refused[0]
        names = ",".join(sorted({r["table"] for r in refused}))
        parts.append(f"{len(refused)} shrink(s) refused, first: {first['table']} would go "
                     f"from {first['before']:,} to {first['after']:,} rows; the stored rows "
                     f"were kept; re-run with --allow-shrink={names} if the deletion is real")
    return "; ".join(parts) + f"; see {result.manifest_at}"


def status_lines(entry: dict[str, Any]) -> list[str]:
    """The human `status` block of one account, from its JSON entry."""
    lines = [f"{entry['api']} {entry['account_dir']}"]
    if entry["state_error"]:
        return [*lines, f"  state:      {entry['state_error']}"]
    last, attempt = entry["last_run"], entry["last_attempt"]
    failed = attempt is not None and attempt["status"] != "ok" and (
        last is None or attempt["run_id"] != last.get("run_id"))
    if last:
        lines.append(f"  last run:   {last.get('mode', '-')} {last.get('started_at', '-')}, "
                     f"{_number(last.get('requests', 0))} requests, "
                     f"{_number(last.get('rows', 0))} rows written")
    elif failed:
        lines.append(f"  last run:   no successful run yet; last attempt failed "
                     f"({_attempt_problems(attempt)}; see manifest {attempt['manifest']})")
    else:
        lines.append("  last run:   no successful run yet")
    if last and failed:
        lines.append(f"  last try:   failed {attempt['started_at']} "
                     f"({_attempt_problems(attempt)}; see manifest {attempt['manifest']})")
    lines.append(f"  last full:  {entry['last_full'] or '-'}")
    for mark in entry["bookmarks"]:
        lines.append(f"  bookmark:   {mark['name']} since {mark['since']}"
                     + (f" (cannot be used: {mark['problem']})" if mark["problem"] else ""))
    nxt = entry["next_run"]
    if nxt["mode"] == "resume":
        text = (f"resume: {nxt['resumed_units']} completed unit(s) are read from disk, "
                "the rest fetched")
    else:
        text = NEXT_RUN[nxt["mode"]]
    lines.append(f"  next run:   {text}")
    return lines


def _attempt_problems(attempt: dict[str, Any]) -> str:
    parts = []
    if attempt["failures"]:
        parts.append(f"{attempt['failures']} unit(s) failed")
    if attempt["shrink_refused"]:
        parts.append(f"{attempt['shrink_refused']} shrink(s) refused")
    return ", ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)
