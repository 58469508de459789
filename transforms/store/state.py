"""Per (API, account) sync state next to the output: bookmarks and the last run, atomically.

``output/<api>/_state/<account column>=<account>.json`` says when the last full export ran, what
the last run did, and each family's bookmarks (BC2: the event feed's ``since`` and the event ids
already seen inside the overlap window). It is written only after a run's output is stored, so
a bookmark never runs ahead of the data.

A state file that cannot be read or is not what we wrote is never guessed at: it is an error
naming the file (``--full`` starts it afresh). A feed checks its own bookmark
(``check_bookmark``); a bad one only costs a full run.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from transforms.errors import ConfigError
from transforms.store.target import Target
from transforms.tree import StoredFile

log = logging.getLogger(__name__)


class DamagedState(ConfigError):
    """The state file exists but cannot be read or parsed (exit 2)."""


@dataclass
class SyncState:
    last_full: str | None = None
    last_run: dict[str, Any] = field(default_factory=dict)
    bookmarks: dict[str, Any] = field(default_factory=dict)
    # Options (``--with``) of the last full export: an incremental run folds changes only into
    # tables that export wrote whole; a new option's tables need a full run first.
    options: list[str] = field(default_factory=list)


FIELDS: dict[str, tuple[type, ...]] = {"last_full": (str, type(None)), "last_run": (dict,),
                                       "bookmarks": (dict,), "options": (list,)}


def state_path(output: Path, api: str, column: str, account: Any) -> Path:
    return output / api / "_state" / f"{column}={account}.json"


def state_file(target: Target) -> StoredFile:
    """The account's state file, in the export's store."""
    return target.tree.file(target.api, "_state", f"{target.account_dir}.json")


class TextFile(Protocol):
    """What reading state needs of its file: a local ``Path`` or a file in any store."""

    def read_text(self, encoding: str = "utf-8") -> str: ...

    def is_file(self) -> bool: ...


def load_state(path: TextFile) -> SyncState | None:
    """The stored state, or None when there is none; DamagedState when it is unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise _damaged(path, getattr(exc, "strerror", None) or str(exc)) from None
    try:
        data = json.loads(text)
    except ValueError:
        raise _damaged(path, "not valid JSON") from None
    if not isinstance(data, dict):
        raise _damaged(path, "not a JSON object")
    wrong = [k for k, kinds in FIELDS.items() if k in data and not isinstance(data[k], kinds)]
    if wrong:
        raise _damaged(path, f"unexpected {', '.join(wrong)}")
    return SyncState(**{k: data[k] for k in FIELDS if k in data})


def _damaged(path: TextFile, reason: str) -> DamagedState:
    return DamagedState(f"the state file {path} cannot be used ({reason}); re-run with --full "
                        "(or delete the file) to start it afresh")


def save_state(path: StoredFile, state: SyncState) -> None:
    path.tree.write_bytes(path.parts, json.dumps(asdict(state), indent=2, default=str).encode())


def sync_state(path: TextFile, full: bool) -> SyncState:
    """The stored state; a damaged file stops the run unless ``--full`` starts it afresh."""
    try:
        return load_state(path) or SyncState()
    except DamagedState:
        if not full:
            raise
        if not path.is_file():
            raise DamagedState(f"the state file {path} is not a file; delete it") from None
        log.warning("the state file %s cannot be used; --full starts it afresh", path)
        return SyncState()
