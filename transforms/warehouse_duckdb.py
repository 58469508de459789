"""The embedded warehouse: one DuckDB file, the export's Parquet scanned in place as staging."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import pyarrow.dataset as ds

from transforms.warehouse_sql import first_line
from transforms.warehouse_types import WarehouseError, from_catalog


class DuckDBWarehouse:
    """One connection to a DuckDB file; each table loads in its own transaction."""

    kind = "duckdb"

    def __init__(self, path: Path) -> None:
        self.label = f"duckdb {path}"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(path))
        except (OSError, duckdb.Error) as exc:
            raise WarehouseError(f"cannot open {path}: {first_line(exc)}") from None

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def transaction(self, where: str) -> Iterator[None]:
        """Commit on success; on any failure roll back so the table keeps its previous state."""
        self.con.begin()
        try:
            yield
            self.con.commit()
        except duckdb.Error as exc:
            self.con.rollback()
            raise WarehouseError(f"{where}: {first_line(exc)}") from None
        except BaseException:
            self.con.rollback()
            raise

    def execute(self, sql: str) -> None:
        """Fetch the result too: DuckDB refuses new work while one is pending."""
        self.con.execute(sql).fetchall()

    def changed(self, sql: str) -> int:
        """Rows an INSERT inserted or updated (DuckDB answers the count as the result)."""
        rows = self.con.execute(sql).fetchall()
        return int(rows[0][0]) if rows else 0

    def columns(self, schema: str, table: str) -> dict[str, str] | None:
        """Column -> canonical type of an existing table, or None when there is no such table."""
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position", [schema, table]).fetchall()
        return {name: from_catalog(kind) for name, kind in rows} or None

    def comments(self, schema: str, table: str) -> dict[str | None, str]:
        """Column -> comment, the table's own under None; absent or empty ones left out."""
        where = "WHERE database_name = current_database() AND schema_name = ? AND table_name = ?"
        rows = self.con.execute(f"SELECT NULL, comment FROM duckdb_tables() {where} UNION ALL "
                                f"SELECT column_name, comment FROM duckdb_columns() {where}",
                                [schema, table, schema, table]).fetchall()
        return {column: text for column, text in rows if text}

    def count(self, relation: str) -> int:
        return int(self.con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])

    @contextmanager
    def staged(self, data: ds.Dataset, columns: Sequence[str], target: str) -> Iterator[str]:
        """The dataset itself is the staging relation: DuckDB scans the Parquet files lazily.

        After a failed statement DuckDB refuses even ``unregister`` until the rollback; the
        next table's ``register`` replaces the name anyway, so that refusal is ignored.
        """
        name = "_basecamp_stage"
        self.con.register(name, data)
        try:
            yield name
        finally:
            with suppress(duckdb.Error):
                self.con.unregister(name)
