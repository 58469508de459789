"""Crash-safe resume: every page of a run is kept on disk until the run's output is stored.

A run writes each page it fetches to ``_runs/<account>/pages/`` and, once a unit has all its
pages, appends one line to ``journal.jsonl`` (flushed and fsynced). If the process dies —
``kill -9`` included, at any moment — the next run of the same command finds the journal,
replays the completed units from disk (no request) and fetches only the rest; output is stored
only at the end, each partition atomically, and the run directory is removed only after that.
A run with failed units keeps it too, so the rerun fetches only what failed.

A journal belongs to one configuration (API, account, steps, options); another configuration
starts afresh. Page files hold the decoded records of a response (JSON for every family, so an
XML page replays without its parser): never a header, never a credential.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from extract.errors import OutputError
from extract.pagination import Page
from transforms import parquet

log = logging.getLogger(__name__)

JOURNAL = "journal.jsonl"
SIGNATURE = "run.json"


def run_dir(output: Path, api: str, column: str, account: Any) -> Path:
    return output / api / "_runs" / f"{column}={account}"


class RunJournal:
    """Units already completed by an interrupted run, and the record of this run's."""

    def __init__(self, root: Path, signature: Mapping[str, Any]) -> None:
        self.root = root
        self.signature = dict(signature)
        self.done: dict[str, list[str]] = {}
        self.resumed_units = 0
        self._lock = threading.Lock()
        self._count = 0
        self._open()

    def _open(self) -> None:
        pages = self.root / "pages"
        saved = self._saved_signature()
        if saved is not None and saved != json.loads(json.dumps(self.signature, default=str)):
            log.warning("an interrupted run with other settings was found; starting afresh")
            shutil.rmtree(self.root, ignore_errors=True)
        elif saved is not None:
            self.done = self._read_journal()
            self.resumed_units = len(self.done)
        pages.mkdir(parents=True, exist_ok=True)
        self._count = sum(1 for _ in pages.iterdir())
        parquet.atomic_write_bytes(self.root / SIGNATURE,
                                   json.dumps(self.signature, default=str).encode())

    def _saved_signature(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.root / SIGNATURE).read_text())
        except (OSError, ValueError):
            return None

    def _read_journal(self) -> dict[str, list[str]]:
        """Completed units; a torn last line (the crash came mid-write) is ignored."""
        done: dict[str, list[str]] = {}
        try:
            lines = (self.root / JOURNAL).read_text(encoding="utf-8").splitlines()
        except OSError:
            return done
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if all((self.root / "pages" / name).is_file() for name in entry["pages"]):
                done[entry["unit"]] = entry["pages"]
        return done

    @property
    def resuming(self) -> bool:
        return bool(self.done)

    def pages(self, key: str, endpoint: str, fetch: Callable[[], Iterable[Page]]
              ) -> Iterator[Page]:
        """A completed unit's pages from disk, or fetch them and record the unit once whole."""
        stored = self.done.get(key)
        if stored is not None:
            for name in stored:
                yield _load(self.root / "pages" / name)
            return
        names: list[str] = []
        for page in fetch():
            names.append(self._save(endpoint, page))
            yield page
        self._commit(key, names)

    def _save(self, endpoint: str, page: Page) -> str:
        with self._lock:
            self._count += 1
            name = f"{self._count:07d}-{endpoint}.json"
        header = {"number": page.number, "url": page.url, "status": page.status,
                  "fetched_at": page.fetched_at.isoformat(), "total": page.total,
                  "next_url": page.next_url}
        body = json.dumps({"__records__": page.records}, default=str).encode()
        path = self.root / "pages" / name
        try:
            with open(path, "wb") as fh:
                fh.write(json.dumps(header).encode() + b"\n" + body)
        except OSError as exc:
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
        return name

    def _commit(self, key: str, names: list[str]) -> None:
        """Append the unit; fsync the pages first so a journal line never outlives its data."""
        line = json.dumps({"unit": key, "pages": names}) + "\n"
        try:
            for name in names:
                _fsync(self.root / "pages" / name)
            with self._lock, open(self.root / JOURNAL, "a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise OutputError(f"cannot write the run journal in {self.root}: "
                              f"{exc.strerror or exc}") from None

    def finish(self) -> None:
        """The output is stored: nothing left to resume."""
        shutil.rmtree(self.root, ignore_errors=True)


def pending(root: Path) -> int:
    """Units an interrupted run completed (what the next run will not fetch again)."""
    try:
        return sum(1 for line in (root / JOURNAL).read_text().splitlines() if line.strip())
    except OSError:
        return 0


def _load(path: Path) -> Page:
    header_line, _, body = path.read_bytes().partition(b"\n")
    header = json.loads(header_line)
    records = _records(body)
    return Page(number=header["number"], url=header["url"], records=records, body=body,
                status=header["status"], from_cache=True,
                fetched_at=datetime.fromisoformat(header["fetched_at"]),
                total=header.get("total"), next_url=header.get("next_url"))


def _records(body: bytes) -> list[dict[str, Any]]:
    """The page's records as decoded when fetched (XML families included)."""
    return json.loads(body)["__records__"]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
