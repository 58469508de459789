"""Load an export's Parquet into a warehouse: DuckDB (embedded, default) or PostgreSQL.

One schema per API family (``bc2``), one table per Parquet table, the declared types and a
primary key on the table's key (partition columns are ordinary columns there). Each table loads
in its own transaction: stage the export, add columns that appeared since (drift), then merge
by primary key, so loading the same export twice changes nothing (not one row is rewritten),
a newer export updates the rows whose values changed and adds new ones, and a failure leaves
that table exactly as it was. Tables and columns carry the dictionary's descriptions
(``COMMENT ON``); ``_unparsed`` is JSON (``jsonb`` in PostgreSQL).

Rows that are gone from the export are kept: an export only removes rows when its own rule
says so (a partition replaced), and a warehouse often outlives the Parquet it was fed from.
"""

from __future__ import annotations

import logging
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow.dataset as ds

from transforms import warehouse_sql as sql
from transforms.dictionary import column_notes
from transforms.errors import ConfigError
from transforms.read import dataset
from transforms.tables import TABLE_SETS, table_set
from transforms.tree import Tree, open_tree
from transforms.warehouse_types import UPGRADES, WarehouseError, canonical

log = logging.getLogger(__name__)

WAREHOUSE_FILE = "warehouse.duckdb"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")

__all__ = ["LoadResult", "TableLoad", "WarehouseError", "connect", "load_export"]


class Warehouse(Protocol):
    """What the loader needs from a database; see ``warehouse_duckdb`` and ``_postgres``."""

    kind: str
    label: str

    def close(self) -> None: ...
    def transaction(self, where: str) -> AbstractContextManager[None]: ...
    def execute(self, sql: str) -> None: ...
    def changed(self, sql: str) -> int: ...
    def columns(self, schema: str, table: str) -> dict[str, str] | None: ...
    def comments(self, schema: str, table: str) -> dict[str | None, str]: ...
    def count(self, relation: str) -> int: ...
    def staged(self, data: ds.Dataset, columns: list[str],
               target: str) -> AbstractContextManager[str]: ...


@dataclass(frozen=True)
class TableLoad:
    """What one table's load did: rows in the export, rows new to the warehouse, rows updated."""

    api: str
    table: str
    rows: int
    new_rows: int
    added_columns: tuple[str, ...] = ()
    updated_rows: int = 0


@dataclass
class LoadResult:
    target: str
    tables: list[TableLoad] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def new_rows(self) -> int:
        return sum(t.new_rows for t in self.tables)

    @property
    def updated_rows(self) -> int:
        return sum(t.updated_rows for t in self.tables)

    def summary(self) -> str:
        return (f"loaded {len(self.tables)} tables, {self.rows:,} rows ({self.new_rows:,} new, "
                f"{self.updated_rows:,} updated) into {self.target} in {self.seconds:.1f}s")


def connect(target: str | Path) -> Warehouse:
    """A PostgreSQL URL, or else a DuckDB file path."""
    text = str(target)
    # Each backend is imported when asked for: a DuckDB load never loads psycopg, and back.
    if text.startswith(POSTGRES_SCHEMES):
        from transforms.warehouse_postgres import PostgresWarehouse

        return PostgresWarehouse(text)
    if "://" in text:
        raise ConfigError(f"unsupported warehouse {text.split('://')[0]}://; give a DuckDB file "
                          "path or a postgresql:// URL")
    from transforms.warehouse_duckdb import DuckDBWarehouse

    return DuckDBWarehouse(Path(text))


def exported_apis(output: Tree) -> list[str]:
    return [api for api in TABLE_SETS if output.is_dir(api)]


def exported_tables(output: Tree, api: str, skipped: list[str]) -> list[str]:
    """Declared tables with a folder in the export; undeclared (drift) tables are skipped."""
    folders = {name for name in output.dirs(api) if not name.startswith(("_", "."))}
    registry = table_set(api).registry
    skipped.extend(f"{api}.{name}" for name in sorted(folders - set(registry)))
    return [name for name in registry if name in folders]


