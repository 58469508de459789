"""DuckDB over an export's files vs the same rows in one file: what many small files cost.

Run inside one job process (``bench.jobs`` kind ``scan``). For each layout's output and each
table the family's ``Profile.scans`` names, the table's files (as ``transforms.read.dataset``
finds them) are read with DuckDB's ``read_parquet``, and the same rows, read back by pyarrow
and written with ``pyarrow.parquet.write_table`` into ONE file, are read the same way. Each
query runs once untimed (the first read also warms the OS file cache), then at least ``repeat``
times and for at least ``BUDGET_S`` seconds, taking turns with its one-file twin; the median
is reported. The ratio is many files / one file (1 = the files cost nothing).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from transforms.read import dataset

BUDGET_S = 0.5  # seconds of timed rounds per query pair, at least
MAX_ROUNDS = 200

QUERIES = {
    "count": "select count(*) from {source}",
    "group_by": "select {group_by}, count(*), max({time}) from {source} group by {group_by}",
}


def source(files: list[str], hive: bool) -> str:
    """``read_parquet`` over a list of files; hive folders give partition columns."""
    listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return f"read_parquet([{listed}], hive_partitioning = {'true' if hive else 'false'})"


def timed(con: duckdb.DuckDBPyConnection, queries: list[str], repeat: int,
          budget_s: float = BUDGET_S) -> tuple[list[tuple[float, list]], int]:
    """Per query: the median seconds of its timed runs and its answer; and how many runs each
    had. Each query runs once untimed first; then the queries take turns, at least ``repeat``
    rounds and until ``budget_s`` has passed (at most ``MAX_ROUNDS``), so the median of a
    query of a millisecond spans more than one passing burst of load on the machine."""
    answers = [con.execute(sql).fetchall() for sql in queries]
    seconds: list[list[float]] = [[] for _ in queries]
    started_all = time.perf_counter()
    rounds = 0
    while rounds < MAX_ROUNDS and (
            rounds < repeat or time.perf_counter() - started_all < budget_s):
        for sql, found in zip(queries, seconds, strict=True):
            started = time.perf_counter()
            con.execute(sql).fetchall()
            found.append(time.perf_counter() - started)
        rounds += 1
    return [(statistics.median(s), a) for s, a in zip(seconds, answers, strict=True)], rounds


def compact(output: Path, api: str, table: str, into: Path) -> list[str]:
    """Write the table's rows into one Parquet file; the files they came from."""
    found = dataset(output, api, table)
    pq.write_table(found.to_table(), into)
    return list(found.files)


def scan_table(con: duckdb.DuckDBPyConnection, files: list[str], one: Path, hive: bool,
               columns: dict[str, str], repeat: int) -> dict[str, Any]:
    """Each query over the files and over the one file: medians in ms and their ratio."""
    found: dict[str, Any] = {"files": len(files)}
    for name, sql in QUERIES.items():
        [(many_s, many), (one_s, single)], runs = timed(
            con, [sql.format(source=source(files, hive), **columns),
                  sql.format(source=source([str(one)], False), **columns)], repeat)
        found[name] = {"files_ms": round(1000 * many_s, 2), "one_file_ms": round(1000 * one_s, 2),
                       "ratio": round(many_s / one_s, 2) if one_s else None, "runs": runs,
                       "same_answer": sorted(many) == sorted(single)}
    return found


def scan_layouts(spec: dict[str, Any], work: Path) -> dict[str, Any]:
    """``spec``: api, repeat, scans {table: [group_by, time]}, outputs {layout: {path, hive}}."""
    con = duckdb.connect()
    result: dict[str, Any] = {}
    for layout, where in spec["outputs"].items():
        tables: dict[str, Any] = {}
        for table, (group_by, time_column) in spec["scans"].items():
            one = work / f"{layout}-{table}.parquet"
            try:
                files = compact(Path(where["path"]), spec["api"], table, one)
                tables[table] = scan_table(con, files, one, where["hive"],
                                           {"group_by": group_by, "time": time_column},
                                           spec["repeat"])
                tables[table]["rows"] = pq.read_metadata(one).num_rows
            except (duckdb.Error, OSError, ValueError) as exc:  # one table's failure is a figure
                tables[table] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        result[layout] = tables
    return result
