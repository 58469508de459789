"""Reading back what earlier runs stored for one account: for the guard, folds and feeds.

Only the account's own rows are read (a filter on its partition column), and only the columns
asked for. A file that cannot be read is an ``OutputError`` naming it: ``--full`` rebuilds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from transforms import parquet
from transforms.errors import OutputError
from transforms.read import dataset
from transforms.schemas import Registry
from transforms.store.target import Target


def read_stored(target: Target, name: str, existing: set[Path],
                columns: list[str] | None = None) -> pa.Table | None:
    """This account's stored rows of one table (only ``columns`` when given)."""
    if not existing:
        return None
    try:
        found = dataset(target.output, target.api, name)
        wanted = None if columns is None else [c for c in columns if c in found.schema.names]
        return found.to_table(columns=wanted,
                              filter=ds.field(target.account_column) == target.account)
    except (pa.ArrowException, OSError) as exc:
        raise unreadable(target.output / target.api / name, exc) from None


def stored_columns(target: Target, registry: Registry, name: str,
                   columns: list[str]) -> pa.Table | None:
    """Some columns of one stored table of this account (for a feed's change checks)."""
    spec = registry.get(name)
    if spec is None:
        return None
    existing = parquet.existing_partitions(target.output, target.api, spec, target.partition)
    return read_stored(target, name, existing, columns)


def check_stored(target: Target, registry: Registry) -> None:
    """Before an incremental run folds into them: every stored file of this account opens.

    A footer read per file (cheap); a damaged one stops the run before any request with one
    line naming it, as nothing can be folded into rows that cannot be read. ``--full``
    rewrites it from the API.
    """
    for spec in registry.values():
        for directory in sorted(parquet.existing_partitions(target.output, target.api, spec,
                                                            target.partition)):
            path = directory / parquet.PART_FILE
            if not path.is_file():
                continue
            try:
                pq.read_metadata(path)
            except (pa.ArrowException, OSError) as exc:
                raise unreadable(path, exc) from None


def unreadable(path: Path, exc: BaseException) -> OutputError:
    reason = " ".join(str(exc).split())[:160]
    return OutputError(f"stored partition {path} cannot be read ({reason}); run again with "
                       "--full to rebuild it from the API")


def values_of(directory: Path) -> dict[str, Any]:
    """The partition values a partition folder's path names (``project_id=7`` -> 7)."""
    values: dict[str, Any] = {}
    for part in directory.parts:
        if "=" in part:
            column, _, value = part.partition("=")
            values[column] = int(value) if value.lstrip("-").isdigit() else value
    return values
