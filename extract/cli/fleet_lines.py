"""The human lines of a fleet: progress as accounts finish, a summary per account, the total."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from extract.cli.fleet.task import FAILED, OK, Record


def account_line(record: Record) -> str:
    """``acme (bc2 999): ok, 785 rows, 160 requests, 0.9s`` or the failure and its exit code."""
    who = f"{record['name']} ({record['family']} {record['account'] or '-'})"
    figures = (f"{record['rows']:,} rows, {record['requests'] or 0:,} requests, "
               f"{record['seconds']:.1f}s")
    if record["status"] == OK:
        return f"{who}: ok, {figures}"
    return f"{who}: FAILED (exit {record['exit_code']}), {figures}: {record.get('error')}"


def progress_line(record: Record, finished: Sequence[Record], total: int) -> str:
    """One line per account as it finishes, with the fleet's counts so far."""
    failed = sum(1 for r in finished if r["status"] == FAILED)
    return (f"[{len(finished)}/{total}] {account_line(record)} "
            f"(done {len(finished) - failed}, failed {failed}, "
            f"running {total - len(finished)})")


def total_line(document: dict[str, Any], where: str) -> str:
    count = len(document["accounts"])
    return (f"fleet {document['run_id']}: {document['ok']} ok, {document['failed']} failed of "
            f"{count} account{'s' if count != 1 else ''}, {document['rows']:,} rows, "
            f"{document['requests']:,} requests, {document['seconds']:.1f}s -> {where}")


def status_header(name: str, record: Record | None, entry_family: str) -> str:
    """The first line of an account in ``status --accounts``: its latest fleet verdict."""
    if record is None:
        return f"{name} ({entry_family}): not in any fleet run yet"
    head = f"{name} ({record['family']} {record['account'] or '-'})"
    verdict = "ok" if record["status"] == OK else \
        f"FAILED (exit {record['exit_code']}): {record.get('error')}"
    return f"{head}: fleet run {record['fleet_run']}: {verdict}"
