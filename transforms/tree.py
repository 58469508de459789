"""An export's root on any filesystem, and the one way files are written there: whole or not at all.

A ``Tree`` is a ``pyarrow.fs`` filesystem and the export's base path in it, so a local folder and
an ``s3://`` (``gs://``, ``abfs://``) export are read and written by the same code.

Every file is published whole. Locally it is written to a hidden temp file beside its name,
fsynced and renamed over it (``os.replace``). Object stores have no rename: the bytes go to a
hidden temp object, and a server-side copy then puts the complete object under its name (a copy
of one object is atomic on S3, GCS and Azure), so a reader, or a crash at any moment, only ever
meets the complete old or the complete new object. Temp names start with ``.``, which pyarrow,
pandas, Polars, DuckDB and Spark skip when they list a folder; a killed run's leftovers are swept
by the next run (``sweep_temp_files``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.fs as pafs

from transforms.errors import OutputError
from transforms.store.location import Location, parse_location, reason

TEMP_SUFFIX = ".tmp"
STAGED_SUFFIX = ".staged"  # a file of a set being published (``transforms.store.publish``)
Writer = Callable[[BinaryIO], None]


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

    def kind(self, *parts: str) -> pafs.FileType:
        try:
            return self.fs.get_file_info(self.path(*parts)).type
        except (OSError, pa.ArrowException):
            return pafs.FileType.Unknown

    def is_dir(self, *parts: str) -> bool:
        return self.kind(*parts) == pafs.FileType.Directory

    def is_file(self, *parts: str) -> bool:
        return self.kind(*parts) == pafs.FileType.File

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

    def read_bytes(self, *parts: str) -> bytes:
        """One file's bytes; FileNotFoundError when it is not there, on every store."""
        path = self.path(*parts)
        if not self.remote:
            return Path(path).read_bytes()
        if self.kind(*parts) != pafs.FileType.File:
            raise FileNotFoundError(f"no file {self.show(*parts)}")
        with self.fs.open_input_stream(path) as stream:
            return stream.read()

    def read_text(self, *parts: str) -> str:
        return self.read_bytes(*parts).decode("utf-8")

    def file(self, *parts: str) -> StoredFile:
        return StoredFile(self, parts)

    def publish(self, parts: tuple[str, ...], write: Writer) -> None:
        """Write one file whole (see the module docstring): ``write`` fills a temp file, which
        then takes the file's name."""
        *folder, name = parts
        temp = (*folder, f".{name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
        try:
            if self.remote:
                self._publish_remote(parts, temp, write)
            else:
                self._publish_local(parts, temp, write)
        except (OSError, pa.ArrowException) as exc:
            self.discard(*temp)
            raise OutputError(f"cannot write {self.show(*parts)}: {_reason(exc)}") from None

    def _publish_local(self, parts: tuple[str, ...], temp: tuple[str, ...],
                       write: Writer) -> None:
        os.makedirs(self.path(*parts[:-1]), exist_ok=True)
        with open(self.path(*temp), "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(self.path(*temp), self.path(*parts))

    def _publish_remote(self, parts: tuple[str, ...], temp: tuple[str, ...],
                        write: Writer) -> None:
        with self.fs.open_output_stream(self.path(*temp)) as stream:
            write(stream)  # type: ignore[arg-type]  # a NativeFile takes bytes like a file
        self.fs.copy_file(self.path(*temp), self.path(*parts))
        self.fs.delete_file(self.path(*temp))

    def write_bytes(self, parts: tuple[str, ...], payload: bytes) -> None:
        self.publish(parts, lambda handle: handle.write(payload) and None)

    def move(self, source: tuple[str, ...], target: tuple[str, ...]) -> None:
        """Give a complete file another name: a rename on a disk, a server-side copy then a
        delete on an object store (the target appears whole either way)."""
        try:
            if self.remote:
                self.fs.copy_file(self.path(*source), self.path(*target))
                self.fs.delete_file(self.path(*source))
            else:
                os.replace(self.path(*source), self.path(*target))
        except (OSError, pa.ArrowException) as exc:
            raise OutputError(f"cannot write {self.show(*target)}: {_reason(exc)}") from None

    def remove(self, *parts: str) -> None:
        """Delete a file or a folder with everything in it; nothing when it is not there."""
        kind = self.kind(*parts)
        try:
            if kind == pafs.FileType.Directory:
                if self.remote:
                    self.fs.delete_dir(self.path(*parts))
                else:
                    shutil.rmtree(self.path(*parts))
            elif kind == pafs.FileType.File:
                self.fs.delete_file(self.path(*parts))
        except (OSError, pa.ArrowException) as exc:
            raise OutputError(f"cannot remove {self.show(*parts)}: {_reason(exc)}") from None

    def discard(self, *parts: str) -> None:
        """Delete a temp file, quietly: it was never visible as data."""
        with contextlib.suppress(OSError, pa.ArrowException):
            self.fs.delete_file(self.path(*parts))


def _reason(exc: BaseException) -> str:
    """An OS error's own words, or a store's error on one line with credentials masked."""
    return getattr(exc, "strerror", None) or reason(exc)


@dataclass(frozen=True)
class StoredFile:
    """One file of a tree with the two things readers of a local ``Path`` ask of it
    (``read_text`` and its name in messages), so a reader written for a path reads any store."""

    tree: Tree
    parts: tuple[str, ...]

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.tree.read_text(*self.parts)

    def is_file(self) -> bool:
        return self.tree.is_file(*self.parts)

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
