"""The PostgreSQL warehouse: COPY into a temporary staging table, then merge by primary key."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
import pyarrow.dataset as ds
from psycopg.conninfo import conninfo_to_dict

from extract.redact import REDACTOR
from transforms.warehouse_sql import first_line, quote
from transforms.warehouse_types import WarehouseError, from_catalog

STAGE = "_basecamp_stage"
BATCH_ROWS = 50_000


def safe_label(url: str) -> str:
    """The URL without its password, for summaries and errors."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.Error:
        return "postgresql (unparsable URL)"
    REDACTOR.add(str(info.get("password") or ""))
    user = f"{info['user']}@" if info.get("user") else ""
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{info.get('host', '')}{port}/{info.get('dbname', '')}"


class PostgresWarehouse:
    """One autocommit connection; each table loads inside an explicit transaction block."""

    kind = "postgresql"

    def __init__(self, url: str) -> None:
        self.label = safe_label(url)
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise WarehouseError(f"cannot connect to {self.label}: {first_line(exc)}") from None

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self, where: str) -> Iterator[None]:
        """psycopg rolls the block back on any exception; we only translate the message."""
        try:
            with self.conn.transaction():
                yield
        except psycopg.Error as exc:
            raise WarehouseError(f"{where}: {first_line(exc)}") from None

    def execute(self, sql: str) -> None:
        self.conn.execute(sql.encode())

    def columns(self, schema: str, table: str) -> dict[str, str] | None:
        rows = self.conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            [schema, table]).fetchall()
        return {name: from_catalog(kind) for name, kind in rows} or None

    def count(self, relation: str) -> int:
        row = self.conn.execute(f"SELECT count(*) FROM {relation}".encode()).fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def staged(self, data: ds.Dataset, columns: Sequence[str], target: str) -> Iterator[str]:
        """A temp table shaped like the target's columns, filled with one COPY stream."""
        names = ", ".join(quote(c) for c in columns)
        self.execute(f"CREATE TEMP TABLE {STAGE} ON COMMIT DROP AS "
                     f"SELECT {names} FROM {target} WITH NO DATA")
        with self.conn.cursor() as cur, \
                cur.copy(f"COPY {STAGE} ({names}) FROM STDIN".encode()) as copy:
            for batch in data.to_batches(columns=list(columns), batch_size=BATCH_ROWS):
                for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                    copy.write_row(row)
        yield STAGE
