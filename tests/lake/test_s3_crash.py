"""Exports into the loopback S3 bucket that crash: killed, resumed, or failing mid-write.

The CLI's export (a subprocess, as tests/test_resume.py runs it) is killed with SIGKILL at a
random moment or as its upload begins, then rerun with the same ``--work-dir``: the rerun must
equal a clean export on disk, and while the killed run's objects are in the bucket every table
must read whole, as before the run or as after it. The same holds when one file's write fails
inside a table of several files (local and s3).
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from extract.export import run_export
from sandbox import Sandbox
from tests.conftest import cli_env, sandbox_config
from tests.lake.conftest import Bucket
from tests.lake.exports import (
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
from transforms import parquet
from transforms.errors import OutputError
from transforms.notebook import open_export
from transforms.store import layout


def parquet_objects(client: Any, bucket: Bucket, prefix: str) -> dict[str, str]:
    """Key -> ETag of the Parquet objects under ``prefix``, hidden temp objects
    (``.x.parquet.<id>.tmp``) included."""
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket.bucket,
                                                               Prefix=f"{prefix}/")
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])
            if ".parquet" in item["Key"]}


def spawn(argv: list[str], bucket: Bucket, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, env={**cli_env(), **bucket.env}, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def killed_mid_upload(argv: list[str], bucket: Bucket, prefix: str, cwd: Path) -> None:
    """Run the export and SIGKILL it as soon as a Parquet object (or its temp object) under
    ``prefix`` is new or rewritten: the upload has begun and is not finished."""
    client = bucket.server.client()
    before = parquet_objects(client, bucket, prefix).items()
    proc = spawn(argv, bucket, cwd)
    while proc.poll() is None and not parquet_objects(client, bucket, prefix).items() - before:
        time.sleep(0.002)
    assert proc.poll() is None, "the export ended before the kill: no upload caught"
    proc.send_signal(signal.SIGKILL)
    proc.wait()


MOMENTS = ["random", "upload"]


def test_killed__rerun_into_s3_equals_a_clean_local_export(s3, tmp_path):
    """With the CLI's export into the bucket killed (SIGKILL) once at a random moment and once
    as its first Parquet object lands, then rerun with the same --work-dir, expect every rerun
    exit 0 and equal to a clean local export, no temp object left; the upload-time kill's rerun
    resumes from the journal (fewer requests than a clean run); no credential in any object."""
    rng = random.Random(7)
    with Sandbox(api="bc2", size="tiny", rate_limit=None, latency=0.004) as box:
        started = time.monotonic()
        clean = run_cli(export_command(box, str(tmp_path / "clean"), None), tmp_path, s3.env)
        seconds, clean_requests = time.monotonic() - started, len(box.requests)
        assert clean.returncode == 0, clean.stderr
        want = stored(tmp_path / "clean", "bc2")
        for attempt, moment in enumerate(MOMENTS):
            prefix, work = f"run{attempt}", tmp_path / f"work{attempt}"
            argv = export_command(box, s3.uri(prefix), work)
            if moment == "upload":
                killed_mid_upload(argv, s3, prefix, tmp_path)
            else:
                proc = spawn(argv, s3, tmp_path)
                time.sleep(rng.uniform(0.2, seconds))
                proc.send_signal(signal.SIGKILL)
                proc.wait()
            box.reset_log()
            rerun = run_cli(argv, tmp_path, s3.env)
            assert rerun.returncode == 0, (attempt, rerun.stderr)
            assert differences(stored(s3.uri(prefix), "bc2"), want) == [], attempt
            if moment == "upload":
                assert manifest_of(s3.uri(prefix), "bc2")["resumed_units"] > 0
                assert len(box.requests) < clean_requests
        secrets = needles(box)
    assert hidden(s3) == []
    assert leaks(s3, secrets) == []


def test_killed_during_an_incremental_upload__each_table_is_the_old_or_the_new(s3, tmp_path):
    """With a full export in the bucket, the sandbox changed and the incremental export killed
    as its first new Parquet object lands, expect open_export and plain pyarrow to read every
    table of the bucket whole, as before the run or as after it (never half, never twice), and
    the rerun to end equal to the same runs on local disk with no temp object left."""
    local, remote, work = tmp_path / "local", s3.uri("lake"), tmp_path / "work"
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        export_into("bc2", box, local)
        argv = export_command(box, remote, work)
        first = run_cli(argv, tmp_path, s3.env)
        assert first.returncode == 0, first.stderr
        before = stored(local, "bc2")
        assert differences(stored(remote, "bc2"), before) == []
        box.mutate(12, seed=5)
        assert export_into("bc2", box, local).manifest["mode"] == "incremental"
        after = stored(local, "bc2")
        killed_mid_upload(argv, s3, "lake", tmp_path)
        seen = open_export(remote)
        ours = {t: comparable(seen.arrow("bc2", t)) for t in seen.tables("bc2")}
        torn = [f"{reader} {t}" for reader, tables in (("open_export", ours),
                                                       ("pyarrow", stored(remote, "bc2")))
                for t, rows in tables.items()
                if not any(rows.equals(v.get(t, pa.table({}))) for v in (before, after))]
        rerun = run_cli(argv, tmp_path, s3.env)
    assert torn == []
    assert rerun.returncode == 0, rerun.stderr
    assert differences(stored(remote, "bc2"), after) == []
    assert hidden(s3) == []


@pytest.mark.parametrize("where", ["local", "s3"])
def test_write_failing_inside_a_table_of_several_files__it_reads_old_or_new(
        where, s3, tmp_path, monkeypatch):
    """A table over MAX_ROWS spans several files (patched to 30 rows, so tiny tables do). With a
    full export stored, the sandbox changed and the incremental run's write of the second file
    of `todos` refused (disk full, store error: exit 5), expect `todos` to read as before the
    run or as after it, never the new first file beside the old rest; then a rerun ends equal
    to the same runs on a calm output."""
    monkeypatch.setattr(layout, "MAX_ROWS", 30)
    output, work = ((s3.uri("several"), {"work_dir": tmp_path / "work"}) if where == "s3"
                    else (tmp_path / "out", {}))
    real = parquet.write_file

    def refusing(tree: Any, parts: tuple[str, ...], data: pa.Table) -> None:
        if parts[1] == "todos" and f"account_id-{box.account_id}-001.parquet" in parts[-1]:
            raise OutputError(f"cannot write {'/'.join(parts)}: No space left on device")
        real(tree, parts, data)

    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        export_into("bc2", box, tmp_path / "calm")
        export_into("bc2", box, output, **work)
        before = stored(tmp_path / "calm", "bc2")["todos"]
        box.mutate(12, seed=5)
        export_into("bc2", box, tmp_path / "calm")
        after = stored(tmp_path / "calm", "bc2")
        monkeypatch.setattr(parquet, "write_file", refusing)
        with pytest.raises(OutputError):
            run_export(sandbox_config(box, output, **work))
        monkeypatch.setattr(parquet, "write_file", real)
        seen = comparable(open_export(output).arrow("bc2", "todos"))
        export_into("bc2", box, output, **work)
    assert differences(stored(output, "bc2"), after) == []
    assert not before.equals(after["todos"])
    assert seen.equals(before) or seen.equals(after["todos"]), mixed(seen, before, after["todos"])


def mixed(seen: pa.Table, before: pa.Table, after: pa.Table) -> str:
    """What a torn read holds: its rows' versions (by id and updated_at), against each run."""
    def versions(rows: pa.Table) -> set[tuple]:
        return set(zip(rows["id"].to_pylist(), rows["updated_at"].to_pylist(), strict=True))

    got, old, new = versions(seen), versions(before), versions(after)
    ids = seen["id"].to_pylist()
    return (f"{seen.num_rows} rows: {len(ids) - len(set(ids))} ids twice, "
            f"{len(got - old - new)} of neither run, {len(new - got)} of the new run missing, "
            f"{len((got & old) - new)} stale")
