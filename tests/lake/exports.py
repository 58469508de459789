"""Exports of the lake tests, run and compared: the same export into a folder and a bucket.

``export_command``/``run_cli`` run the real CLI (BC2) in a subprocess, ``export_into`` calls
``run_export`` in this process; ``stored`` reads every table of an export with plain pyarrow
(a local folder or an ``s3://`` URI) and ``differences`` lists where two exports disagree,
lineage columns aside. ``needles``, ``leaks`` and ``hidden`` look for credentials and temp
objects in a bucket; ``manifest_of`` reads an account's latest manifest from any store.
"""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from extract.export import ExportResult, run_export
from sandbox import Sandbox
from tests.conftest import LINEAGE, USER_AGENT, cli_env, sandbox_config
from tests.lake.conftest import Bucket
from tests.s3_server import KEY_ID, SECRET
from tests.test_bc4_export import config as bc4_config
from transforms.notebook import open_export

CONFIGS = {"bc2": sandbox_config, "bc4": bc4_config}
APIS = list(CONFIGS)
EXE = str(Path(sys.executable).with_name("basecamp-extract"))


def export_command(box: Sandbox, output: str, work: Path | None, *extra: str) -> list[str]:
    """The CLI's export of a BC2 sandbox into ``output`` (a path or an s3:// URI)."""
    c = box.credentials
    work_dir = ["--work-dir", str(work)] if work else []
    return [EXE, "export", "--base-url", box.base_url, "--username", c.username,
            "--password", c.password, "--user-agent", USER_AGENT, "-o", output,
            "--workers", "2", "--no-progress", *work_dir, *extra]


def run_cli(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, cwd=cwd,
                          env={**cli_env(), **env}, timeout=300)


def export_into(api: str, box: Sandbox, output: Path | str, **overrides: Any) -> ExportResult:
    """``run_export`` in this process (``output`` a folder or an s3:// URI)."""
    result = run_export(CONFIGS[api](box, output, **overrides))
    assert result.ok, result.manifest["failures"]
    return result


def comparable(table: pa.Table) -> pa.Table:
    """Lineage dropped, columns by name, rows sorted by every scalar column."""
    columns = sorted(c for c in table.column_names if c not in LINEAGE)
    scalar = [c for c in columns if not pa.types.is_nested(table.schema.field(c).type)]
    return table.select(columns).sort_by([(c, "ascending") for c in scalar])


def stored(root: Path | str, api: str) -> dict[str, pa.Table]:
    """Every table under ``<root>/<api>`` as plain pyarrow reads its folder, made comparable."""
    fs, base = pafs.FileSystem.from_uri(str(root))
    folders = fs.get_file_info(pafs.FileSelector(f"{base}/{api}"))
    return {f.base_name: comparable(ds.dataset(f.path, filesystem=fs, format="parquet",
                                               partitioning="hive").to_table())
            for f in folders
            if f.type == pafs.FileType.Directory and not f.base_name.startswith(("_", "."))}


def differences(got: dict[str, pa.Table], want: dict[str, pa.Table]) -> list[str]:
    """Tables missing, extra, or not equal (schema or rows); empty when the exports agree."""
    assert sum(t.num_rows for t in want.values()) > 500, "too small to compare"
    found = [f"{name}: missing" for name in want.keys() - got.keys()]
    found += [f"{name}: extra" for name in got.keys() - want.keys()]
    for name in want.keys() & got.keys():
        if got[name].schema != want[name].schema or not got[name].equals(want[name]):
            found.append(f"{name}: {got[name].num_rows} rows, want {want[name].num_rows}")
    return sorted(found)


def needles(*boxes: Sandbox) -> list[bytes]:
    """Every credential of the run: the AWS keys and each sandbox's secrets (password, tokens,
    OAuth client secret) and Basic pair where it has a password."""
    out = [SECRET.encode(), KEY_ID.encode()]
    for box in boxes:
        c = box.credentials
        out += [s.encode() for s in c.secrets()]
        if getattr(c, "password", None):
            out.append(base64.b64encode(f"{c.username}:{c.password}".encode()))
    return out


def leaks(bucket: Bucket, secrets: list[bytes]) -> list[str]:
    """Keys of the bucket whose bytes hold a credential."""
    objects = dict(bucket.objects())
    assert any(key.endswith(".parquet") for key in objects)
    return [key for key, data in objects.items() for s in secrets if s in data]


def hidden(bucket: Bucket) -> list[str]:
    """Keys whose name starts with a dot: temp objects a run left behind."""
    stored_keys = bucket.keys()
    return [key for key in stored_keys if key.rsplit("/", 1)[-1].startswith(".")]


def manifest_of(uri: str, api: str) -> dict[str, Any]:
    (found,) = open_export(uri).manifests(api)
    return dict(found)
