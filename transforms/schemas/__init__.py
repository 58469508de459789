"""The storage contract: one declared Arrow schema per output table, per API family.

A ``Table`` lists its columns by their flattened names (``creator__id``), its primary key, its
Hive partition columns and what becomes of each nested list: a child table ``<table>__<field>``
carrying the parent key, or a first-class table such as ``comments``. Fields we deliberately do
not keep are listed in ``drop`` with the reason in ``doc``; anything else unknown is kept and
reported as drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pyarrow as pa

ID = pa.int64()
INT = pa.int64()
FLOAT = pa.float64()
TS = pa.timestamp("us", tz="UTC")
DATE = pa.date32()
BOOL = pa.bool_()
STR = pa.string()

LINEAGE: dict[str, pa.DataType] = {"_run_id": STR, "_extracted_at": TS, "_unparsed": STR}
CONTEXT_TYPES: dict[str, pa.DataType] = {
    "account_id": ID,
    "project_id": ID,
    "calendar_id": ID,
    "bucket_type": STR,
    "bucket_id": ID,
    "account": STR,
    "page_id": ID,
    "recording_id": ID,
}
ACCOUNT: tuple[str, ...] = ("account_id",)
PROJECT: tuple[str, ...] = ("account_id", "project_id")
ORDINAL = "ordinal"


@dataclass(frozen=True)
class Child:
    """Where a nested list goes: ``table`` rows get ``parent_key`` columns from the parent."""

    table: str
    parent_key: Mapping[str, str]
    constants: Mapping[str, Any] = field(default_factory=dict)
    where: Mapping[str, Any] = field(default_factory=dict)

    def accepts(self, item: Mapping[str, Any]) -> bool:
        """``where`` holds dotted field -> required value (a list split over two tables)."""
        for dotted, wanted in self.where.items():
            value: Any = item
            for part in dotted.split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
            if value != wanted:
                return False
        return True


@dataclass(frozen=True)
class Table:
    """One output table. ``columns`` are source-derived; ``context`` comes from request paths."""

    name: str
    key: tuple[str, ...]
    columns: Mapping[str, pa.DataType]
    partition: tuple[str, ...] = ACCOUNT
    context: tuple[str, ...] = ()
    children: Mapping[str, Child | tuple[Child, ...]] = field(default_factory=dict)
    drop: frozenset[str] = frozenset()
    rename: Mapping[str, str] = field(default_factory=dict)
    date_or_time: Mapping[str, str] = field(default_factory=dict)
    child_of: str | None = None
    scalar_values: bool = False
    declared_schema: bool = True
    doc: str = ""

    @cached_property
    def text_companions(self) -> dict[str, str]:
        """HTML columns with a declared plain-text twin ``<column>_text``."""
        return {c[: -len("_text")]: c for c in self.columns
                if c.endswith("_text") and self.columns.get(c[: -len("_text")]) == STR}

    @cached_property
    def system_labels(self) -> dict[str, str]:
        """Person id columns whose string values (system actors) go to ``…system_label``."""
        out = {}
        for column in self.columns:
            if column == "system_label" or column.endswith("__system_label"):
                id_column = column[: -len("system_label")] + "id"
                if id_column in self.columns:
                    out[id_column] = column
        return out

    def child_specs(self, name: str) -> tuple[Child, ...]:
        spec = self.children.get(name)
        if spec is None:
            return ()
        return spec if isinstance(spec, tuple) else (spec,)

    def all_children(self) -> list[Child]:
        return [c for name in self.children for c in self.child_specs(name)]

    @property
    def context_columns(self) -> tuple[str, ...]:
        """Columns filled from the request context: partitions first, then the rest."""
        return tuple(dict.fromkeys((*self.partition, *self.context)))

    def declared(self) -> dict[str, pa.DataType]:
        """Every declared column with its type, context and lineage included."""
        out = {c: CONTEXT_TYPES[c] for c in self.context_columns}
        out.update(self.columns)
        out.update(LINEAGE)
        return out

    def arrow_schema(self) -> pa.Schema:
        return pa.schema(list(self.declared().items()))

    def file_schema(self) -> pa.Schema:
        """What a Parquet file holds: partition columns live in the directory names."""
        return pa.schema([(c, t) for c, t in self.declared().items() if c not in self.partition])


class Registry(Mapping[str, Table]):
    """The tables of one API family, by name."""

    def __init__(self, api: str, tables: Iterable[Table]) -> None:
        self.api = api
        self._tables = {t.name: t for t in tables}
        for t in self._tables.values():
            for c in t.all_children():
                if c.table not in self._tables:
                    raise ValueError(f"{t.name}: child table {c.table} is not declared")

    def __getitem__(self, name: str) -> Table:
        return self._tables[name]

    def __iter__(self):
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def parents(self, name: str) -> list[str]:
        """The chain of tables a child table hangs from, nearest first (empty for a root)."""
        chain: list[str] = []
        spec = self._tables.get(name)
        while spec is not None and spec.child_of and spec.child_of in self._tables:
            chain.append(spec.child_of)
            spec = self._tables[spec.child_of]
        return chain

    def root(self, name: str) -> str:
        """The first-class table a (possibly nested) child table belongs to."""
        chain = self.parents(name)
        return chain[-1] if chain else name

    def closure(self, names: Iterable[str]) -> set[str]:
        """The named tables plus every table their nested lists land in, recursively."""
        out: set[str] = set()
        stack = list(names)
        while stack:
            name = stack.pop()
            if name in out:
                continue
            out.add(name)
            stack.extend(c.table for c in self._tables[name].all_children())
        return out


def cols(spec: str, kind: pa.DataType) -> dict[str, pa.DataType]:
    """``cols("id todolist_id", ID)``: many columns of one type, declared in one line."""
    return dict.fromkeys(spec.split(), kind)


def nested(prefix: str, columns: Mapping[str, pa.DataType]) -> dict[str, pa.DataType]:
    """The flattened columns of a nested object: ``nested("creator", PERSON)``."""
    return {f"{prefix}__{name}": kind for name, kind in columns.items()}
