"""Reading an export back with the declared types, partition columns included, from any store.

Hive readers infer partition column types from directory names (pyarrow picks int32, or string
when an id does not fit); these helpers pass the declared int64 partitioning so ids stay int64,
and unify file schemas so a column that first appears in a later file (drift) is not dropped.

An export is read through a ``Tree``: a ``pyarrow.fs`` filesystem and the export's base path
in it, so a local folder and an ``s3://`` (``gs://``, ``abfs://``) export are read by the same
code; DuckDB's ``httpfs`` extension is never needed, pyarrow does the reading.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from transforms.schemas import CONTEXT_TYPES
from transforms.store.location import Location, parse_location
from transforms.tables import table_set


@dataclass(frozen=True)
class Tree:
    """An export's root on a filesystem; ``shown`` is what messages and documents say (the
    local path as given, or ``scheme://bucket/prefix``)."""

    fs: pafs.FileSystem
    base: str
    shown: str

    @classmethod
    def local(cls, folder: Path | str) -> Tree:
        return cls(pafs.LocalFileSystem(), os.path.abspath(folder), str(Path(folder)))

    @property
    def remote(self) -> bool:
        return not isinstance(self.fs, pafs.LocalFileSystem)

    @property
    def folder(self) -> Path | None:
        """The local folder, or None for a remote export."""
        return None if self.remote else Path(self.shown)

    def path(self, *parts: str) -> str:
        """A path inside the export, in the filesystem's own terms."""
        return "/".join([self.base.rstrip("/") or "/", *parts]) if parts else self.base

    def show(self, *parts: str) -> str:
        """A path inside the export as messages show it (a local one as pathlib would)."""
        return str(Path(self.shown, *parts)) if not self.remote else "/".join([self.shown, *parts])

    def is_dir(self, *parts: str) -> bool:
        return self.fs.get_file_info(self.path(*parts)).type == pafs.FileType.Directory

    def entries(self, *parts: str, recursive: bool = False) -> list[pafs.FileInfo]:
        """What a folder holds; nothing when it is missing, unreadable or a file."""
        selector = pafs.FileSelector(self.path(*parts), allow_not_found=True,
                                     recursive=recursive)
        try:
            return list(self.fs.get_file_info(selector))
        except (OSError, pa.ArrowException):
            return []

    def dirs(self, *parts: str) -> list[str]:
        """Names of the sub-folders of a folder, sorted."""
        return sorted(i.base_name for i in self.entries(*parts)
                      if i.type == pafs.FileType.Directory)

    def files(self, *parts: str) -> list[str]:
        """Names of the files in a folder, sorted."""
        return sorted(i.base_name for i in self.entries(*parts) if i.type == pafs.FileType.File)

    def read_text(self, *parts: str) -> str:
        """One file's text; FileNotFoundError when it is not there, on every store."""
        path = self.path(*parts)
        if self.fs.get_file_info(path).type != pafs.FileType.File:
            raise FileNotFoundError(f"no file {self.show(*parts)}")
        with self.fs.open_input_stream(path) as stream:
            return stream.read().decode("utf-8")

    def file(self, *parts: str) -> StoredFile:
        return StoredFile(self, parts)


@dataclass(frozen=True)
class StoredFile:
    """One file of a tree with the two things readers of a local ``Path`` ask of it
    (``read_text`` and its name in messages), so a reader written for a path reads any store."""

    tree: Tree
    parts: tuple[str, ...]

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.tree.read_text(*self.parts)

    def __str__(self) -> str:
        return self.tree.show(*self.parts)


def open_tree(root: Tree | Location | Path | str) -> Tree:
    """The export at ``root``: a Path is a local folder; a string is parsed like ``--output``
    (a remote bucket is probed first: missing or unreachable is exit 5)."""
    if isinstance(root, Tree):
        return root
    if isinstance(root, Path):
        return Tree.local(root)
    where = root if isinstance(root, Location) else parse_location(root)
    if not where.remote:
        return Tree.local(where.path)
    return Tree(where.probe(), where.path, where.shown)


def dataset(output: Tree | Path | str, api: str, table: str) -> ds.Dataset:
    """A pyarrow dataset over one table of an export, partitions typed as declared."""
    tree = open_tree(output)
    spec = table_set(api).registry[table]
    fields = [pa.field(c, CONTEXT_TYPES[c]) for c in spec.partition]
    partitioning = ds.partitioning(pa.schema(fields), flavor="hive")
    root = tree.path(api, table)
    found = ds.dataset(root, format="parquet", partitioning=partitioning, filesystem=tree.fs)
    schema = pa.unify_schemas([f.physical_schema for f in found.get_fragments()] or
                              [spec.file_schema()])
    for field in fields:
        if field.name not in schema.names:
            schema = schema.append(field)
    return found.replace_schema(schema)  # the files already found: no second listing


def read_table(output: Tree | Path | str, api: str, table: str) -> pd.DataFrame:
    """One table as a DataFrame: int64 ids, tz-aware UTC timestamps, nullable columns."""
    return dataset(output, api, table).to_table().to_pandas(types_mapper=pd.ArrowDtype)
