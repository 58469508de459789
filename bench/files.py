"""Files per table and rows per file of an export: what every reader pays per file (issue 14).

The files are found the way readers find them (``transforms.read.dataset``, which knows both
layouts), and each file's rows come from its Parquet footer, so nothing is decoded.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from transforms.read import dataset
from transforms.tables import table_set
from transforms.tree import Tree

BIG_TABLE = 1_000  # rows: such a table's files should hold >= this many rows (median)
SMALL_FILE = 10  # rows: the issue counted files below this as "tiny"
WORST = 5  # how many of the worst tables are listed


def rows_per_file(output: Path, api: str) -> dict[str, list[int]]:
    """Rows of each Parquet file of each table of ``api`` in ``output``."""
    tree = Tree.local(output)
    names = set(table_set(api).registry)
    return {table: [fragment.metadata.num_rows
                    for fragment in dataset(tree, api, table).get_fragments()]
            for table in tree.dirs(api) if table in names}


def _median(values: list[int]) -> float | None:
    return statistics.median(values) if values else None


def file_stats(output: Path, api: str) -> dict[str, Any]:
    """Files, rows and median rows per file, over all tables and over the big ones.

    ``worst`` lists the big tables (>= ``BIG_TABLE`` rows) with the fewest rows per file.
    """
    per_table = rows_per_file(output, api)
    tables = {name: {"files": len(counts), "rows": sum(counts),
                     "median_rows_per_file": _median(counts)}
              for name, counts in sorted(per_table.items())}
    every = [n for counts in per_table.values() for n in counts]
    big = [name for name, t in tables.items() if t["rows"] >= BIG_TABLE]
    worst = sorted(big, key=lambda name: (tables[name]["median_rows_per_file"], name))
    return {
        "files": len(every), "rows": sum(every), "tables": len(tables),
        "median_rows_per_file": _median(every),
        "files_under_10_rows_pct": (round(100 * sum(n < SMALL_FILE for n in every) / len(every),
                                          1) if every else None),
        "big_tables": len(big),
        "median_rows_per_file_big_tables": _median(
            [n for name in big for n in per_table[name]]),
        "worst_big_table_median": tables[worst[0]]["median_rows_per_file"] if worst else None,
        "worst": [{"table": name, **tables[name]} for name in worst[:WORST]],
        "per_table": tables,
    }
