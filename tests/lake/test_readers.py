"""Every reader the README shows keeps the export's types (issue 14, item 4).

The default sandbox of BC2 and of BC4 is exported once per module in the default layout (one
set of files per table and account, every column inside the files) and once with
``--partition-by project`` (Hive folders). Each of pandas (both dtype backends), Polars, DuckDB
and pyarrow reads every table of the default layout with the exact one line the README shows
(``READERS``, run verbatim), Spark five tables holding every column type (a JVM job per table
is slow); each must give int64 ids (pandas ``Int64``), an int64 account column and
``project_id``, tz-aware UTC timestamps and the manifest's row count. The project
layout is read through our own readers (``read_table``, ``open_export``) with the same types and
the same rows as the default layout.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from extract.export import run_export
from sandbox import Sandbox
from tests.conftest import LINEAGE, sandbox_config
from tests.test_bc4_export import config as bc4_config
from transforms.notebook import open_export
from transforms.read import read_table
from transforms.schemas import ID, TS
from transforms.tables import table_set

CONFIGS: dict[str, Callable[..., Any]] = {"bc2": sandbox_config, "bc4": bc4_config}
APIS = list(CONFIGS)


@dataclass(frozen=True)
class Exported:
    """One export of both sandboxes: its folder and each family's manifest."""

    output: Path
    manifests: dict[str, dict[str, Any]]

    def rows(self, api: str) -> dict[str, int]:
        """The manifest's row count of every table that has rows."""
        tables = self.manifests[api]["tables"]
        counts = {name: w.get("total_rows", w["rows"]) for name, w in tables.items()}
        return {name: n for name, n in counts.items() if n}

    def folder(self, api: str, table: str) -> Path:
        return self.output / api / table


@pytest.fixture(scope="module")
def boxes() -> Iterator[dict[str, Sandbox]]:
    """The default-size sandbox of each family, shared by both layouts' exports."""
    with ExitStack() as stack:
        yield {api: stack.enter_context(Sandbox(api=api, size="default", rate_limit=None))
               for api in APIS}


def export_all(boxes: dict[str, Sandbox], output: Path, **overrides: Any) -> Exported:
    manifests = {}
    for api, box in boxes.items():
        result = run_export(CONFIGS[api](box, output, **overrides))
        assert result.ok, result.manifest["failures"]
        manifests[api] = dict(result.manifest)
    return Exported(output, manifests)


@pytest.fixture(scope="module")
def by_table(boxes, tmp_path_factory) -> Exported:
    """The default layout (``--partition-by table``)."""
    return export_all(boxes, tmp_path_factory.mktemp("by-table") / "out")


@pytest.fixture(scope="module")
def by_project(boxes, tmp_path_factory) -> Exported:
    """The Hive layout of ``--partition-by project``."""
    return export_all(boxes, tmp_path_factory.mktemp("by-project") / "out",
                      partition_by="project")


