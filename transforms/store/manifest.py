"""A run's manifest: what one export of one account did, as stored next to its output.

``<output>/<api>/_manifests/<column>=<account>/<run_id>.json`` and ``latest.json`` (the same
bytes). The pipeline writes it; ``status``, the ``--json`` documents, the HTML report and the
bench read it. ``Manifest`` names every key, so the writer and the readers agree on one shape;
on disk it stays plain JSON.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, NotRequired, TypedDict

from transforms.store.target import Target
from transforms.tree import Tree, open_tree

FOLDER = "_manifests"
LATEST = "latest.json"


class Http(TypedDict):
    """Request counts of the run (``extract.http.HttpStats``)."""

    requests: int
    not_modified: int
    retries: int
    throttled_429: int
    unavailable_503: int
    throttle_wait_s: float
    throttle_wall_s: float
    status: dict[str, int]


class Written(TypedDict):
    """One table of the run: rows written, slots (an account's table, or a Hive partition)
    written and kept, and the Parquet files written.

    ``total_rows`` is the table's rows after an incremental fold; ``kept_partitions`` is -1
    where a failed unit kept a table from being folded."""

    rows: int
    partitions: int
    kept_partitions: int
    files: NotRequired[int]
    total_rows: NotRequired[int]
    shrink_refused: NotRequired[bool]


class Unit(TypedDict):
    """A unit that failed or was skipped (``extract.crawl.Outcome``)."""

    endpoint: str
    url: str
    ctx: dict[str, Any]
    error: str


class Mismatch(TypedDict):
    """A listing whose rows disagreed with its ``X-Total-Count``."""

    endpoint: str
    path: str
    fetched: int
    total: int


class Refused(TypedDict):
    """A shrink the guard refused (``transforms.store.guard.Refusal``)."""

    table: str
    before: int
    after: int
    partition: dict[str, Any] | None
    remedy: str


class Manifest(TypedDict):
    run_id: str
    api: str
    account: int | str
    base_url: str
    started_at: str
    finished_at: str
    seconds: float
    steps: list[str] | Literal["all"]
    options: list[str]
    http: Http
    units: int
    pages: int
    tables: dict[str, Written]
    not_written: list[str]
    failures: list[Unit]
    incomplete: dict[str, list[dict[str, str]]]
    shrink_refused: list[Refused]
    rejects: dict[str, int]
    skipped: list[Unit]
    warnings: list[str]
    count_mismatches: list[Mismatch]
    drift: dict[str, Any]
    raw: str | None
    resumed_units: int
    mode: Literal["full", "incremental"]
    # Added by the CLI for a sandbox run: the fewest requests the sandbox's data needs.
    sandbox_minimum_requests: NotRequired[int]


def ok(manifest: Manifest) -> bool:
    """Nothing failed and no shrink was refused (else the run exits 7)."""
    return not manifest["failures"] and not manifest.get("shrink_refused")


def write_manifest(target: Target, manifest: Manifest) -> str:
    """Write the run's manifest and make it the account's latest; where the run's file is
    (a local path, or its URI)."""
    folder = target.own(FOLDER)
    payload = json.dumps(manifest, indent=2, default=str).encode()
    name = f"{manifest['run_id']}.json"
    target.tree.write_bytes((*folder, name), payload)
    target.tree.write_bytes((*folder, LATEST), payload)
    return target.tree.show(*folder, name)


def read_manifest(path: Path) -> Manifest:
    """A manifest as written (``ValueError`` when the file is not JSON)."""
    found: Manifest = json.loads(path.read_text())
    return found


def latest_manifests(output: Tree | Path, api: str, account_column: str) -> list[Manifest]:
    """The latest manifest of each account exported under ``api``, in any store.

    Accounts are folders named for the family's account column (``account_id=`` for Basecamp,
    ``account=`` for Backpack).
    """
    tree = open_tree(output)
    prefix = f"{account_column}="
    return [json.loads(tree.read_text(api, FOLDER, account, LATEST))
            for account in tree.dirs(api, FOLDER)
            if account.startswith(prefix) and LATEST in tree.files(api, FOLDER, account)]
