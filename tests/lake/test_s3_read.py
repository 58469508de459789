"""Reading an export that lives in an object store: ``open_export``, ``status``, ``load`` and
``report`` over ``s3://`` (read through ``pyarrow.fs``; DuckDB's httpfs is never needed).

One tiny export of each family is written locally once, then copied once into a bucket of the
loopback moto server with ``pyarrow.fs.copy_files``; every reader must see the bucket's copy
exactly as it sees the local one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
import pytest

from extract.export import run_export
from sandbox import Sandbox
from tests.conftest import sandbox_config
from tests.lake.conftest import Bucket
from tests.lake.test_s3_output import cli, one_error_line
from tests.test_backpack_export import config as backpack_config
from tests.test_bc4_export import config as bc4_config
from tests.warehouse.db import count, fresh_postgres
from transforms.errors import OutputError
from transforms.notebook import Export, open_export
from transforms.tables import table_set

APIS = ["bc2", "bc4", "backpack"]  # declaration order
PREFIX = "lake/export"
SECONDS = re.compile(r" in \d+\.\ds$")


@pytest.fixture(scope="module")
def local(tmp_path_factory, tiny_sandbox) -> Path:
    """A tiny export of each family, side by side in one output folder."""
    out = tmp_path_factory.mktemp("lake-read") / "out"
    assert run_export(sandbox_config(tiny_sandbox, out)).ok
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box:
        assert run_export(bc4_config(box, out)).ok
    with Sandbox(api="backpack", size="tiny", rate_limit=None) as box:
        assert run_export(backpack_config(box, out)).ok
    return out


@pytest.fixture(scope="module")
def stocked(s3_module: Bucket, local: Path) -> Bucket:
    """The module's bucket holding a copy of the local export under ``PREFIX``: every test
    here only reads it (those that run a command check the keys are unchanged)."""
    store, _ = pafs.FileSystem.from_uri(s3_module.uri())
    pafs.copy_files(str(local), f"{s3_module.bucket}/{PREFIX}",
                    source_filesystem=pafs.LocalFileSystem(), destination_filesystem=store)
    stored = s3_module.keys()
    assert any(key.endswith(".parquet") for key in stored)
    return s3_module


@pytest.fixture
def s3(stocked: Bucket) -> Bucket:
    """This module's bucket is the stocked one (it replaces the lake conftest's empty one)."""
    return stocked


@pytest.fixture
def remote(s3: Bucket) -> str:
    """The ``s3://`` URI of the local export's copy."""
    return s3.uri(PREFIX)


def sorted_rows(export: Export, api: str, table: str) -> pa.Table:
    data = export.arrow(api, table)
    return data.sort_by([(k, "ascending") for k in table_set(api).registry[table].key])


def test_open_export__s3_reads_what_local_reads(local, remote):
    """Expect the s3:// copy to list the same families and tables, and every table to have the
    same schema (int64 ids and partitions included), rows, pandas dtypes and manifests."""
    here, there = open_export(local), open_export(remote)
    assert there.apis() == here.apis() == APIS
    assert there.root == remote and repr(there).startswith(f"Export({remote!r}")
    for api in APIS:
        assert there.tables(api) == here.tables(api) and here.tables(api)
        assert there.manifests(api) == here.manifests(api) and here.manifests(api)
        for table in here.tables(api):
            mine, theirs = sorted_rows(here, api, table), sorted_rows(there, api, table)
            assert theirs.schema == mine.schema, f"{api}.{table}"
            assert theirs.equals(mine), f"{api}.{table}"
            assert dict(there.df(api, table).dtypes) == dict(here.df(api, table).dtypes)
    assert there.dataset("bc2", "todos").schema.field("project_id").type == pa.int64()


def test_open_export__s3_sql_goes_through_registered_datasets(local, remote):
    """Expect ``sql`` over the bucket's views to answer as over the local ones."""
    query = ("SELECT project_id, count(*) AS n FROM bc2.todos GROUP BY project_id "
             "ORDER BY project_id")
    here, there = open_export(local), open_export(remote)
    try:
        assert there.sql(query).equals(here.sql(query))
        assert len(there.sql(query)) > 1
    finally:
        here.close()
        there.close()


