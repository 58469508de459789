"""Reading an export back with the declared types, partition columns included, from any store.

Hive readers infer partition column types from directory names (pyarrow picks int32, or string
when an id does not fit); these helpers pass the declared int64 partitioning so ids stay int64,
and unify file schemas so a column that first appears in a later file (drift) is not dropped.

An export is read through a ``Tree``: a ``pyarrow.fs`` filesystem and the export's base path
in it, so a local folder and an ``s3://`` (``gs://``, ``abfs://``) export are read by the same
code; DuckDB's ``httpfs`` extension is never needed, pyarrow does the reading.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from transforms.schemas import CONTEXT_TYPES
from transforms.store import publish
from transforms.store.layout import flat_account
from transforms.tables import table_set
from transforms.tree import Tree, open_tree


def dataset(output: Tree | Path | str, api: str, table: str) -> ds.Dataset:
    """A pyarrow dataset over one table of an export, in either layout, typed as declared."""
    tree = open_tree(output)
    tables = table_set(api)
    spec = tables.registry[table]
    fields = [pa.field(c, CONTEXT_TYPES[c]) for c in spec.partition]
    partitioning = ds.partitioning(pa.schema(fields), flavor="hive")
    found = ds.dataset(table_files(tree, api, table, tables.account_column), format="parquet",
                       partitioning=partitioning, filesystem=tree.fs,
                       partition_base_dir=tree.path(api, table))
    schema = pa.unify_schemas([f.physical_schema for f in found.get_fragments()] or
                              [spec.arrow_schema()])
    for field in fields:
        if field.name not in schema.names:
            schema = schema.append(field)
    return found.replace_schema(schema)  # the files already found: no second listing


def table_files(tree: Tree, api: str, table: str, account_column: str) -> list[str]:
    """The data files of a table: each account's ``table``-layout files, or its Hive folder
    where it has none (an account both ways is mid-migration: its new files win, so no row
    is read twice)."""
    base = tree.path(api, table).rstrip("/") + "/"
    flat: dict[str, str] = {}
    hive: list[tuple[str, str]] = []
    intents: list[str] = []
    for info in tree.entries(api, table, recursive=True):
        relative = info.path[len(base):].split("/")
        if len(relative) == 1 and info.base_name.endswith(publish.INTENT_SUFFIX):
            intents.append(info.base_name)
        if info.type != pafs.FileType.File or any(p.startswith((".", "_")) for p in relative) \
                or not info.base_name.endswith(".parquet"):
            continue
        account = flat_account(info.base_name, account_column) if len(relative) == 1 else None
        if account is not None:
            flat[info.path] = account
        elif len(relative) > 1:
            hive.append((info.path, relative[0].partition("=")[2]))
    migrated = set(flat.values())
    for name in intents:  # a set of files being published: its new set, wherever it stands
        intent = publish.read_intent(tree, (api, table), name)
        if intent is None:
            continue
        stem = name[1:-len(publish.INTENT_SUFFIX)]
        flat = {p: a for p, a in flat.items() if not p[len(base):].startswith(f"{stem}-")}
        account = stem[len(account_column) + 1:]
        flat.update({tree.path(api, table, n): account
                     for n in publish.resolve(tree, (api, table), intent)})
    return sorted([*flat, *(path for path, account in hive if account not in migrated)])


def read_table(output: Tree | Path | str, api: str, table: str) -> pd.DataFrame:
    """One table as a DataFrame: int64 ids, tz-aware UTC timestamps, nullable columns."""
    return dataset(output, api, table).to_table().to_pandas(types_mapper=pd.ArrowDtype)
