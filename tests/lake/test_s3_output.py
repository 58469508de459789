"""A real S3 server on loopback (moto), and what ``export`` does with an ``s3://`` output.

A reachable bucket is written through ``pyarrow.fs``; a missing or unreachable bucket is exit 5
naming the bucket, an unsupported scheme exit 2, both before any request. Reading an ``s3://``
export (open_export, status, load, report) is tested in test_s3_read.py.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from tests.conftest import USER_AGENT, cli_env
from tests.s3_server import KEY_ID, SECRET
from tests.scripted_server import scripted
from transforms.errors import OutputError
from transforms.store.location import parse_location

BIG_ID = 2**53 + 1  # the first int64 a float64 cannot hold


def cli(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("basecamp-extract")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd,
                          env={**cli_env(), **env}, timeout=120)


def api_export(origin: str, output: str, *extra: str) -> list[str]:
    """An export against ``origin`` with credentials, so nothing falls back to the sandbox."""
    return ["export", "--base-url", f"{origin}/999/api/v1", "--token", "tok-abcdef",
            "--user-agent", USER_AGENT, "-o", output, "--no-progress", *extra]


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_pyarrow_round_trips_a_big_id_through_the_s3_server(s3):
    """Expect from_uri to honour AWS_ENDPOINT_URL: a Parquet file written to s3://bucket/x lands
    in the moto bucket and reads back with its int64 id 2**53+1 intact."""
    fs, path = pafs.FileSystem.from_uri(f"s3://{s3.bucket}/x")
    assert isinstance(fs, pafs.S3FileSystem)
    pq.write_table(pa.table({"id": pa.array([BIG_ID], pa.int64())}), f"{path}/ids.parquet",
                   filesystem=fs)
    back = pq.read_table(f"{path}/ids.parquet", filesystem=fs)
    assert back.schema.field("id").type == pa.int64()
    assert back.column("id").to_pylist() == [BIG_ID]
    assert s3.keys() == ["x/ids.parquet"]


def test_probe__a_reachable_bucket_passes_and_a_missing_one_is_exit_5(s3):
    """Expect the probe of the fixture's bucket to pass, and a missing bucket to be an
    OutputError (exit 5) naming it, with neither key in the line."""
    parse_location(s3.uri("prefix")).probe()
    with pytest.raises(OutputError) as caught:
        parse_location("s3://no-such-bucket/prefix").probe()
    line = caught.value.one_line()
    assert caught.value.exit_code == 5
    assert "'no-such-bucket'" in line
    assert KEY_ID not in line and SECRET not in line


def test_export__missing_bucket_is_exit_5_before_any_request(s3, tmp_path):
    """Expect `export -o s3://missing/p` to exit 5 with one line naming the bucket, no
    credential in it, no request to the API and no local `s3:` folder."""
    with scripted([{"status": 200, "body": []}]) as script:
        proc = cli(tmp_path, s3.env, *api_export(script.origin, "s3://missing-bucket/p"))
    assert proc.returncode == 5, proc.stderr
    line = one_error_line(proc)
    assert "'missing-bucket'" in line
    assert KEY_ID not in line and SECRET not in line and "tok-abcdef" not in line
    assert script.hits == []
    assert list(tmp_path.iterdir()) == []


def test_export__unreachable_store_is_exit_5(s3, tmp_path):
    """With AWS_ENDPOINT_URL on a closed loopback port, expect exit 5 naming the bucket."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    env = {**s3.env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed}"}
    proc = cli(tmp_path, env, "status", "-o", s3.uri("p"))
    assert proc.returncode == 5, proc.stderr
    assert "cannot be reached" in one_error_line(proc)
    assert f"'{s3.bucket}'" in proc.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("output", ["ftp://host/out", "foo://a/b", "s3:/lake/out"])
def test_export__unsupported_scheme_is_exit_2_before_any_request(tmp_path, output):
    """Expect exit 2 with one line, no request to the API and nothing created in the cwd."""
    with scripted([{"status": 200, "body": []}]) as script:
        proc = cli(tmp_path, {}, *api_export(script.origin, output))
    assert proc.returncode == 2, proc.stderr
    assert "output" in one_error_line(proc)
    assert script.hits == []
    assert list(tmp_path.iterdir()) == []


def test_export__into_s3_writes_the_layout_and_nothing_local(s3, tmp_path):
    """With `-o s3://bucket/prefix` and the built-in sandbox, expect exit 0, one --json
    document saying ok with the URI, the tables as objects under the prefix (the journal
    and lock in --work-dir, not in the bucket) and no `s3:` folder in the cwd."""
    work = tmp_path / "work"
    proc = cli(tmp_path, s3.env, "--json", "export", "--sandbox", "--sandbox-size", "tiny",
               "-o", s3.uri("lake"), "--work-dir", str(work), "--no-progress")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    (account,) = document["accounts"]
    assert account["status"] == "ok" and account["rows_stored"] > 0
    assert account["manifest"].startswith(s3.uri("lake/bc2/_manifests/"))
    keys = [k for k in s3.keys() if not k.endswith("/")]  # noqa: SIM118 (a method)
    assert f"lake/bc2/todos/account_id-{account['account']}-000.parquet" in keys
    assert not [k for k in keys if "/_runs/" in k or "/_locks/" in k or ".tmp" in k]
    assert (work / "bc2" / "_locks").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_export__file_uri_writes_like_a_local_path(tiny_sandbox, tmp_path):
    """Expect `-o file:///abs/out` to export exactly where `-o /abs/out` would (exit 0)."""
    c = tiny_sandbox.credentials
    out = tmp_path / "out"
    proc = cli(tmp_path, {}, "export", "--base-url", tiny_sandbox.base_url, "--username",
               c.username, "--password", c.password, "--user-agent", USER_AGENT,
               "-o", f"file://{out}", "--no-progress", "--no-cache", "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (out / "bc2" / "_manifests").is_dir()
