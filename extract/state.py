"""Per (API, account) sync state next to the output: bookmarks and the last run, atomically.

``output/<api>/_state/<account column>=<account>.json`` says when the last full export ran, what
the last run did, and each family's bookmarks (BC2: the event feed's ``since`` and the event ids
already seen inside the overlap window). It is written only after a run's output is stored, so
a bookmark never runs ahead of the data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from transforms import parquet


@dataclass
class SyncState:
    last_full: str | None = None
    last_run: dict[str, Any] = field(default_factory=dict)
    bookmarks: dict[str, Any] = field(default_factory=dict)


def state_path(output: Path, api: str, column: str, account: Any) -> Path:
    return output / api / "_state" / f"{column}={account}.json"


def load_state(path: Path) -> SyncState | None:
    """The stored state, or None when there is none (or it is unreadable: run in full)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SyncState(**{k: data[k] for k in ("last_full", "last_run", "bookmarks")
                            if k in data})
    except (OSError, ValueError, TypeError):
        return None


def save_state(path: Path, state: SyncState) -> None:
    parquet.atomic_write_bytes(path, json.dumps(asdict(state), indent=2, default=str).encode())
