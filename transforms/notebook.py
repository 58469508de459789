"""An export opened for analysis: ``ex = open_export("output")``.

``ex.df("bc2", "todos")`` gives pandas frames with dtypes analysts can use directly: ids and
counts ``int64`` (pandas ``Int64`` when a column has nulls, never float), timestamps
``datetime64[us, UTC]``, flags ``bool`` (``boolean`` with nulls), dates as Arrow ``date32``.
``ex.duckdb()`` is an in-memory DuckDB connection with one view per table named
``<api>.<table>`` (``bc2.todos``): the same names ``basecamp-extract load`` gives warehouse
tables, so a query written in a notebook runs unchanged against the warehouse; ``ex.sql(...)``
runs one on those views and returns a frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from transforms.read import dataset
from transforms.store.location import Location
from transforms.store.manifest import Manifest, latest_manifests
from transforms.tables import TABLE_SETS, table_set
from transforms.tree import Tree, open_tree
from transforms.warehouse_sql import quote


def open_export(root: Path | str | Location = "output") -> Export:
    """Open an export (what ``basecamp-extract export -o`` wrote): a local path, a ``file://``
    URI or an object-store URI (``s3://bucket/prefix``), read through ``pyarrow.fs``."""
    tree = open_tree(root)
    if not tree.is_dir():
        raise FileNotFoundError(f"no export at {tree.shown}: run `basecamp-extract export` first")
    return Export(tree)


class Export:
    """Typed access to every table of an export, as pandas or through DuckDB."""

    def __init__(self, root: Tree | Path) -> None:
        self.tree = open_tree(root)
        # A local export's root stays the Path it always was; a remote one is its URI.
        self.root: Path | str = self.tree.folder or self.tree.shown
        self._con: duckdb.DuckDBPyConnection | None = None

    def __repr__(self) -> str:
        return f"Export({str(self.root)!r}, apis={self.apis()})"

    def apis(self) -> list[str]:
        return [api for api in TABLE_SETS if self.tree.is_dir(api)]

    def tables(self, api: str = "bc2") -> list[str]:
        """Declared tables present in the export, in declaration order."""
        present = set(self.tree.dirs(api))
        return [name for name in table_set(api).registry if name in present]

    def dataset(self, api: str, table: str) -> ds.Dataset:
        return dataset(self.tree, api, table)

    def arrow(self, api: str, table: str, columns: list[str] | None = None) -> pa.Table:
        return self.dataset(api, table).to_table(columns=columns)

    def df(self, api: str, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One table as pandas with declared dtypes (see the module docstring)."""
        return to_pandas(self.arrow(api, table, columns))

    def manifests(self, api: str = "bc2") -> list[Manifest]:
        """The latest run's manifest of each account exported under ``api``."""
        return latest_manifests(self.tree, api, table_set(api).account_column)

    def sql(self, query: str, params: list[Any] | None = None) -> pd.DataFrame:
        """Run SQL over the ``<api>.<table>`` views; the frame gets ``df``'s dtypes.

        Goes through Arrow rather than DuckDB's own ``.df()``, which trips pandas 3
        deprecation warnings and turns nullable integer columns into floats.
        """
        if self._con is None:
            self._con = self.duckdb()
        relation = self._con.sql(query, params=params)
        if relation is None:
            return pd.DataFrame()
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
        return to_pandas(fetch())

    def close(self) -> None:
        """Close the connection ``sql`` opened, if any."""
        if self._con is not None:
            self._con.close()
            self._con = None

    def duckdb(self) -> duckdb.DuckDBPyConnection:
        """In-memory DuckDB, session time zone UTC, every table a view ``<api>.<table>``."""
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'").fetchall()
        for api in self.apis():
            con.execute(f"CREATE SCHEMA {quote(api)}").fetchall()
            for table in self.tables(api):
                hidden = f"_{api}__{table}"
                con.register(hidden, self.dataset(api, table))
                con.execute(f"CREATE VIEW {quote(api)}.{quote(table)} AS "
                            f"SELECT * FROM {quote(hidden)}").fetchall()
        return con


def _dtype(kind: pa.DataType) -> Any:
    if pa.types.is_integer(kind):
        return pd.Int64Dtype()
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype()
    if pa.types.is_date(kind):
        return pd.ArrowDtype(kind)
    return None


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow -> pandas without the float detour for nullable ints; non-null columns go numpy."""
    frame = table.to_pandas(types_mapper=_dtype)
    for column in frame.columns:
        dtype = frame[column].dtype
        if isinstance(dtype, pd.Int64Dtype | pd.BooleanDtype) and not frame[column].hasnans:
            frame[column] = frame[column].astype("int64" if dtype == "Int64" else "bool")
    return frame