def load_export(output: Tree | Path | str, to: str | Path | None = None,
                apis: list[str] | None = None) -> LoadResult:
    """Load every table of every API in ``output`` (or of ``apis``) into the warehouse ``to``.

    ``output`` may be remote (``s3://...``, read through ``pyarrow.fs``); its warehouse is
    then never put in the store, so ``to`` must be given. Every table is attempted; if any
    failed, raise one ``WarehouseError`` naming the first after the others have loaded
    (failed tables kept their previous state).
    """
    started = time.monotonic()
    tree = open_tree(output)
    if to is None and tree.folder is None:
        raise ConfigError(f"loading {tree.shown} needs --to: a local DuckDB file or a "
                          "postgresql:// URL")
    chosen = apis or exported_apis(tree)
    missing = [api for api in chosen if not tree.is_dir(api)]
    if not chosen or missing:
        raise ConfigError(f"no {'/'.join(missing) or 'export'} under {tree.shown}: run "
                          "`basecamp-extract export` first (or pass --output)")
    warehouse = connect(to if to is not None else Path(tree.shown) / WAREHOUSE_FILE)
    result = LoadResult(target=warehouse.label)
    failures: list[str] = []
    try:
        for api in chosen:
            for name in exported_tables(tree, api, result.skipped):
                try:
                    result.tables.append(load_table(warehouse, tree, api, name))
                except WarehouseError as exc:
                    failures.append(exc.one_line())
    finally:
        warehouse.close()
    for name in result.skipped:
        log.warning("%s: undeclared table (drift) not loaded; it has no declared key", name)
    result.seconds = time.monotonic() - started
    if failures:
        more = f" (and {len(failures) - 1} more table(s))" if len(failures) > 1 else ""
        raise WarehouseError(f"{failures[0]}{more}; failed tables kept their previous state")
    return result


def load_table(warehouse: Warehouse, output: Tree, api: str, name: str) -> TableLoad:
    """Stage, evolve, describe, merge: one transaction, so a failure leaves the table as it was."""
    fam = table_set(api)
    spec = fam.registry[name]
    data = dataset(output, api, name)
    declared = spec.arrow_schema().names
    found = data.schema.names
    order = [c for c in declared if c in found] + [c for c in found if c not in declared]
    columns = {c: canonical(data.schema.field(c).type, f"{api}.{name}.{c}") for c in order}
    absent = [c for c in spec.key if c not in columns]
    if absent:
        raise WarehouseError(f"{api}.{name}: key column(s) {', '.join(absent)} missing")
    target = sql.relation(api, name)
    with warehouse.transaction(f"{api}.{name}"):
        warehouse.execute(f"CREATE SCHEMA IF NOT EXISTS {sql.quote(api)}")
        existing = warehouse.columns(api, name)
        if existing is None:
            warehouse.execute(sql.create_table(target, columns, spec.key, warehouse.kind))
            added: list[str] = []
        else:
            added = evolve(warehouse, target, f"{api}.{name}", existing, columns)
        describe(warehouse, api, name, spec.doc, column_notes(fam, spec), columns)
        before = warehouse.count(target)
        with warehouse.staged(data, list(columns), target) as staged:
            rows = warehouse.count(staged)
            changed = warehouse.changed(sql.merge(target, staged, list(columns), spec.key))
        new_rows = warehouse.count(target) - before
    return TableLoad(api, name, rows, new_rows, tuple(added), max(changed - new_rows, 0))


def describe(warehouse: Warehouse, api: str, name: str, doc: str, notes: dict[str, str],
             columns: dict[str, str]) -> None:
    """The dictionary's table doc (key None) and column notes as comments; only those that
    differ from the catalog's are written, so a reload leaves the catalog alone too."""
    target = sql.relation(api, name)
    wanted: dict[str | None, str] = {None: doc, **{c: notes.get(c, "") for c in columns}}
    have = warehouse.comments(api, name)
    statements = [sql.comment("TABLE", target, text) if column is None else
                  sql.comment("COLUMN", f"{target}.{sql.quote(column)}", text)
                  for column, text in wanted.items() if have.get(column, "") != text]
    if statements:
        warehouse.execute(";\n".join(statements))


def evolve(warehouse: Warehouse, target: str, where: str, existing: dict[str, str],
           columns: dict[str, str]) -> list[str]:
    """Add the export's new columns, upgrade old spellings in place (``UPGRADES``); refuse a
    column whose type changed otherwise (one-line error)."""
    for column, kind in columns.items():
        have = existing.get(column)
        if (have, kind) in UPGRADES:
            warehouse.execute(sql.alter_type(target, column, kind, warehouse.kind))
        elif have is not None and have != kind:
            raise WarehouseError(f"{where}.{column}: the warehouse column is {have} but the "
                                 f"export has {kind}; alter or drop that column, then load again")
    added = [c for c in columns if c not in existing]
    for column in added:
        warehouse.execute(sql.add_column(target, column, columns[column], warehouse.kind))
    return added
