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

import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from transforms.read import dataset
from transforms.store.location import READING, parse_location
from transforms.tables import TABLE_SETS, table_set
from transforms.warehouse_sql import quote


def open_export(root: Path | str = "output") -> Export:
    """Open an export folder (what ``basecamp-extract export -o`` wrote): a local path or
    ``file://`` URI; an ``s3://``-style URI is checked and refused until issue 14's store."""
    path = parse_location(root).local_folder(READING)
    if not path.is_dir():
        raise FileNotFoundError(f"no export at {path}: run `basecamp-extract export` first")
    return Export(path)


class Export:
    """Typed access to every table of an export, as pandas or through DuckDB."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._con: duckdb.DuckDBPyConnection | None = None

    def __repr__(self) -> str:
        return f"Export({str(self.root)!r}, apis={self.apis()})"

    def apis(self) -> list[str]:
        return [api for api in TABLE_SETS if (self.root / api).is_dir()]

    def tables(self, api: str = "bc2") -> list[str]:
        """Declared tables present in the export, in declaration order."""
        folder = self.root / api
        if not folder.is_dir():
            return []
        return [name for name in table_set(api).registry if (folder / name).is_dir()]

    def dataset(self, api: str, table: str) -> ds.Dataset:
        return dataset(self.root, api, table)

    def arrow(self, api: str, table: str, columns: list[str] | None = None) -> pa.Table:
        return self.dataset(api, table).to_table(columns=columns)

    def df(self, api: str, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One table as pandas with declared dtypes (see the module docstring)."""
        return to_pandas(self.arrow(api, table, columns))

    def manifests(self, api: str = "bc2") -> list[dict[str, Any]]:
        """The latest run's manifest of each account exported under ``api``.

        Accounts are folders named for the family's account column (``account_id=`` for
        Basecamp, ``account=`` for Backpack).
        """
        folder = self.root / api / "_manifests"
        pattern = f"{table_set(api).account_column}=*/latest.json"
        return [json.loads(p.read_text()) for p in sorted(folder.glob(pattern))]

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
