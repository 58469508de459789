"""Exports into a real S3 server on loopback equal the same exports on disk (issue 14, item 5).

Full, incremental and faulted exports go into ``s3://<bucket>/<prefix>`` of
the moto server (credentials and endpoint only through the AWS_* variables), and the same export
goes into a local folder; every table, read back with plain pyarrow from both, must be equal
(lineage columns aside, rows sorted by every scalar column). ``load`` and ``open_export`` work
from the ``s3://`` export, and no credential (the AWS secret, the sandbox's password, token or
Basic pair) is in any object of the bucket. The BC2 full exports run the real CLI in a
subprocess; the BC4 ones and the incremental and faulted runs call ``run_export`` in this
process, as tests/test_incremental.py and tests/test_faults.py do. Killed and failed exports are
in test_s3_crash.py.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from sandbox import Sandbox
from sandbox.faults import FAULT_KINDS
from tests.conftest import LINEAGE
from tests.lake.conftest import Bucket
from tests.lake.exports import (
    APIS,
    EXE,
    comparable,
    differences,
    export_command,
    export_into,
    hidden,
    leaks,
    manifest_of,
    needles,
    run_cli,
    stored,
)
from tests.lake.test_readers import READERS, mistakes
from transforms.notebook import open_export


@dataclass(frozen=True)
class Full:
    """One full export of a BC2 and a BC4 sandbox, on disk and in the bucket."""

    local: Path
    remote: str
    cwd: Path
    cache: Path
    cli: list[subprocess.CompletedProcess[str]]
    secrets: list[bytes]


@pytest.fixture(scope="module")
def full(s3_module: Bucket, tmp_path_factory) -> Iterator[Full]:
    """BC2 through the CLI (into the bucket without --work-dir, so the user cache dir holds
    the journal and HTTP cache: HOME and XDG_CACHE_HOME point into the test's folder), BC4
    through ``run_export`` with a work dir; the same into a local folder."""
    base = tmp_path_factory.mktemp("full")
    cwd, home, local = base / "cwd", base / "home", base / "local"
    cwd.mkdir()
    env = {**s3_module.env, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    remote = s3_module.uri("full/export")
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as bc2, \
            Sandbox(api="bc4", size="tiny", rate_limit=None) as bc4:
        procs = [run_cli(export_command(bc2, where, None), cwd, env)
                 for where in (str(local), remote)]
        export_into("bc4", bc4, local)
        export_into("bc4", bc4, remote, work_dir=base / "work-bc4")
        secrets = needles(bc2, bc4)
    yield Full(local, remote, cwd, home / ".cache", procs, secrets)


def test_full__exit_0_and_every_table_equal_to_the_local_export(full):
    """Expect both CLI runs exit 0 and both families' tables in the bucket equal, table for
    table, to the local export's; nothing written into the cwd (no `s3:` folder)."""
    for proc in full.cli:
        assert proc.returncode == 0, proc.stderr
    for api in APIS:
        assert differences(stored(full.remote, api), stored(full.local, api)) == [], api
    assert list(full.cwd.iterdir()) == []


def test_full__manifests_and_state_in_the_store_journal_and_cache_not(full, s3_module):
    """Expect each family's latest manifest and sync state in the bucket, the manifest
    saying what the local one says, and no journal, lock or HTTP cache object; the CLI's
    default work dir for a remote output is the user cache dir."""
    keys = s3_module.keys()
    for api in APIS:
        mine, theirs = manifest_of(full.remote, api), manifest_of(str(full.local), api)
        account = mine["account"]
        assert f"full/export/{api}/_state/account_id={account}.json" in keys
        assert f"full/export/{api}/_manifests/account_id={account}/latest.json" in keys
        assert mine["tables"] == theirs["tables"] and mine["mode"] == "full"
    assert [k for k in keys if "/_runs/" in k or "/_locks/" in k or k.endswith(".sqlite")] == []
    assert hidden(s3_module) == []
    assert any(p.is_file() for p in full.cache.rglob("*")), "nothing in the user cache dir"


def test_full__no_credential_in_any_object(full, s3_module):
    """Scan every object's bytes for the AWS secret and key id and each sandbox's password,
    token and Basic pair: expect none."""
    assert leaks(s3_module, full.secrets) == []


def warehouse(path: Path) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """Every table of a DuckDB warehouse: its columns and types, and its rows (lineage
    columns aside: the two exports are two runs) sorted."""
    found = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for schema, table in con.sql("SELECT table_schema, table_name FROM "
                                     "information_schema.tables ORDER BY 1, 2").fetchall():
            relation = f'"{schema}"."{table}"'
            columns = [c[:2] for c in con.sql(f"DESCRIBE {relation}").fetchall()
                       if c[0] not in LINEAGE]
            listed = ", ".join(f'"{c[0]}"' for c in columns)
            rows = con.sql(f"SELECT {listed} FROM {relation} ORDER BY ALL").fetchall()
            found[relation] = (columns, rows)
    return found


def test_load__from_the_s3_export_equals_load_of_the_local_one(full, s3_module, tmp_path):
    """Expect `load -o s3://... --to x.duckdb` to build the warehouse `load` builds from the
    local export, table for table and row for row (lineage aside)."""
    done = [run_cli([EXE, "load", "-o", where, "--to", str(tmp_path / db)],
                    tmp_path, s3_module.env)
            for where, db in ((full.remote, "s.db"), (str(full.local), "l.db"))]
    for proc in done:
        assert proc.returncode == 0, proc.stderr
    loaded = warehouse(tmp_path / "s.db")
    assert len(loaded) > 40
    assert loaded == warehouse(tmp_path / "l.db")


def test_open_export__the_s3_export_reads_as_the_local_one(full):
    """Expect open_export of the bucket to list the same families and tables, each with the
    local schema, rows (lineage aside) and pandas dtypes."""
    here, there = open_export(full.local), open_export(full.remote)
    assert there.apis() == here.apis() == APIS
    for api in APIS:
        assert there.tables(api) == here.tables(api) and len(here.tables(api)) > 10
        for table in here.tables(api):
            mine, theirs = comparable(here.arrow(api, table)), comparable(there.arrow(api, table))
            assert theirs.schema == mine.schema and theirs.equals(mine), f"{api}.{table}"
            assert dict(there.df(api, table).dtypes) == dict(here.df(api, table).dtypes)


@pytest.mark.parametrize("name", ["pandas-numpy_nullable", "pandas-pyarrow", "polars",
                                  "pyarrow-parquet", "pyarrow-dataset"])
def test_readers__the_readme_lines_read_the_s3_export_with_its_types(name, full):
    """The README's reader lines with an s3:// folder (DuckDB's httpfs and Spark's hadoop-aws
    are not installed here): expect int64 ids, UTC timestamps and the manifest's rows."""
    reader, found = READERS[name], []
    scope = {"pd": pd, "pl": pl, "pq": pq, "ds": ds}
    for api in APIS:
        written = manifest_of(full.remote, api)["tables"]
        for table, count in ((t, w["rows"]) for t, w in written.items() if w["rows"]):
            line = reader.snippet.format(folder=f"{full.remote}/{api}/{table}")
            found += mistakes(reader, api, table, reader.seen(eval(line, scope)), count)
    assert found == []


@pytest.mark.parametrize("api", APIS)
def test_incremental__s3_equals_the_same_runs_on_disk(api, s3, tmp_path):
    """Full export, sandbox changed, incremental export: expect the bucket's second run
    incremental (state read from the store: it gets a new, empty work dir) and every table
    equal to the same two runs on local disk, with no credential in any object."""
    remote, local = s3.uri("nightly"), tmp_path / "local"
    with Sandbox(api=api, size="tiny", rate_limit=None) as box:
        export_into(api, box, local)
        export_into(api, box, remote, work_dir=tmp_path / "work-1")
        changed = box.mutate(12, seed=5)
        assert changed
        on_disk = export_into(api, box, local)
        in_bucket = export_into(api, box, remote, work_dir=tmp_path / "work-2")
        secrets = needles(box)
    assert on_disk.manifest["mode"] == in_bucket.manifest["mode"] == "incremental"
    assert manifest_of(remote, api)["run_id"] == in_bucket.manifest["run_id"]
    assert differences(stored(remote, api), stored(local, api)) == []
    assert leaks(s3, secrets) == []


@pytest.mark.parametrize("api", APIS)
def test_faults__ten_percent_of_every_kind_into_s3_equal_a_calm_local_export(api, s3, tmp_path):
    """With 10% of requests faulted (every kind at least once), expect the export into the
    bucket complete and equal to a fault-free export on local disk."""
    calm_options = {"backoff_factor": 0.01, "retries": 8, "cache": False}
    with Sandbox(api=api, size="tiny", seed=0, rate_limit=None) as calm:
        export_into(api, calm, tmp_path / "calm", **calm_options)
        port = int(calm.origin.rsplit(":", 1)[1])  # the same port again: URLs are in the data
    with Sandbox(api=api, size="tiny", seed=0, rate_limit=None, faults=0.10, fault_seed=3,
                 slow_seconds=0.5, port=port) as hostile:
        for kind in FAULT_KINDS:
            hostile.inject(kind, "/(projects|todos|comments|recordings)", times=1)
        export_into(api, hostile, s3.uri("hostile"), work_dir=tmp_path / "work", **calm_options)
        faults = {r["fault"] for r in hostile.requests if r["fault"]}
        secrets = needles(hostile)
    assert faults == set(FAULT_KINDS)
    assert differences(stored(s3.uri("hostile"), api), stored(tmp_path / "calm", api)) == []
    assert leaks(s3, secrets) == []




def test_layout_switch__hive_objects_in_the_bucket_migrate_to_the_default_layout(s3, tmp_path):
    """With a `--partition-by project` export in the bucket (Hive folders, as older versions
    wrote), expect the next default run to leave only `<table>/account_id-<id>-NNN.parquet`
    objects, every table equal to a default export on disk and none read twice."""
    remote, work = s3.uri("moved"), {"work_dir": tmp_path / "work"}
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        export_into("bc2", box, tmp_path / "local")
        export_into("bc2", box, remote, partition_by="project", **work)
        hive = [k for k in list(s3.keys()) if "/account_id=" in k and k.endswith(".parquet")]
        export_into("bc2", box, remote, **work)
    assert len(hive) > 30
    data = [k for k in list(s3.keys()) if k.endswith(".parquet")]
    assert data and [k for k in data if "=" in k] == []
    assert differences(stored(remote, "bc2"), stored(tmp_path / "local", "bc2")) == []
    here, there = open_export(tmp_path / "local"), open_export(remote)
    for table in here.tables("bc2"):
        assert comparable(there.arrow("bc2", table)).equals(
            comparable(here.arrow("bc2", table))), table
