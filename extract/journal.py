"""Crash-safe resume: every page of a run is kept on disk until the run's output is stored.

A run writes each page it fetches to ``_runs/<account>/pages/`` and, once a unit has all its
pages, appends one line to ``journal.jsonl`` (flushed and fsynced). If the process dies —
``kill -9`` included, at any moment — the next run of the same command finds the journal,
replays the completed units from disk (no request) and fetches only the rest; output is stored
only at the end, each partition atomically, and the run directory is removed only after that.
A run with failed units keeps it too, so the rerun fetches only what failed.

A journal belongs to one configuration (API, account, steps, options); another configuration
starts afresh. Page files hold the decoded records of a response (JSON for every family, so an
XML page replays without its parser): never a header, never a credential. ``--keep-raw`` keeps
the pages a run shaped in the same format (``PageSpool``), for ``shape_from_raw``.
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

from extract.decode import loads
from extract.page import Page
from transforms import parquet
from transforms.errors import OutputError

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
            self._discard_all()
        elif saved is not None:
            self.done = self._read_journal()
            self.resumed_units = len(self.done)
        elif self.root.exists():
            log.warning("the run journal in %s has no readable %s; starting afresh",
                        self.root, SIGNATURE)
            self._discard_all()
        try:
            pages.mkdir(parents=True, exist_ok=True)
            self._count = sum(1 for _ in pages.iterdir())
        except OSError as exc:
            raise OutputError(f"cannot use the run journal folder {pages}: "
                              f"{exc.strerror or exc}; delete {self.root}") from None
        parquet.atomic_write_bytes(self.root / SIGNATURE,
                                   json.dumps(self.signature, default=str).encode())

    def _discard_all(self) -> None:
        try:
            if self.root.is_dir():
                shutil.rmtree(self.root)
            else:
                self.root.unlink(missing_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot remove the old run journal {self.root}: "
                              f"{exc.strerror or exc}") from None

    def _saved_signature(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.root / SIGNATURE).read_text())
        except (OSError, ValueError):
            return None

    def _read_journal(self) -> dict[str, list[str]]:
        """Completed units; a torn last line (the crash came mid-write) is ignored."""
        done: dict[str, list[str]] = {}
        try:
            lines = (self.root / JOURNAL).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return done
        bad = 0
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # torn by the crash
            names = entry.get("pages") if isinstance(entry, dict) else None
            if not (isinstance(names, list) and isinstance(entry.get("unit"), str)
                    and all(_page_name(n) and (self.root / "pages" / n).is_file()
                            for n in names)):
                bad += 1
                continue
            done[entry["unit"]] = names
        if bad:
            log.warning("%d line(s) of the run journal %s name missing or invalid pages; "
                        "their units are fetched again", bad, self.root / JOURNAL)
        return done

    @property
    def resuming(self) -> bool:
        return bool(self.done)

    def pages(self, key: str, endpoint: str, fetch: Callable[[], Iterable[Page]]
              ) -> Iterator[Page]:
        """A completed unit's pages from disk, or fetch them and record the unit once whole."""
        stored = self._replay(key)
        if stored is not None:
            yield from stored
            return
        names: list[str] = []
        for page in fetch():
            names.append(self._save(endpoint, page))
            yield page
        self._commit(key, names)

    def _replay(self, key: str) -> list[Page] | None:
        """A completed unit's pages, all read before the first is used: a page that does not
        parse drops the unit, which is then fetched again."""
        names = self.done.get(key)
        if names is None:
            return None
        try:
            return [_load(self.root / "pages" / name) for name in names]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("a page of the run journal (%s) cannot be read (%s); fetching %s again",
                        self.root / "pages", _reason(exc), key)
            with self._lock:
                self.done.pop(key, None)
                self.resumed_units -= 1
            return None

    def _save(self, endpoint: str, page: Page) -> str:
        with self._lock:
            self._count += 1
            name = f"{self._count:07d}-{endpoint}.json"
        write_page(self.root / "pages" / name, page)
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


class PageSpool:
    """``--keep-raw``: every page the run shaped, in the journal's page format, kept after the
    run (``_raw/<run id>/``) so ``shape_from_raw`` can shape it again without the network.
    Each header names the unit (``endpoint``, ``ctx``); the records are those shaped."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._count = 0
        self._lock = threading.Lock()
        root.mkdir(parents=True, exist_ok=True)

    def write(self, endpoint: str, ctx: Mapping[str, Any], page: Page) -> None:
        with self._lock:
            self._count += 1
            name = self.root / f"{self._count:07d}-{endpoint}.json"
        write_page(name, page, endpoint=endpoint, ctx=dict(ctx))


def spooled(root: Path) -> Iterator[tuple[str, dict[str, Any], Page]]:
    """A spool's pages in the order they were shaped: (endpoint id, context, page)."""
    for path in sorted(root.glob("*.json")):
        header, page = read_page(path)
        yield header["endpoint"], header["ctx"], page


def pending(root: Path) -> int:
    """Units an interrupted run completed (what the next run will not fetch again)."""
    try:
        return sum(1 for line in (root / JOURNAL).read_text().splitlines() if line.strip())
    except (OSError, ValueError):
        return 0


def write_page(path: Path, page: Page, **extra: Any) -> None:
    """One page on disk: a JSON header line, then the decoded records as JSON.

    The one page format: the journal's pages and the ``--keep-raw`` spool (whose header also
    names the unit: ``endpoint`` and ``ctx``) are both written and read here.
    """
    header = {**extra, "number": page.number, "url": page.url, "status": page.status,
              "fetched_at": page.fetched_at.isoformat(), "total": page.total,
              "next_url": page.next_url}
    body = json.dumps({"__records__": page.records}, default=str).encode()
    try:
        with open(path, "wb") as fh:
            fh.write(json.dumps(header, default=str).encode() + b"\n" + body)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def read_page(path: Path) -> tuple[dict[str, Any], Page]:
    """One saved page and its header; ValueError (or KeyError, TypeError) when it is not what
    ``write_page`` wrote."""
    header_line, _, body = path.read_bytes().partition(b"\n")
    header = loads(header_line)
    records = _records(body)
    return header, Page(number=header["number"], url=header["url"], records=records, body=body,
                        status=header["status"], from_cache=True,
                        fetched_at=datetime.fromisoformat(header["fetched_at"]),
                        total=header.get("total"), next_url=header.get("next_url"))


def _load(path: Path) -> Page:
    return read_page(path)[1]


def _records(body: bytes) -> list[dict[str, Any]]:
    """The page's records as decoded when fetched (XML families included)."""
    records = loads(body)["__records__"]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError("records are not a list of objects")
    return records


def _page_name(name: Any) -> bool:
    """A page file name this module wrote: a plain name inside ``pages/``."""
    return isinstance(name, str) and bool(name) and "/" not in name and "\\" not in name \
        and not name.startswith(".")


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split())[:120] or type(exc).__name__


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
