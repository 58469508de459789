"""The storage contract: right-sized files by default, the Hive layout on request, and an
older version's output migrated without a reader ever meeting a row twice."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import stored_tables
from tests.stored import data_files
from transforms import parquet
from transforms.errors import OutputError
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


def todos(count: int, title: str) -> pa.Table:
    spec = TABLES["todos"]
    ids = list(range(count))
    return pa.table({"account_id": [1] * count, "project_id": [5] * count, "id": ids,
                     "content": [f"{title}{i}" for i in ids]}).cast(pa.schema(
        [spec.arrow_schema().field(c) for c in ("account_id", "project_id", "id", "content")]))


def read_titles(root: Path) -> set[str]:
    return {t[:3] for t in dataset(root, "bc2", "todos").to_table()["content"].to_pylist()}


def test_publish__a_table_of_several_files_reads_old_or_new_never_a_mix(tmp_path, monkeypatch):
    """With files capped at 10 rows and the third file's write failing, expect the reader to
    see only the old set (no intent, no staged file left once swept); a complete write then
    reads only the new set, one fewer file."""
    monkeypatch.setattr(layout, "MAX_ROWS", 10)
    tree, spec = Tree.local(tmp_path), TABLES["todos"]
    where = layout.slot(layout.TABLE, "bc2", spec, {"account_id": 1})
    layout.write(tree, spec, where, todos(40, "old"))
    real = parquet.write_file

    def failing(tree: Tree, parts: tuple[str, ...], data: pa.Table) -> None:
        if "-002.parquet" in parts[-1]:
            raise OutputError("cannot write: No space left on device")
        real(tree, parts, data)

    monkeypatch.setattr(parquet, "write_file", failing)
    with pytest.raises(OutputError):
        layout.write(tree, spec, where, todos(35, "new"))
    monkeypatch.setattr(parquet, "write_file", real)
    assert read_titles(tmp_path) == {"old"}
    assert not list((tmp_path / "bc2" / "todos").glob("_*"))
    parquet.sweep_temp_files(tree, ("bc2",))
    assert sorted(p.name for p in (tmp_path / "bc2" / "todos").iterdir()) == [
        f"account_id-1-00{i}.parquet" for i in range(4)]
    assert layout.write(tree, spec, where, todos(35, "new")) == 4
    assert read_titles(tmp_path) == {"new"}
    assert len(list((tmp_path / "bc2" / "todos").iterdir())) == 4


def test_publish__a_run_killed_after_deciding_is_read_new_and_completed_next_run(
        tmp_path, monkeypatch):
    """With the intent written and only the first staged file moved (a kill), expect the reader
    to read exactly the new set, and recovery to finish it: new names, old extra file gone, no
    intent or staged file left."""
    monkeypatch.setattr(layout, "MAX_ROWS", 10)
    tree, spec = Tree.local(tmp_path), TABLES["todos"]
    where = layout.slot(layout.TABLE, "bc2", spec, {"account_id": 1})
    layout.write(tree, spec, where, todos(30, "old"))
    moves: list[tuple[str, ...]] = []

    def killed(source: tuple[str, ...], target: tuple[str, ...]) -> None:
        if moves:
            raise SystemExit("killed")
        moves.append(target)
        os.replace(tree.path(*source), tree.path(*target))

    monkeypatch.setattr(tree.__class__, "move", lambda self, s, t: killed(s, t))
    with pytest.raises(SystemExit):
        layout.write(tree, spec, where, todos(20, "new"))
    monkeypatch.undo()
    folder = tmp_path / "bc2" / "todos"
    assert (folder / "_account_id-1.publishing.json").is_file()
    assert read_titles(tmp_path) == {"new"}
    assert dataset(tmp_path, "bc2", "todos").count_rows() == 20
    assert layout.recover(tree, "bc2", "account_id", 1) == 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "account_id-1-000.parquet", "account_id-1-001.parquet"]
    assert read_titles(tmp_path) == {"new"}


def test_layout__files_end_where_a_project_starts_so_a_change_rewrites_one_file(
        tmp_path, monkeypatch):
    """With files capped at 10 rows and four projects of four to-dos, expect two files of two
    whole projects each; a to-do added to the first project rewrites the first file only."""
    monkeypatch.setattr(layout, "MAX_ROWS", 10)
    tree, spec = Tree.local(tmp_path), TABLES["todos"]
    where = layout.slot(layout.TABLE, "bc2", spec, {"account_id": 1})

    def projects(extra: int) -> pa.Table:
        rows = todos(16, "row").set_column(1, "project_id", pa.array(
            [p for p in (1, 2, 3, 4) for _ in range(4)], pa.int64()))
        added = todos(100, "new").slice(99).set_column(1, "project_id", pa.array([1], pa.int64()))
        return pa.concat_tables([rows, added.slice(0, extra)])

    assert layout.write(tree, spec, where, projects(0)) == 2
    files = sorted((tmp_path / "bc2" / "todos").iterdir())
    assert [sorted(set(pq.read_table(f)["project_id"].to_pylist())) for f in files] == [
        [1, 2], [3, 4]]
    second = files[1].stat().st_ino
    assert layout.write(tree, spec, where, projects(1), keep_equal=True) == 1
    assert files[1].stat().st_ino == second
    assert dataset(tmp_path, "bc2", "todos").count_rows() == 17
