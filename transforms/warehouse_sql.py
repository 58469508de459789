"""The SQL both warehouses share: DDL from a column list, and the merge by primary key.

DuckDB and PostgreSQL accept the same ``INSERT ... ON CONFLICT (key) DO UPDATE`` and
``DISTINCT ON``, so one text serves both; only type spellings differ (``warehouse_types``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from transforms.warehouse_types import dialect

LATEST = "_extracted_at"


def quote(name: str) -> str:
    """A double-quoted identifier: column names come from data, never trust them as SQL."""
    return '"' + name.replace('"', '""') + '"'


def relation(schema: str, table: str) -> str:
    return f"{quote(schema)}.{quote(table)}"


def first_line(exc: BaseException) -> str:
    """Database errors span lines (hints, carets); the CLI promises one."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def create_table(target: str, columns: Mapping[str, str], key: Sequence[str],
                 backend: str) -> str:
    body = [f"{quote(c)} {dialect(kind, backend)}" for c, kind in columns.items()]
    body.append(f"PRIMARY KEY ({', '.join(quote(c) for c in key)})")
    return f"CREATE TABLE {target} ({', '.join(body)})"


def add_column(target: str, column: str, kind: str, backend: str) -> str:
    return f"ALTER TABLE {target} ADD COLUMN {quote(column)} {dialect(kind, backend)}"


def merge(target: str, staged: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """Insert new keys, overwrite existing ones; a key staged twice keeps its latest row.

    Warehouse columns the export lacks are not named, so updates leave them as they were.
    """
    names = ", ".join(quote(c) for c in columns)
    keys = ", ".join(quote(c) for c in key)
    order = keys + (f", {quote(LATEST)} DESC NULLS LAST" if LATEST in columns else "")
    updates = [c for c in columns if c not in key]
    action = ("DO UPDATE SET " + ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in updates)
              if updates else "DO NOTHING")
    return (f"INSERT INTO {target} ({names}) SELECT DISTINCT ON ({keys}) {names} "
            f"FROM {staged} ORDER BY {order} ON CONFLICT ({keys}) {action}")
