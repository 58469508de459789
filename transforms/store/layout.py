"""The storage contract: which files hold one account's rows of a table.

``table`` (the default): one set of files per (table, account), no Hive folders::

    <output>/<api>/<table>/<account column>-<account>-<NNN>.parquet

Every column is inside the file (the account column and ``project_id`` as int64 too), so any
reader gets the declared types without knowing about partitions. Rows are sorted by the
declared partition columns (the account, then ``project_id``) and then the key; a new file
starts every ``MAX_ROWS`` rows or about ``MAX_BYTES``, and row groups are small enough for a
``project_id`` filter to skip by statistics.

``project`` (``--partition-by project``): the Hive layout of earlier versions, one file per
partition, partition columns only in folder names::

    <output>/<api>/<table>/<account column>=<account>/[project_id=<P>/]part-0.parquet

A ``Slot`` is one unit of replacement: all files of one account's table (``table``), or of
one partition (``project``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms import parquet
from transforms.schemas import Table
from transforms.store import publish
from transforms.tree import Tree

TABLE, PROJECT = "table", "project"
LAYOUTS = (TABLE, PROJECT)
MAX_ROWS = 1_000_000
MAX_BYTES = 128 * 1024 * 1024
FLAT = re.compile(r"^(?P<stem>.+)-(?P<index>\d{3,})\.parquet$")


@dataclass(frozen=True)
class Slot:
    """The files of one account's table (``table`` layout) or of one Hive partition."""

    api: str
    table: str
    values: tuple[tuple[str, Any], ...]
    hive: bool

    @property
    def mapping(self) -> dict[str, Any]:
        return dict(self.values)

    @property
    def folder(self) -> tuple[str, ...]:
        hive = tuple(f"{c}={v}" for c, v in self.values) if self.hive else ()
        return (self.api, self.table, *hive)

    @property
    def stem(self) -> str:
        (column, value), = self.values[:1]
        return f"{column}-{value}"

    def name(self, index: int) -> str:
        return parquet.PART_FILE if self.hive else f"{self.stem}-{index:03d}.parquet"

    def files(self, tree: Tree) -> list[str]:
        """Names of the files this slot holds now, in order."""
        if self.hive:
            return [parquet.PART_FILE] if tree.is_file(*self.folder, parquet.PART_FILE) else []
        return [n for n in tree.files(*self.folder) if _stem(n) == self.stem]


def _stem(name: str) -> str | None:
    found = FLAT.match(name)
    return found.group("stem") if found else None


def slot(layout: str, api: str, spec: Table, values: Mapping[str, Any]) -> Slot:
    """The slot of ``values`` (the account's, plus the project's in the Hive layout)."""
    columns = spec.partition if layout == PROJECT else spec.partition[:1]
    return Slot(api, spec.name, tuple((c, values[c]) for c in columns), layout == PROJECT)


def account_slot(layout: str, api: str, spec: Table, account: Mapping[str, Any]) -> Slot:
    """The account's own slot: all of its rows (``table``), its account partition (Hive)."""
    return Slot(api, spec.name, tuple(account.items()), layout == PROJECT)


def existing(tree: Tree, layout: str, api: str, spec: Table,
             account: Mapping[str, Any]) -> set[Slot]:
    """The account's slots of ``spec`` that hold files, in this layout."""
    if layout == PROJECT:
        found = set()
        for folder in parquet.existing_partitions(tree, api, spec, account):
            values = tuple(_value(p) for p in folder[2:])
            found.add(Slot(api, spec.name, values, True))
        return found
    own = account_slot(TABLE, api, spec, account)
    return {own} if own.files(tree) else set()


def legacy(tree: Tree, layout: str, api: str, spec: Table,
           account: Mapping[str, Any]) -> Slot | None:
    """The account's files of ``spec`` in the other layout: an output of an older version
    (Hive folders) or of an earlier ``--partition-by``, replaced by this run's files (removed
    once they are in)."""
    other = account_slot(TABLE if layout == PROJECT else PROJECT, api, spec, account)
    if other.hive:
        return other if tree.is_dir(*other.folder) else None
    return other if other.files(tree) else None


def _value(part: str) -> tuple[str, Any]:
    column, _, value = part.partition("=")
    return column, int(value) if value.lstrip("-").isdigit() else value


