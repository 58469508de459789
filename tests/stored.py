"""What an export holds on disk, read the way the tests need it, in either layout."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from transforms.read import dataset


def data_files(output: Path, api: str, table: str) -> list[Path]:
    """Every Parquet data file of a table (``table`` or Hive layout), temp files aside."""
    base = output / api / table
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*.parquet")
                  if not any(part.startswith((".", "_")) for part in p.relative_to(base).parts))


def rows_of_project(output: Path, api: str, table: str, project: int) -> pa.Table:
    """One project's stored rows of a table, lineage included, in key order."""
    found = dataset(output, api, table).to_table()
    rows = found.filter(pc.fill_null(pc.equal(found["project_id"], project), False))
    return rows.sort_by([(c, "ascending") for c in ("id", "_ordinal") if c in rows.column_names])
