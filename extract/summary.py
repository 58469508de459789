"""What a run and the stored state amount to, as plain dicts: the ``--json`` documents.

Both documents are versioned (``"version": 1``) and described by JSON Schemas shipped next to
this module (``extract/schemas/export-v1.json``, ``status-v1.json``), so a scheduler can rely
on their shape; the human summary and ``status`` lines are drawn from the same dicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from extract.config import default_work_dir
from extract.families import FAMILIES, family
from extract.journal import pending
from transforms.errors import PartialExportError
from transforms.store.layout import account_files
from transforms.store.manifest import FOLDER, LATEST, Manifest, ok
from transforms.store.state import DamagedState, load_state
from transforms.tree import Tree

VERSION = 1
SCHEMAS = Path(__file__).with_name("schemas")
OK, PARTIAL, FAILED = "ok", "partial", "failed"


def schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one document: ``export`` or ``status``."""
    return json.loads((SCHEMAS / f"{name}-v{VERSION}.json").read_text())


def stored_rows(output: Tree, api: str, table: str, account: Any) -> int:
    """Rows of one account's table in the store, from the Parquet footers (no data is read)."""
    column = family(api).account_column
    total = 0
    for parts in account_files(output, api, table, column, account):
        with output.fs.open_input_file(output.path(*parts)) as handle:
            total += pq.read_metadata(handle).num_rows
    return total


def account_entry(manifest: Manifest, output: Tree, manifest_at: str) -> dict[str, Any]:
    """One account's export figures from its manifest; rows stored are read from the store
    unless the manifest has them (an incremental fold records the table's total)."""
    api = manifest["api"]
    tables: dict[str, dict[str, Any]] = {}
    for name, written in sorted(manifest["tables"].items()):
        total = written.get("total_rows")
        tables[name] = {
            "rows_changed": written.get("rows", 0),
            "rows_stored": total if isinstance(total, int) else
            stored_rows(output, api, name, manifest["account"]),
            "shrink_refused": bool(written.get("shrink_refused")),
            "incomplete": name in (manifest.get("incomplete") or {}),
        }
    http = manifest["http"]
    partial = not ok(manifest)
    return {
        "api": api,
        "account": manifest["account"],
        "status": PARTIAL if partial else OK,
        "exit_code": PartialExportError.exit_code if partial else 0,
        "error": None,
        "run_id": manifest["run_id"],
        "mode": manifest.get("mode"),
        "started_at": manifest["started_at"],
        "finished_at": manifest["finished_at"],
        "seconds": manifest["seconds"],
        "tables": tables,
        "tables_changed": sum(1 for t in tables.values() if t["rows_changed"]),
        "rows_changed": sum(t["rows_changed"] for t in tables.values()),
        "rows_stored": sum(t["rows_stored"] for t in tables.values()),
        "requests": http["requests"],
        "not_modified": http["not_modified"],
        "retries": http["retries"],
        "throttled": http["throttled_429"] + http["unavailable_503"],
        "failures": [{"endpoint": f["endpoint"], "url": f["url"], "error": f["error"]}
                     for f in manifest["failures"]],
        "warnings": list(manifest.get("warnings") or []),
        "shrink_refused": list(manifest.get("shrink_refused") or []),
        "incomplete": sorted(manifest.get("incomplete") or {}),
        "not_written": list(manifest.get("not_written") or []),
        "rejected_rows": sum((manifest.get("rejects") or {}).values()),
        "manifest": manifest_at,
    }


def failed_entry(api: str | None, account: Any, exit_code: int, error: str) -> dict[str, Any]:
    """An account whose export stopped with an error before it wrote a manifest."""
    return {"api": api, "account": account, "status": FAILED, "exit_code": exit_code,
            "error": error, "run_id": None, "mode": None, "started_at": None,
            "finished_at": None, "seconds": None, "tables": {}, "tables_changed": 0,
            "rows_changed": 0, "rows_stored": 0, "requests": None, "not_modified": None,
            "retries": None, "throttled": None, "failures": [], "warnings": [],
            "shrink_refused": [], "incomplete": [], "not_written": [], "rejected_rows": 0,
            "manifest": None}


