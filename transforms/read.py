"""Reading an export back with the declared types, partition columns included.

Hive readers infer partition column types from directory names (pyarrow picks int32, or string
when an id does not fit); these helpers pass the declared int64 partitioning so ids stay int64.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from extract.families import family
from transforms.schemas import CONTEXT_TYPES


def dataset(output: Path | str, api: str, table: str) -> ds.Dataset:
    """A pyarrow dataset over one table of an export, partitions typed as declared."""
    spec = family(api).registry[table]
    partitioning = ds.partitioning(
        pa.schema([(c, CONTEXT_TYPES[c]) for c in spec.partition]), flavor="hive"
    )
    return ds.dataset(Path(output) / api / table, format="parquet", partitioning=partitioning)


def read_table(output: Path | str, api: str, table: str) -> pd.DataFrame:
    """One table as a DataFrame: int64 ids, tz-aware UTC timestamps, nullable columns."""
    return dataset(output, api, table).to_table().to_pandas(types_mapper=pd.ArrowDtype)