@pytest.fixture(scope="module")
def spark(tmp_path_factory) -> Iterator[Any]:
    """A local[1] Spark session on loopback, session time zone UTC."""
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java 17+ runtime on PATH")
    from pyspark.sql import SparkSession  # JVM start-up: only when a Spark test runs

    session = (SparkSession.builder.master("local[1]").appName("basecamp-extract-readers")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark")))
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


Seen = tuple[int, dict[str, str]]  # rows, and each column's type as the reader names it


def pandas_seen(frame: pd.DataFrame) -> Seen:
    return len(frame), {str(c): str(t) for c, t in frame.dtypes.items()}


def polars_seen(frame: pl.DataFrame) -> Seen:
    return frame.height, {c: str(t) for c, t in frame.schema.items()}


def duckdb_seen(relation: duckdb.DuckDBPyRelation) -> Seen:
    ((counted,),) = relation.aggregate("count(*)").fetchall()
    return counted, {c: str(t) for c, t in zip(relation.columns, relation.types, strict=True)}


def arrow_seen(table: pa.Table) -> Seen:
    return table.num_rows, {f.name: str(f.type) for f in table.schema}


def spark_seen(frame: Any) -> Seen:
    return frame.count(), {f.name: f.dataType.simpleString() for f in frame.schema.fields}


@dataclass(frozen=True)
class Reader:
    """A README line (``{folder}`` is a table's folder, e.g. ``out/bc4/todos``), how to see
    what it returned, and the reader's names for int64 and for a UTC timestamp."""

    snippet: str
    seen: Callable[[Any], Seen]
    int64: str
    utc: str
    session: str | None = None  # the fixture the snippet names (Spark's session)
    only: tuple[str, ...] = ()  # tables to read, when not all (a JVM job per table is slow)


READERS: dict[str, Reader] = {
    "pandas-numpy_nullable": Reader(
        'pd.read_parquet("{folder}", dtype_backend="numpy_nullable")', pandas_seen,
        "Int64", "datetime64[us, UTC]"),
    "pandas-pyarrow": Reader(
        'pd.read_parquet("{folder}", dtype_backend="pyarrow")', pandas_seen,
        "int64[pyarrow]", "timestamp[us, tz=UTC][pyarrow]"),
    "polars": Reader(
        'pl.read_parquet("{folder}/*.parquet")', polars_seen,
        "Int64", "Datetime(time_unit='us', time_zone='UTC')"),
    "duckdb": Reader(
        "duckdb.sql(\"SELECT * FROM read_parquet('{folder}/*.parquet', union_by_name = true)\")",
        duckdb_seen, "BIGINT", "TIMESTAMP WITH TIME ZONE"),
    "pyarrow-parquet": Reader(
        'pq.read_table("{folder}")', arrow_seen, "int64", "timestamp[us, tz=UTC]"),
    "pyarrow-dataset": Reader(
        'ds.dataset("{folder}").to_table()', arrow_seen, "int64", "timestamp[us, tz=UTC]"),
    "spark": Reader(
        'spark.read.parquet("{folder}")', spark_seen, "bigint", "timestamp", session="spark",
        only=("projects", "people", "todos", "comments", "uploads")),
}


def declared_kinds(api: str, table: str) -> dict[str, pa.DataType]:
    """The table's int64 and timestamp columns, as the storage contract declares them."""
    return {c: t for c, t in table_set(api).registry[table].declared().items() if t in (ID, TS)}


def mistakes(reader: Reader, api: str, table: str, seen: Seen, rows: int) -> list[str]:
    """Where what a reader gave differs from the contract (empty when it keeps it). The
    declared columns include the account column and project_id wherever a table has them."""
    count, types = seen
    found = [f"{table}: {count} rows, manifest says {rows}"] if count != rows else []
    for column, kind in declared_kinds(api, table).items():
        want, got = (reader.int64 if kind == ID else reader.utc), types.get(column)
        if got != want:
            found.append(f"{table}.{column}: {got or 'missing'}, want {want}")
    return found


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("name", list(READERS))
def test_reader__keeps_int64_ids_utc_timestamps_and_every_row(name, api, by_table, request):
    """With the README's line for this reader run on every table of the default layout,
    expect int64 ids (Int64 in pandas numpy_nullable), the account column and project_id
    int64, timestamps UTC, and the manifest's row count, table for table."""
    reader = READERS[name]
    scope = {"pd": pd, "pl": pl, "duckdb": duckdb, "pq": pq, "ds": ds}
    if reader.session:
        scope[reader.session] = request.getfixturevalue(reader.session)
    rows = by_table.rows(api)
    assert len(rows) > 20 and sum(rows.values()) > 4000
    if reader.only:
        rows = {t: n for t, n in rows.items() if t in reader.only}
        assert rows.keys() == set(reader.only)
    found = []
    for table, count in rows.items():
        line = reader.snippet.format(folder=by_table.folder(api, table))
        found += mistakes(reader, api, table, reader.seen(eval(line, scope)), count)
    assert found == []


FILE_NAME = re.compile(r"(?P<column>[a-z_]+)-(?P<account>[^-/]+)-\d{3}\.parquet")


@pytest.mark.parametrize("api", APIS)
def test_default_layout__plain_files_with_every_column_inside(api, by_table):
    """What the readers above rely on: expect every table folder to hold only files named
    ``<account column>-<account>-NNN.parquet`` (no Hive folders), whose own schema carries
    the account column and project_id as int64."""
    account = table_set(api).account_column
    wrong = []
    for table in by_table.rows(api):
        spec = table_set(api).registry[table]
        for entry in sorted(by_table.folder(api, table).iterdir()):
            named = FILE_NAME.fullmatch(entry.name)
            if not entry.is_file() or named is None or named["column"] != account:
                wrong.append(f"{table}/{entry.name}")
                continue
            schema = pq.read_schema(entry)
            wrong += [f"{table}/{entry.name}: {c}" for c in spec.partition
                      if c not in schema.names or schema.field(c).type != ID]
    assert wrong == []


def comparable(table: pa.Table) -> pa.Table:
    """Lineage dropped, columns by name, rows sorted by every column."""
    columns = sorted(c for c in table.column_names if c not in LINEAGE)
    return table.select(columns).sort_by([(c, "ascending") for c in columns])


@pytest.mark.parametrize("api", APIS)
def test_project_layout__our_readers_keep_types(api, by_project):
    """With ``--partition-by project`` (Hive folders), expect ``read_table`` to give Arrow
    int64 / UTC timestamp dtypes, ``open_export(...).df`` numpy int64 (Int64 with nulls) and
    ``datetime64[us, UTC]``, and both the manifest's rows."""
    hive = by_project.folder(api, "todos")
    assert any(p.is_dir() and p.name.startswith("account_id=") for p in hive.iterdir())
    export = open_export(by_project.output)
    as_arrow = Reader("", pandas_seen, "int64[pyarrow]", "timestamp[us, tz=UTC][pyarrow]")
    found = []
    for table, count in by_project.rows(api).items():
        seen = pandas_seen(read_table(by_project.output, api, table))
        found += mistakes(as_arrow, api, table, seen, count)
        rows, types = pandas_seen(export.df(api, table))
        for column, kind in declared_kinds(api, table).items():
            allowed = {"int64", "Int64"} if kind == ID else {"datetime64[us, UTC]"}
            if types.get(column) not in allowed:
                found.append(f"df {table}.{column}: {types.get(column)}")
        found += [f"df {table}: {rows} rows"] if rows != count else []
    assert found == []


@pytest.mark.parametrize("api", APIS)
def test_project_layout__same_rows_and_types_as_the_default_layout(api, by_table, by_project):
    """Expect ``open_export`` of either layout to list the same tables and give the same
    schema and the same rows (lineage aside) for each."""
    flat, hive = open_export(by_table.output), open_export(by_project.output)
    assert flat.tables(api) == hive.tables(api)
    assert by_project.rows(api) == by_table.rows(api)
    differ = []
    for table in by_table.rows(api):
        mine, theirs = comparable(flat.arrow(api, table)), comparable(hive.arrow(api, table))
        if not (mine.schema == theirs.schema and mine.equals(theirs)):
            differ.append(table)
        if dict(flat.df(api, table).dtypes) != dict(hive.df(api, table).dtypes):
            differ.append(f"{table} dtypes")
    assert differ == []