def tables_of(path: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """Every table of a DuckDB warehouse: its columns and types, and its rows sorted."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.sql("SELECT table_schema, table_name FROM information_schema.tables "
                        "ORDER BY 1, 2").fetchall()
        found = {}
        for schema, table in names:
            relation = f'"{schema}"."{table}"'
            columns = con.sql(f"DESCRIBE {relation}").fetchall()
            rows = con.sql(f"SELECT * FROM {relation} ORDER BY ALL").fetchall()
            found[f"{schema}.{table}"] = ([(c[0], c[1]) for c in columns], rows)
    return found


def test_load__from_s3_equals_from_local(s3, local, remote, tmp_path):
    """Expect `load -o s3://... --to x.duckdb` to build the same warehouse, table for table
    and row for row, as `load` of the local export, with the same summary line."""
    from_local = cli(tmp_path, s3.env, "load", "-o", str(local), "--to", str(tmp_path / "l.db"))
    from_s3 = cli(tmp_path, s3.env, "load", "-o", remote, "--to", str(tmp_path / "s.db"))
    assert from_local.returncode == 0, from_local.stderr
    assert from_s3.returncode == 0, from_s3.stderr
    summary = SECONDS.sub("", from_s3.stdout.strip()).replace("s.db", "l.db")
    assert summary == SECONDS.sub("", from_local.stdout.strip())
    warehouse = tables_of(tmp_path / "s.db")
    assert len(warehouse) > 20
    assert warehouse == tables_of(tmp_path / "l.db")


def test_load__remote_without_to_is_exit_2_and_the_bucket_is_untouched(s3, remote, tmp_path):
    """A remote export has no folder to put warehouse.duckdb in: expect one line, exit 2."""
    before = s3.keys()
    proc = cli(tmp_path, s3.env, "load", "-o", remote)
    assert proc.returncode == 2, proc.stderr
    assert "needs --to" in one_error_line(proc)
    assert s3.keys() == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_status__from_s3_prints_what_local_prints(s3, local, remote, tmp_path, json_flag):
    """Expect `status` of the bucket's copy to print what `status` of the local export prints
    (paths aside: the manifests it names live under the s3:// URI)."""
    here = cli(tmp_path, s3.env, *json_flag, "status", "-o", str(local))
    there = cli(tmp_path, s3.env, *json_flag, "status", "-o", remote)
    assert here.returncode == there.returncode == 0, there.stderr
    assert there.stdout.replace(remote, str(local)) == here.stdout
    assert "bc2 account_id=" in there.stdout or '"api": "bc2"' in there.stdout
    if json_flag:
        assert f"{remote}/bc2/_manifests/account_id=" in there.stdout
        document = json.loads(there.stdout)
        assert document["output"] == remote
        assert sorted({a["api"] for a in document["accounts"]}) == sorted(APIS)


def test_status__empty_prefix_says_no_state(s3, tmp_path):
    """Expect an existing bucket without an export to be the local 'no export state' line."""
    proc = cli(tmp_path, s3.env, "status", "-o", s3.uri("nothing-here"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (f"no export state under {s3.uri('nothing-here')}; "
                                   "the next run is a full export")


def test_report__from_s3_to_a_local_file(s3, local, remote, tmp_path):
    """Expect `report -o s3://... --to r.html` to write the report locally (exit 0, same
    tables and charts as the local report), and without --to one line, exit 2."""
    before = s3.keys()
    there = cli(tmp_path, s3.env, "report", "-o", remote, "--to", str(tmp_path / "s.html"))
    here = cli(tmp_path, s3.env, "report", "-o", str(local), "--to", str(tmp_path / "l.html"))
    assert there.returncode == 0, there.stderr
    assert there.stdout.replace("s.html", "l.html") == here.stdout
    page = (tmp_path / "s.html").read_text()
    assert remote in page and 'id="family-bc4"' in page and "No run manifest" not in page
    refused = cli(tmp_path, s3.env, "report", "-o", remote)
    assert refused.returncode == 2, refused.stderr
    assert "needs --to" in one_error_line(refused)
    assert s3.keys() == before


@pytest.mark.parametrize("args", [["status"], ["load", "--to", "x.db"],
                                  ["report", "--to", "x.html"], ["load"], ["report"]])
def test_reading_commands__missing_bucket_is_exit_5(s3, tmp_path, args):
    """Expect one line naming the missing bucket, exit 5 (before any --to question), and
    nothing created locally."""
    proc = cli(tmp_path, s3.env, *args, "-o", "s3://missing-bucket/p")
    assert proc.returncode == 5, proc.stderr
    assert "'missing-bucket'" in one_error_line(proc)
    assert list(tmp_path.iterdir()) == []


def test_open_export__missing_bucket_and_missing_prefix(s3):
    """Expect a missing bucket to be exit-5 OutputError and an empty prefix to be the local
    'no export at' FileNotFoundError."""
    with pytest.raises(OutputError, match="'missing-bucket'"):
        open_export("s3://missing-bucket/p")
    with pytest.raises(FileNotFoundError, match=f"no export at {s3.uri('p')}"):
        open_export(s3.uri("p"))


def without_target(summary: str) -> str:
    """``loaded ... rows (... new, ... updated) into <target> in 1.2s`` without the last part."""
    return summary.strip().rpartition(" into ")[0]


def test_load__from_s3_into_postgresql(s3, local, remote, tmp_path):
    """Expect `load -o s3://... --api bc2 --to postgresql://...` to load every bc2 table with
    the rows of the local export, and the same summary as the local load into DuckDB."""
    url = fresh_postgres()
    into_pg = cli(tmp_path, s3.env, "load", "-o", remote, "--api", "bc2", "--to", url)
    into_duckdb = cli(tmp_path, s3.env, "load", "-o", str(local), "--api", "bc2", "--to",
                      str(tmp_path / "l.db"))
    assert into_pg.returncode == 0, into_pg.stderr
    assert into_duckdb.returncode == 0, into_duckdb.stderr
    assert without_target(into_pg.stdout) == without_target(into_duckdb.stdout)
    here = open_export(local)
    for table in here.tables("bc2"):
        assert count(url, table) == here.arrow("bc2", table).num_rows, table
