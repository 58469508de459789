"""The storage contract: right-sized files by default, the Hive layout on request, and an
older version's output migrated without a reader ever meeting a row twice."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.conftest import stored_tables
from tests.stored import data_files
from transforms.read import dataset
from transforms.schemas.bc2 import TABLES
from transforms.store import layout
from transforms.tree import Tree

LINEAGE = ("_run_id", "_extracted_at")


def hive_folders(output: Path, api: str) -> list[Path]:
    return [p for p in (output / api).glob("[!_]*/*=*") if p.is_dir()]


def rows(output: Path, api: str) -> dict[str, pa.Table]:
    """Every table through our reader, lineage aside, columns and rows in a fixed order."""
    out = {}
    for folder in sorted((output / api).iterdir()):
        if folder.name.startswith("_") or not folder.is_dir():
            continue
        table = dataset(output, api, folder.name).to_table()
        keep = sorted(c for c in table.column_names if c not in LINEAGE)
        table = table.select(keep)
        out[folder.name] = table.sort_by([(k, "ascending") for k in TABLES[folder.name].key])
    return out


def test_layout__default_is_one_file_per_table_and_account(tiny_sandbox, tmp_path, export_to):
    """Expect every table of a BC2 export to be files named for the account, no Hive folder,
    and every file to hold the account and project ids as int64 columns."""
    assert export_to(tiny_sandbox, tmp_path).ok
    assert hive_folders(tmp_path, "bc2") == []
    stem = f"account_id-{tiny_sandbox.account_id}-"
    files = [p for t in TABLES for p in data_files(tmp_path, "bc2", t)]
    assert files and all(p.name.startswith(stem) for p in files)
    todos = pq.read_schema(data_files(tmp_path, "bc2", "todos")[0])
    assert todos.field("account_id").type == pa.int64()
    assert todos.field("project_id").type == pa.int64()


def test_layout__project_layout_holds_the_same_rows(tiny_sandbox, tmp_path, export_to):
    """Expect `--partition-by project` to write Hive folders holding exactly the rows of the
    default layout."""
    assert export_to(tiny_sandbox, tmp_path / "table").ok
    assert export_to(tiny_sandbox, tmp_path / "hive", partition_by="project").ok
    assert hive_folders(tmp_path / "hive", "bc2")
    default, hive = rows(tmp_path / "table", "bc2"), rows(tmp_path / "hive", "bc2")
    assert default.keys() == hive.keys()
    assert [n for n in default if not default[n].equals(hive[n])] == []


def test_migration__an_older_hive_output_is_rewritten_by_the_next_run(tiny_sandbox, tmp_path,
                                                                      export_to):
    """With an output written in the Hive layout, expect the next (incremental) run to leave
    no Hive folder behind, the same rows in the new files, and stored_tables unchanged."""
    assert export_to(tiny_sandbox, tmp_path, partition_by="project").ok
    before = stored_tables(tmp_path, "bc2")
    hive = rows(tmp_path, "bc2")
    result = export_to(tiny_sandbox, tmp_path)
    assert result.ok and result.manifest["mode"] == "incremental"
    assert hive_folders(tmp_path, "bc2") == []
    after = rows(tmp_path, "bc2")
    assert [n for n in hive if not hive[n].equals(after[n])] == []
    assert stored_tables(tmp_path, "bc2") == before


def test_reader__an_account_both_ways_is_read_once_from_its_new_files(tmp_path):
    """Mid-migration (new files written, the Hive folder not yet removed), expect our reader
    to read the account's rows once, from the new files, and other accounts from theirs."""
    tree, spec = Tree.local(tmp_path), TABLES["people"]
    new = pa.table({"account_id": [1, 1], "id": [1, 2]}, schema=pa.schema(
        [("account_id", pa.int64()), ("id", pa.int64())]))
    layout.write(tree, spec, layout.slot(layout.TABLE, "bc2", spec, {"account_id": 1}), new)
    for account, ids in ((1, [1, 2]), (2, [7])):
        old = pa.table({"id": pa.array(ids, pa.int64())})
        where = layout.slot(layout.PROJECT, "bc2", spec, {"account_id": account})
        layout.write(tree, spec, where, old)
    found = dataset(tmp_path, "bc2", "people").to_table().sort_by("id")
    assert list(zip(found["account_id"].to_pylist(), found["id"].to_pylist(), strict=True)) \
        == [(1, 1), (1, 2), (2, 7)]
