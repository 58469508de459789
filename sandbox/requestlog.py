"""The request log, and the oracle that turns it into a minimal request count.

Every request is logged (status, size, fault) without headers, so credentials can never leak
into it; optionally each entry is also appended to a JSON-lines file. Alongside, the log keeps
what each successfully served resource looked like (member, or listing of n items, paged or
page-ignoring) so ``minimum_requests`` can say what a perfect client would have needed.

What counts as one resource is BC2's path plus query without ``page`` by default; an API with
other paging or POST reads (Backpack) passes its own ``key``, which may return None for an
entry that served nothing (an error envelope inside a 200).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sandbox.contract import COLLECTION

PAGE_SIZE = 50


@dataclass(frozen=True)
class ResourceShape:
    """What a served resource was: a member, or a collection of ``total`` items."""

    kind: str
    total: int = 1
    page_ignored: bool = False
    page_size: int | None = None
    pages: int | None = None

    def minimum_requests(self, page_size: int = PAGE_SIZE) -> int:
        """Requests a perfect client needs to read this resource completely.

        ``pages`` overrides the fixed-size arithmetic for APIs with variable page sizes (BC4).
        """
        if self.kind != COLLECTION:
            return 1
        if self.pages is not None:
            return self.pages
        page_size = self.page_size or page_size
        if self.page_ignored:
            return 1 if self.total < page_size else 2
        return self.total // page_size + 1


def resource_key(path: str, query: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A resource is its path plus its query without ``page``."""
    return path, tuple(sorted((k, v) for k, v in query.items() if k != "page"))


Key = Callable[[dict[str, Any]], Hashable | None]


def default_key(entry: dict[str, Any]) -> Hashable:
    """BC's resource key of a log entry."""
    return resource_key(entry["path"], entry["query"])


class RequestLog:
    """Thread-safe list of request entries, mirrored to a JSON-lines file when asked."""

    def __init__(
        self,
        path: str | Path | None = None,
        key: Key = default_key,
    ) -> None:
        self.entries: list[dict[str, Any]] = []
        self._key = key
        self._shapes: dict[Hashable, ResourceShape] = {}
        self._lock = threading.Lock()
        self._path = Path(path) if path else None
        self._file: TextIO | None = None

    def record(self, entry: dict[str, Any], shape: ResourceShape | None = None) -> None:
        """Append one entry; ``shape`` describes the resource when it was served (200/304)."""
        line = json.dumps(entry, ensure_ascii=False) if self._path else None
        with self._lock:
            self.entries.append(entry)
            if shape is not None and entry["status"] in (200, 304):
                key = self._key(entry)
                if key is not None:
                    self._shapes[key] = shape
            if line is not None:
                if self._file is None:
                    self._path.parent.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
                    self._file = open(self._path, "a", encoding="utf-8")  # noqa: SIM115
                self._file.write(line + "\n")
                self._file.flush()

    def reset(self) -> None:
        """Forget all entries (the file, if any, keeps its history)."""
        with self._lock:
            self.entries.clear()
            self._shapes.clear()

    def close(self) -> None:
        """Close the JSON-lines file."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def minimum_requests(self, page_size: int = PAGE_SIZE) -> int:
        """Sum over distinct served resources of what a perfect client needs for each."""
        with self._lock:
            served = {self._key(e) for e in self.entries if e["status"] in (200, 304)}
            served.discard(None)
            shapes = [self._shapes.get(key, ResourceShape("member")) for key in served]
        return sum(shape.minimum_requests(page_size) for shape in shapes)
