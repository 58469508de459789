"""Arrow types to warehouse column types, and back from what a warehouse catalog reports.

Types are compared through one canonical name per kind (``BIGINT``, ``TIMESTAMPTZ``...), so a
column created by an earlier load (or by hand, as ``text`` in PostgreSQL) is recognised as the
same type whatever spelling the catalog uses.
"""

from __future__ import annotations

import pyarrow as pa

from transforms.errors import BasecampExtractError


class WarehouseError(BasecampExtractError):
    """A table could not be loaded; that table kept its previous state in the warehouse."""

    exit_code = 8


BIGINT = "BIGINT"
DOUBLE = "DOUBLE"
BOOLEAN = "BOOLEAN"
VARCHAR = "VARCHAR"
DATE = "DATE"
TIMESTAMPTZ = "TIMESTAMPTZ"
TIMESTAMP = "TIMESTAMP"
JSON = "JSON"

# Text columns that always hold a JSON document (or null): typed as such so SQL can query
# into them (``_unparsed->>'due_at'``); ``jsonb`` in PostgreSQL for its operators and indexes.
JSON_COLUMNS = frozenset({"_unparsed"})

# (warehouse type, export type) pairs an existing column is converted in place for, instead of
# refusing the load: warehouses loaded before ``_unparsed`` became JSON.
UPGRADES = frozenset({(VARCHAR, JSON)})

DIALECT_NAMES: dict[str, dict[str, str]] = {
    "duckdb": {DOUBLE: "DOUBLE"},
    "postgresql": {DOUBLE: "DOUBLE PRECISION", JSON: "JSONB"},
}

CATALOG_NAMES: dict[str, str] = {
    "bigint": BIGINT,
    "int8": BIGINT,
    "double": DOUBLE,
    "double precision": DOUBLE,
    "float8": DOUBLE,
    "boolean": BOOLEAN,
    "bool": BOOLEAN,
    "varchar": VARCHAR,
    "character varying": VARCHAR,
    "text": VARCHAR,
    "date": DATE,
    "timestamp with time zone": TIMESTAMPTZ,
    "timestamptz": TIMESTAMPTZ,
    "timestamp": TIMESTAMP,
    "timestamp without time zone": TIMESTAMP,
    "json": JSON,
    "jsonb": JSON,
}


def canonical(arrow_type: pa.DataType, column: str) -> str:
    """The warehouse type for an Arrow column; nested or binary types have no rule."""
    if column.rsplit(".", 1)[-1] in JSON_COLUMNS and pa.types.is_string(arrow_type):
        return JSON
    if pa.types.is_integer(arrow_type):
        return BIGINT
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return DOUBLE
    if pa.types.is_boolean(arrow_type):
        return BOOLEAN
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) \
            or pa.types.is_null(arrow_type):
        return VARCHAR
    if pa.types.is_date(arrow_type):
        return DATE
    if pa.types.is_timestamp(arrow_type):
        return TIMESTAMPTZ if arrow_type.tz else TIMESTAMP
    raise WarehouseError(f"column {column} has Arrow type {arrow_type}, which has no "
                         "warehouse type")


def from_catalog(name: str) -> str:
    """A catalog's spelling (``character varying``, ``TIMESTAMP WITH TIME ZONE``) -> canonical."""
    return CATALOG_NAMES.get(" ".join(name.lower().split()), name.upper())


def dialect(kind: str, backend: str) -> str:
    """How ``backend`` spells a canonical type in DDL."""
    return DIALECT_NAMES[backend].get(kind, kind)
