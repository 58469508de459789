"""The fleet's document: every account's record and the totals, kept as
``<output>/_fleet/<run_id>.json`` (through ``transforms.tree``, so ``s3://`` works too).

Run ids start with their UTC start time, so the latest fleet manifest is the last by name;
``--retry-failed`` and ``status --accounts`` read them back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from extract.cli.fleet.task import FAILED, OK, Record
from transforms.errors import ConfigError
from transforms.tree import Tree

FOLDER = "_fleet"
VERSION = 1
Document = dict[str, Any]


def fleet_document(run_id: str, output: Tree, records: Sequence[Record], seconds: float,
                   retry_of: str | None = None) -> Document:
    """The one document of a fleet run (``--json`` prints it, the output keeps it)."""
    document: Document = {
        "version": VERSION, "run_id": run_id, "output": output.shown,
        "accounts": list(records),
        "ok": sum(1 for r in records if r["status"] == OK),
        "failed": sum(1 for r in records if r["status"] == FAILED),
        "rows": sum(r["rows"] for r in records),
        "requests": sum(r["requests"] or 0 for r in records),
        "seconds": round(seconds, 3),
    }
    if retry_of:
        document["retry_of"] = retry_of
    return document


def write_fleet(output: Tree, document: Document) -> str:
    """Keep the document in the output; where it is, as messages show it."""
    parts = (FOLDER, f"{document['run_id']}.json")
    output.write_bytes(parts, json.dumps(document, indent=2, default=str).encode())
    return output.show(*parts)


def fleet_runs(output: Tree) -> list[str]:
    """Run ids of the fleet manifests in the output, oldest first."""
    return [name.removesuffix(".json") for name in output.files(FOLDER)
            if name.endswith(".json")]


def read_fleet(output: Tree, run_id: str) -> Document:
    try:
        found = json.loads(output.read_text(FOLDER, f"{run_id}.json"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the fleet manifest {output.show(FOLDER, run_id)}"
                          f".json: {exc}") from None
    if not isinstance(found, dict) or not isinstance(found.get("accounts"), list):
        raise ConfigError(f"{output.show(FOLDER, run_id)}.json is not a fleet manifest")
    return found


def latest_fleet(output: Tree) -> Document | None:
    runs = fleet_runs(output)
    return read_fleet(output, runs[-1]) if runs else None


def failed_names(output: Tree) -> tuple[str, set[str]]:
    """The latest fleet run and the names of its failed accounts (``--retry-failed``)."""
    latest = latest_fleet(output)
    if latest is None:
        raise ConfigError(f"--retry-failed: no fleet manifest in {output.show(FOLDER)}; "
                          "run the fleet without it first")
    return latest["run_id"], {r["name"] for r in latest["accounts"] if r["status"] == FAILED}


def last_records(output: Tree) -> dict[str, Record]:
    """Each account's record from the latest fleet run that had it (``status --accounts``)."""
    found: dict[str, Record] = {}
    for run_id in reversed(fleet_runs(output)):
        for record in read_fleet(output, run_id)["accounts"]:
            found.setdefault(record["name"], {**record, "fleet_run": run_id})
    return found
