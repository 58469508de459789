"""Rows shaping turned away (a null key) go to ``_rejects``, never to their keyed table."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from transforms import parquet
from transforms.shape import Shaper, rejects_table
from transforms.store.target import Target


def store_rejects(target: Target, shaper: Shaper, *, full: bool) -> dict[str, int]:
    """Write the rows shaping turned away to ``_rejects``; counts per table.

    A full run of every step replaces this account's rejects; other runs add theirs to
    what is stored, once per (table, raw record).
    """
    rows = shaper.rejects()
    spec = rejects_table(target.account_column)
    directory = parquet.partition_dir(target.output, target.api, spec, target.partition)
    stored = None
    if (directory / parquet.PART_FILE).is_file():
        try:
            stored = pq.read_table(directory / parquet.PART_FILE)
        except (pa.ArrowException, OSError):
            stored = None  # unreadable: replaced below
    if full or stored is None:
        combined = rows
    else:
        combined = pa.concat_tables([stored, rows], promote_options="permissive")
        combined = combined.group_by(["table", "raw"], use_threads=False).aggregate(
            [(c, "last") for c in combined.column_names if c not in ("table", "raw")])
        combined = combined.rename_columns(
            [c.removesuffix("_last") for c in combined.column_names])
    if combined.num_rows:
        parquet.write_partition(directory, spec, combined)
    elif full and directory.is_dir():
        parquet.remove_partition(directory)
    counts = rows.group_by("table").aggregate([([], "count_all")]).to_pylist()
    return {r["table"]: r["count_all"] for r in sorted(counts, key=lambda r: r["table"])}