def export_document(accounts: Iterable[dict[str, Any]], command: str = "export",
                    error: str | None = None, exit_code: int | None = None) -> dict[str, Any]:
    """The whole ``export --json`` answer: every account, the worst status, the exit code."""
    accounts = list(accounts)
    if exit_code is None:
        exit_code = max((a["exit_code"] for a in accounts), default=0)
    status = FAILED if error or any(a["status"] == FAILED for a in accounts) else \
        PARTIAL if any(a["status"] == PARTIAL for a in accounts) else OK
    return {"version": VERSION, "command": command, "status": status, "exit_code": exit_code,
            "error": error, "accounts": accounts}


def status_document(output: Tree) -> dict[str, Any]:
    """Per API and account: the last successful run, the last attempt, bookmarks, next run."""
    return {"version": VERSION, "command": "status", "output": output.shown,
            "accounts": [status_entry(output, api, account)
                         for api in sorted(FAMILIES) for account in _accounts(output, api)]}


def status_entry(output: Tree, api: str, account: str) -> dict[str, Any]:
    """What ``status`` knows of one account folder (``account_id=123``, ``account=name``)."""
    fam = family(api)
    name = account.partition("=")[2]
    number = fam.account_column == "account_id" and name.isdigit()
    entry: dict[str, Any] = {"api": api, "account": int(name) if number else name,
                             "account_dir": account, "state_error": None, "last_run": None,
                             "last_full": None, "last_attempt": _last_attempt(output, api,
                                                                              account),
                             "bookmarks": [], "next_run": None}
    try:
        # A StoredFile reads like a Path, from a local folder or an object store alike.
        state = load_state(output.file(api, "_state", f"{account}.json"))
    except DamagedState as exc:
        entry["state_error"] = exc.one_line()
        return entry
    if state is not None:
        entry["last_run"] = dict(state.last_run) or None
        entry["last_full"] = state.last_full
    feed = fam.feed() if fam.feed is not None else None
    usable = False
    for name, mark in (state.bookmarks if state else {}).items():
        problem = feed.check(mark) if feed is not None and name == feed.name else None
        usable |= feed is not None and name == feed.name and not problem
        entry["bookmarks"].append({"name": name,
                                   "since": mark.get("since") if isinstance(mark, dict) else mark,
                                   "problem": problem})
    waiting = _pending(output, api, account)
    mode = "resume" if waiting else "incremental" if usable else "full"
    entry["next_run"] = {"mode": mode, "resumed_units": waiting}
    return entry


def _pending(output: Tree, api: str, account: str) -> int:
    """Units an interrupted run completed, from the journal in the output's default work dir
    (the output itself when it is local; see ``extract.config.default_work_dir``)."""
    return pending(default_work_dir(output) / api / "_runs" / account)


def _last_attempt(output: Tree, api: str, account: str) -> dict[str, Any] | None:
    """The latest manifest's verdict, or None when no run got as far as writing one."""
    try:
        manifest = json.loads(output.read_text(api, FOLDER, account, LATEST))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or "run_id" not in manifest:
        return None
    failures = manifest.get("failures") or []
    refused = manifest.get("shrink_refused") or []
    return {"run_id": manifest["run_id"], "mode": manifest.get("mode"),
            "started_at": manifest.get("started_at"),
            "status": PARTIAL if failures or refused else OK,
            "failures": len(failures), "shrink_refused": len(refused),
            "manifest": output.show(api, FOLDER, account, f"{manifest['run_id']}.json")}


def _accounts(output: Tree, api: str) -> list[str]:
    """Account folders with a state file, an interrupted run or a manifest."""
    found = {name.removesuffix(".json") for name in output.files(api, "_state")
             if name.endswith(".json")}
    for folder in ("_runs", FOLDER):
        found |= {name for name in output.dirs(api, folder) if "=" in name}
    return sorted(found)