def write(tree: Tree, spec: Table, where: Slot, data: pa.Table,
          keep_equal: bool = False) -> int:
    """Replace the slot's files with ``data``; the number of files written.

    Rows are sorted by partition then key and cut into files of at most ``MAX_ROWS`` rows or
    about ``MAX_BYTES``. With ``keep_equal`` (a fold), a file whose rows did not change is not
    rewritten. Files the slot no longer needs are removed after the new ones are in; a table
    of several files is replaced as one set (``transforms.store.publish``).
    """
    if data.num_rows == 0:
        remove(tree, where)
        return 0
    if where.hive:
        data = data.drop_columns([c for c in spec.partition if c in data.column_names])
    data = _sorted(data, [c for c in dict.fromkeys((*spec.partition, *spec.key))
                          if c in data.column_names])
    before = where.files(tree)
    chunks = list(_chunks(data, spec.partition[1] if len(spec.partition) > 1 else None))
    names = [where.name(index) for index in range(len(chunks))]

    def unchanged(name: str, chunk: pa.Table) -> bool:
        return keep_equal and _same(tree, (*where.folder, name), chunk)

    if len(chunks) > 1 or len(before) > 1:  # several files: replaced as one set
        return publish.publish_set(tree, where.folder, where.stem, chunks, names, before,
                                   unchanged)
    written = 0
    for name, chunk in zip(names, chunks, strict=True):
        if name in before and unchanged(name, chunk):
            continue
        parquet.write_file(tree, (*where.folder, name), chunk)
        written += 1
    for name in before:
        if name not in names:
            tree.remove(*where.folder, name)
    return written


def _sorted(data: pa.Table, order: list[str]) -> pa.Table:
    """``data`` sorted by ``order``; rows that already are (the shaper sorts them) are not
    gathered again."""
    if not order or data.num_rows < 2:
        return data
    indices = pc.sort_indices(data.select(order), [(c, "ascending") for c in order])
    if pc.all(pc.greater(indices.slice(1), indices.slice(0, len(indices) - 1))).as_py():
        return data
    return data.take(indices)


def _chunks(data: pa.Table, bucket: str | None) -> Iterator[pa.Table]:
    """Files of at most ``MAX_ROWS`` rows or about ``MAX_BYTES``, cut where a project starts
    when one does inside the limit: a change to one project then leaves the other files'
    rows, and so the files, as they were."""
    per_row = data.nbytes / max(data.num_rows, 1)
    size = max(1, min(MAX_ROWS, int(MAX_BYTES / max(per_row, 1.0))))
    starts = _starts(data, bucket) if data.num_rows > size else np.array([], np.int64)
    offset = 0
    while offset < data.num_rows:
        end = min(offset + size, data.num_rows)
        if end < data.num_rows:
            inside = starts[(starts > offset) & (starts <= end)]
            end = int(inside[-1]) if len(inside) else end
        yield data.slice(offset, end - offset)
        offset = end


def _starts(data: pa.Table, bucket: str | None) -> np.ndarray:
    """Row numbers where a new project begins (rows are sorted by it)."""
    if bucket is None or bucket not in data.column_names:
        return np.array([], np.int64)
    values = pc.fill_null(data[bucket], -1).to_numpy()
    return np.flatnonzero(values[1:] != values[:-1]) + 1


def _same(tree: Tree, parts: tuple[str, ...], chunk: pa.Table) -> bool:
    """The stored file already holds exactly these rows (lineage columns included)."""
    try:
        with tree.fs.open_input_file(tree.path(*parts)) as handle:
            stored = pq.read_table(handle)
    except (OSError, pa.ArrowException):
        return False
    if stored.num_rows != chunk.num_rows or set(stored.column_names) != set(
            chunk.column_names):
        return False
    try:
        return stored.select(chunk.column_names).cast(chunk.schema).equals(chunk)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return False


def remove(tree: Tree, where: Slot) -> None:
    """Remove the slot's files (the Hive layout: its folder)."""
    if where.hive:
        tree.remove(*where.folder)
        return
    for name in where.files(tree):
        tree.remove(*where.folder, name)


def recover(tree: Tree, api: str, column: str, account: Any) -> int:
    """Complete what a killed run of this account decided to publish (see ``publish``)."""
    return publish.recover(tree, api, f"{column}-{account}", lambda table: Slot(
        api, table, ((column, account),), False).files(tree))


def account_files(tree: Tree, api: str, table: str, column: str,
                  account: Any) -> list[tuple[str, ...]]:
    """Every data file of one account's table, in either layout (status, damage checks)."""
    stem = f"{column}-{account}"
    flat = [(api, table, n) for n in tree.files(api, table) if _stem(n) == stem]
    base = tree.path(api, table, f"{column}={account}").rstrip("/") + "/"
    hive = [(api, table, f"{column}={account}", *i.path[len(base):].split("/"))
            for i in tree.entries(api, table, f"{column}={account}", recursive=True)
            if i.base_name == parquet.PART_FILE]
    return flat + sorted(hive)


def flat_account(name: str, column: str) -> str | None:
    """The account a ``table``-layout file name is for (as text), or None."""
    stem = _stem(name)
    prefix = f"{column}-"
    return stem[len(prefix):] if stem and stem.startswith(prefix) else None
