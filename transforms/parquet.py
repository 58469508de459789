"""Parquet files of an export: how one is written, where the Hive layout puts them, and the
housekeeping around them (a writable root, temp files a killed run left).

Every file goes through ``Tree.publish`` (whole or not at all, on a local disk or an object
store). Which rows go into which file is the layout's business (``transforms.store.layout``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from transforms.errors import OutputError
from transforms.schemas import Table
from transforms.tree import STAGED_SUFFIX, TEMP_SUFFIX, Tree

PART_FILE = "part-0.parquet"
COMPRESSION = "zstd"
# Below this many rows a file is mostly per-column overhead: snappy writes it in half zstd's
# time (1.4 vs 2.8 ms for a typical 54-column, 4-row project partition) at the same size;
# above it zstd's files are ~40% smaller at the same speed. Every reader handles both.
SMALL_ROWS = 1000
SMALL_COMPRESSION = "snappy"
# Row groups small enough that a filter on the sort column (project_id) skips most of a large
# file by its statistics, large enough that a scan is not dominated by per-group overhead.
ROW_GROUP_ROWS = 128 * 1024


def write_file(tree: Tree, parts: tuple[str, ...], data: pa.Table) -> None:
    """Write ``data`` as one Parquet file at ``parts``, whole or not at all."""
    def write(handle: BinaryIO) -> None:
        pq.write_table(data, handle, row_group_size=ROW_GROUP_ROWS,
                       compression=COMPRESSION if data.num_rows >= SMALL_ROWS
                       else SMALL_COMPRESSION)
    tree.publish(parts, write)


def partition_parts(api: str, table: Table, values: Mapping[str, Any]) -> tuple[str, ...]:
    """A Hive partition's folder: ``<api>/<table>/<column>=<value>/...``."""
    return (api, table.name, *(f"{column}={values[column]}" for column in table.partition))


def existing_partitions(tree: Tree, api: str, table: Table,
                        account: Mapping[str, Any]) -> set[tuple[str, ...]]:
    """Hive partition folders of one account that hold a data file."""
    (column, value), = account.items()
    base = (api, table.name, f"{column}={value}")
    if not tree.is_dir(*base):
        return set()
    levels = [base]
    for _ in table.partition[1:]:  # the layout's depth is known: no recursive listing needed
        levels = _subpartitions(tree, levels)
    found = {d for d in levels if tree.is_file(*d, PART_FILE)}
    if len(table.partition) == 1:  # project partitions left by a layout that was deeper
        found |= set(_subpartitions(tree, [base]))
    return found


def _subpartitions(tree: Tree, folders: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    return [(*d, name) for d in folders for name in tree.dirs(*d) if "=" in name]


def ensure_writable(tree: Tree, folders: Iterable[tuple[str, ...]] = ()) -> None:
    """Fail before any request is made if the output cannot take files.

    ``folders`` are the folders the run will write into: one that exists as a file, or sits
    below one, is named in the error instead of surfacing later from deep inside a write. An
    object store has no folders to be in the way; its bucket was probed when it was opened.
    """
    if tree.remote:
        return
    root = Path(tree.path())
    for path in (root, *(root.joinpath(*f) for f in folders)):
        blocker = _file_in_the_way(path)
        if blocker is not None:
            raise OutputError(f"output directory {tree.shown} is not writable: {blocker} is a "
                              "file, not a directory; move it away or choose another --output")
    probe = f".write-probe-{uuid.uuid4().hex}"  # exports of other accounts probe at once
    try:
        root.mkdir(parents=True, exist_ok=True)
        tree.write_bytes((probe,), b"")
        tree.remove(probe)
    except OSError as exc:
        raise OutputError(f"output directory {tree.shown} is not writable: "
                          f"{exc.strerror or exc}") from None


def _file_in_the_way(path: Path) -> Path | None:
    """``path`` or the first of its ancestors that exists as something other than a folder."""
    for candidate in (*reversed(path.parents), path):
        try:
            if candidate.exists() and not candidate.is_dir():
                return candidate
        except OSError:
            return candidate
    return None


def sweep_temp_files(tree: Tree, folder: tuple[str, ...], only: str | None = None) -> int:
    """Remove temp files a killed run left under ``folder``; they were never visible as data
    (staged files too: call it after ``layout.recover`` has carried out any intent).

    With ``only`` (a path component such as ``account_id=7``, or a flat file's stem such as
    ``account_id-7``), just the temp files of that account: another account's export may be
    writing into the same folder right now.
    """
    count = 0
    base = tree.path(*folder).rstrip("/") + "/"
    for info in tree.entries(*folder, recursive=True):
        if not (info.base_name.startswith(".")
                and info.base_name.endswith((TEMP_SUFFIX, STAGED_SUFFIX))):
            continue
        relative = tuple(info.path[len(base):].split("/"))
        if only is not None and not _belongs_to(relative, only):
            continue
        tree.discard(*folder, *relative)
        count += 1
    return count


def _belongs_to(relative: tuple[str, ...], component: str) -> bool:
    """A partition folder of the account, or a per-account file (``.account_id=7.json.*``,
    ``.account_id-7-000.parquet.*``)."""
    name = relative[-1]
    stem = component.replace("=", "-", 1)
    return component in relative[:-1] or name.startswith((f".{component}.", f".{stem}-"))


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """A local file written whole (the journal's own files)."""
    Tree.local(path.parent).write_bytes((path.name,), payload)
