"""The on-disk contract: Hive-partitioned Parquet, written atomically, replaced not appended.

Layout: ``<root>/<api>/<table>/account_id=<A>/[project_id=<P>/]part-0.parquet``. Each partition
is exactly one file, written to a hidden temp file in the same directory, fsynced and renamed
over the previous one, so a reader (or a crash) only ever sees a complete old or a complete new
partition, and a re-run cannot leave two copies of a row. (The directory itself is not fsynced:
losing a rename to a power cut leaves the complete previous file, which is still consistent.)
Partition columns live only in the directory names, as Hive readers expect.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from transforms.errors import OutputError
from transforms.schemas import Table

PART_FILE = "part-0.parquet"
TEMP_SUFFIX = ".tmp"
COMPRESSION = "zstd"
# Below this many rows a file is mostly per-column overhead: snappy writes it in half zstd's
# time (1.4 vs 2.8 ms for a typical 54-column, 4-row project partition) at the same size;
# above it zstd's files are ~40% smaller at the same speed. Every reader handles both.
SMALL_ROWS = 1000
SMALL_COMPRESSION = "snappy"


def table_dir(root: Path, api: str, table: str) -> Path:
    return root / api / table


def partition_dir(root: Path, api: str, table: Table, values: Mapping[str, Any]) -> Path:
    path = table_dir(root, api, table.name)
    for column in table.partition:
        path = path / f"{column}={values[column]}"
    return path


def write_partition(directory: Path, table: Table, data: pa.Table) -> Path:
    """Replace ``directory/part-0.parquet`` with ``data`` (partition columns dropped)."""
    data = data.drop_columns([c for c in table.partition if c in data.column_names])
    target = directory / PART_FILE
    temp = directory / f".{PART_FILE}.{uuid.uuid4().hex}{TEMP_SUFFIX}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with open(temp, "wb") as handle:
            pq.write_table(data, handle, compression=COMPRESSION
                           if data.num_rows >= SMALL_ROWS else SMALL_COMPRESSION)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as exc:
        _discard(temp)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def existing_partitions(root: Path, api: str, table: Table,
                        account: Mapping[str, Any]) -> set[Path]:
    """Leaf partition directories of one account that hold a data file."""
    (column, value), = account.items()
    base = table_dir(root, api, table.name) / f"{column}={value}"
    if not base.is_dir():
        return set()
    levels = [base]
    for _ in table.partition[1:]:  # the layout's depth is known: no recursive glob needed
        levels = _subpartitions(levels)
    found = {d for d in levels if (d / PART_FILE).is_file()}
    if len(table.partition) == 1:  # project partitions left by a layout that was deeper
        found |= set(_subpartitions([base]))
    return found


def _subpartitions(directories: list[Path]) -> list[Path]:
    return [Path(e.path) for d in directories for e in os.scandir(d)
            if e.is_dir() and "=" in e.name]


def remove_partition(directory: Path) -> None:
    try:
        shutil.rmtree(directory)
    except OSError as exc:
        raise OutputError(f"cannot remove stale partition {directory}: {exc.strerror}") from None


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Same temp-then-rename dance for manifests and state files."""
    temp = path.parent / f".{path.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        _discard(temp)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None


def ensure_writable(root: Path, folders: Iterable[str] = ()) -> None:
    """Fail before any request is made if the output directory cannot take files.

    ``folders`` (relative to ``root``) are the folders the run will write into: one that
    exists as a file, or sits below one, is named in the error instead of surfacing later as
    an ``os`` error from deep inside a write.
    """
    for path in (root, *(root / f for f in folders)):
        blocker = _file_in_the_way(path)
        if blocker is not None:
            raise OutputError(f"output directory {root} is not writable: {blocker} is a "
                              "file, not a directory; move it away or choose another --output")
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".write-probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"output directory {root} is not writable: {exc.strerror or exc}") \
            from None


def _file_in_the_way(path: Path) -> Path | None:
    """``path`` or the first of its ancestors that exists as something other than a folder."""
    for candidate in (*reversed(path.parents), path):
        try:
            if candidate.exists() and not candidate.is_dir():
                return candidate
        except OSError:
            return candidate
    return None


def sweep_temp_files(root: Path, only: str | None = None) -> int:
    """Remove temp files a killed run left behind; they were never visible as data.

    With ``only`` (a path component such as ``account_id=7``), just the temp files of that
    account: another account's export may be writing into the same folder right now.
    """
    count = 0
    if root.is_dir():
        for temp in root.rglob(f".*{TEMP_SUFFIX}"):
            if only is not None and not _belongs_to(temp.relative_to(root), only):
                continue
            _discard(temp)
            count += 1
    return count


def _belongs_to(relative: Path, component: str) -> bool:
    """A partition folder of the account, or a per-account file (``.account_id=7.json.*``)."""
    return component in relative.parts[:-1] or relative.name.startswith(f".{component}.")


def iter_parts(root: Path, api: str, table: str) -> Iterator[Path]:
    yield from sorted(table_dir(root, api, table).rglob(PART_FILE))


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)

