"""The SQL both warehouses share: DDL from a column list, comments, the merge by primary key.

DuckDB and PostgreSQL accept the same ``INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE``,
``DISTINCT ON`` and ``COMMENT ON``, so one text serves both; only type spellings differ
(``warehouse_types``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from transforms.warehouse_types import dialect

LATEST = "_extracted_at"
# Stamped afresh by every export run: a row whose other columns are unchanged is not rewritten
# for them, so in the warehouse they name the run that last changed the row.
RUN_STAMPS = frozenset({"_run_id", LATEST})
TARGET = "_target"


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


def alter_type(target: str, column: str, kind: str, backend: str) -> str:
    """Convert a column in place (an upgrade from ``warehouse_types.UPGRADES``)."""
    spelled = dialect(kind, backend)
    value = quote(column)
    if backend == "postgresql" and kind == "JSON":
        # jsonb cannot hold U+0000; the same replacement the load applies to new values.
        value = f"replace({value}, '\\u0000', '\\ufffd')"
    return (f"ALTER TABLE {target} ALTER COLUMN {quote(column)} TYPE {spelled} "
            f"USING {value}::{spelled}")


def comment(kind: str, target: str, text: str) -> str:
    """``COMMENT ON TABLE|COLUMN``; an empty text removes the comment."""
    literal = "NULL" if not text else "'" + text.replace("'", "''") + "'"
    return f"COMMENT ON {kind} {target} IS {literal}"


def merge(target: str, staged: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """Insert new keys; update an existing key only when its values differ.

    A key staged twice keeps its latest row. The ``WHERE ... IS DISTINCT FROM`` leaves rows
    whose values are unchanged untouched (no new row version, no dead tuple in PostgreSQL);
    the run stamps alone do not count as a change. Warehouse columns the export lacks are not
    named, so updates leave them as they were.
    """
    names = ", ".join(quote(c) for c in columns)
    keys = ", ".join(quote(c) for c in key)
    order = keys + (f", {quote(LATEST)} DESC NULLS LAST" if LATEST in columns else "")
    updates = [c for c in columns if c not in key]
    compared = [c for c in updates if c not in RUN_STAMPS]
    if compared:
        ours = ", ".join(f"{quote(TARGET)}.{quote(c)}" for c in compared)
        theirs = ", ".join(f"excluded.{quote(c)}" for c in compared)
        action = ("DO UPDATE SET " + ", ".join(f"{quote(c)} = excluded.{quote(c)}"
                                               for c in updates)
                  + f" WHERE ({ours}) IS DISTINCT FROM ({theirs})")
    else:
        action = "DO NOTHING"
    return (f"INSERT INTO {target} AS {quote(TARGET)} ({names}) "
            f"SELECT DISTINCT ON ({keys}) {names} "
            f"FROM {staged} ORDER BY {order} ON CONFLICT ({keys}) {action}")
