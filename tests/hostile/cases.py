"""Helpers for the hostile end-to-end tests: run the console script against a sandbox behind
the misbehaving proxy (``sandbox.hostile``) and read back what it stored, said and counted.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

from extract.families import family
from sandbox import Sandbox
from sandbox.hostile import HostileProxy
from tests.conftest import cli_env, stored_tables

UA = "basecamp-extract tests (tests@example.com)"
ROOT = Path(__file__).resolve().parents[2]
EXE = Path(sys.executable).with_name("basecamp-extract")
RETRY_FOR = ("--retry-for", "2")  # contract 4: the retry budget in seconds (tests: small)
PEOPLE = r"/people\.json$"
# BC2 subscriber tables: parent table (also the truth's attribute) and its key column there.
SUBSCRIBER_TABLES = {
    "messages": "message_id", "todolists": "todolist_id", "todos": "todo_id",
    "documents": "document_id", "forwards": "forward_id", "uploads": "upload_id",
    "calendar_events": "calendar_event_id",
}


def env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean CLI environment whose ``basecamp-extract`` runs this checkout's code."""
    values = cli_env()
    values["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT),
                                                         values.get("PYTHONPATH")]))
    values.update(extra or {})
    return values


@dataclass
class Target:
    """One sandbox account behind one hostile proxy, and how the CLI reaches it."""

    box: Sandbox
    proxy: HostileProxy

    @property
    def api(self) -> str:
        return self.box.api

    @property
    def base_url(self) -> str:
        return self.proxy.url_for(self.box.base_url)

    def args(self, output: Path, *extra: str, base_url: str | None = None) -> list[str]:
        c = self.box.credentials
        creds = ["--username", c.username, "--password", c.password] if self.api == "bc2" \
            else ["--account", str(self.box.account_id), "--token", c.token]
        return [str(EXE), "export", "--api", self.api, "--base-url", base_url or self.base_url,
                *creds, "--user-agent", UA, "-o", str(output), "--no-rate-limit", *extra]

    def export(self, output: Path, *extra: str, base_url: str | None = None,
               environ: Mapping[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.args(output, *extra, base_url=base_url), capture_output=True,
                              text=True, env=env(environ), timeout=timeout)

    def start_export(self, output: Path, *extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(self.args(output, *extra), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env())


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Any other command (``load``, ``tables``)."""
    return subprocess.run([str(EXE), *args], capture_output=True, text=True, env=env(),
                          timeout=timeout)


# ---------------------------------------------------------------------- what the run said
def errors(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("Error:")]


def warnings(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.lower().startswith("warning")]


def assert_no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int,
                          *needles: str) -> str:
    """Exit ``code``, exactly one ``Error:`` line holding every needle, no traceback."""
    assert_no_traceback(proc)
    assert proc.returncode == code, proc.stderr[-3000:]
    lines = errors(proc)
    assert len(lines) == 1, proc.stderr[-3000:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# ---------------------------------------------------------------------- what the run stored
def manifest(output: Path, api: str) -> dict[str, Any]:
    column = family(api).account_column
    found = sorted((output / api / "_manifests").glob(f"{column}=*/latest.json"))
    assert found, f"no manifest under {output / api}"
    return json.loads(found[0].read_text())


def tables(output: Path, api: str) -> dict[str, list[dict[str, Any]]]:
    return stored_tables(output, api) if (output / api).is_dir() else {}


def counts(stored: Mapping[str, list[dict[str, Any]]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in stored.items()}


def guard_violations(before: Mapping[str, list[dict[str, Any]]],
                     after: Mapping[str, list[dict[str, Any]]], api: str) -> list[str]:
    """Tables that lost what the shrink guard must refuse (contract item 1): every stored
    row, or more than half of them and at least 10 (rows lost = stored keys now absent)."""
    registry = family(api).registry
    found = []
    for name, rows in before.items():
        key = registry[name].key
        old = {tuple(r[k] for k in key) for r in rows}
        new = {tuple(r[k] for k in key) for r in after.get(name, [])}
        lost = len(old - new)
        if old and (lost == len(old) or (lost > len(old) / 2 and lost >= 10)):
            found.append(f"{name} {len(old)} -> {len(old) - lost}")
    return found


def holds_value(stored: Mapping[str, list[dict[str, Any]]], value: Any) -> list[str]:
    """Tables with ``value`` in any column of any row."""
    return sorted(name for name, rows in stored.items()
                  if any(value in row.values() for row in rows))


def rejects(output: Path, api: str) -> list[dict[str, Any]]:
    folder = output / api / "_rejects"
    if not folder.is_dir():
        return []
    return ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pylist()


def copy_output(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def wait_for(predicate: Any, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


# ---------------------------------------------------------------------- sandbox facts
def subscriber_truth(box: Sandbox, stored: Mapping[str, list[dict[str, Any]]],
                     parent: str) -> set[tuple[int, int]]:
    """(record id, person id) for every subscriber of every exported ``parent`` record."""
    records = getattr(box.truth, parent)
    return {(row["id"], person) for row in stored.get(parent, [])
            for person in records[row["id"]].subscriber_ids}


def stored_subscribers(stored: Mapping[str, list[dict[str, Any]]],
                       parent: str) -> set[tuple[int, int]]:
    column = SUBSCRIBER_TABLES[parent]
    return {(row[column], row["id"]) for row in stored.get(f"{parent}__subscribers", [])}


def message_with_comments(stored: Mapping[str, list[dict[str, Any]]]) -> tuple[str, list[Any]]:
    """The path of one BC2 message that has comments, and those comments' ids."""
    by_message: dict[tuple[int, int], list[Any]] = {}
    for row in stored["comments"]:
        if row["commentable_type"] == "Message":
            by_message.setdefault((row["bucket_id"], row["commentable_id"]), []).append(row["id"])
    (project, message), ids = sorted(by_message.items())[0]
    return f"/projects/{project}/messages/{message}.json", ids


def drop_first_comment_id(body: Any) -> Any:
    """The official BC2 document example: a comment without an ``id``."""
    body["comments"][0].pop("id")
    return body
