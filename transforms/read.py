"""Reading an export back with the declared types, partition columns included.

Hive readers infer partition column types from directory names (pyarrow picks int32, or string
when an id does not fit); these helpers pass the declared int64 partitioning so ids stay int64,
and unify file schemas so a column that first appears in a later file (drift) is not dropped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from transforms.schemas import CONTEXT_TYPES
from transforms.tables import table_set


def dataset(output: Path | str, api: str, table: str) -> ds.Dataset:
    """A pyarrow dataset over one table of an export, partitions typed as declared."""
    spec = table_set(api).registry[table]
    fields = [pa.field(c, CONTEXT_TYPES[c]) for c in spec.partition]
    partitioning = ds.partitioning(pa.schema(fields), flavor="hive")
    root = Path(output) / api / table
    found = ds.dataset(root, format="parquet", partitioning=partitioning)
    schema = pa.unify_schemas([f.physical_schema for f in found.get_fragments()] or
                              [spec.file_schema()])
    for field in fields:
        if field.name not in schema.names:
            schema = schema.append(field)
    return ds.dataset(root, format="parquet", partitioning=partitioning, schema=schema)


def read_table(output: Path | str, api: str, table: str) -> pd.DataFrame:
    """One table as a DataFrame: int64 ids, tz-aware UTC timestamps, nullable columns."""
    return dataset(output, api, table).to_table().to_pandas(types_mapper=pd.ArrowDtype)
