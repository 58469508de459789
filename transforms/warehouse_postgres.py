"""The PostgreSQL warehouse: COPY into a temporary staging table, then merge by primary key."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import pyarrow.dataset as ds
from psycopg.conninfo import conninfo_to_dict

from transforms.redact import REDACTOR
from transforms.warehouse_sql import first_line, quote
from transforms.warehouse_types import JSON_COLUMNS, WarehouseError, from_catalog

STAGE = "_basecamp_stage"
BATCH_ROWS = 50_000


def jsonb_safe(text: str | None) -> str | None:
    """jsonb cannot hold U+0000: such characters in strings become U+FFFD (the replacement
    character); every other document is passed through untouched."""
    if text is None or "\\u0000" not in text:
        return text

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("\x00", "\ufffd")
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        return value

    return json.dumps(clean(json.loads(text)), sort_keys=True)


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

    def changed(self, sql: str) -> int:
        """Rows an INSERT inserted or updated (the command tag's count)."""
        return max(self.conn.execute(sql.encode()).rowcount, 0)

    def columns(self, schema: str, table: str) -> dict[str, str] | None:
        rows = self.conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            [schema, table]).fetchall()
        return {name: from_catalog(kind) for name, kind in rows} or None

    def comments(self, schema: str, table: str) -> dict[str | None, str]:
        """Column -> comment, the table's own under None; absent ones left out."""
        rows = self.conn.execute(
            "SELECT NULL, obj_description(c.oid, 'pg_class') FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND c.relname = %s UNION ALL "
            "SELECT a.attname, col_description(c.oid, a.attnum) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "WHERE n.nspname = %s AND c.relname = %s",
            [schema, table, schema, table]).fetchall()
        return {column: text for column, text in rows if text}

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
                values = [column.to_pylist() for column in batch.columns]
                for i, name in enumerate(columns):
                    if name in JSON_COLUMNS:
                        values[i] = [jsonb_safe(v) for v in values[i]]
                for row in zip(*values, strict=True):
                    copy.write_row(row)
        yield STAGE
