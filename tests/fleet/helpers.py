"""Fleet test helpers: accounts files, the CLI in a subprocess, one account's tables.

``account_tables`` reads every table of one account from an export (a folder or an ``s3://``
URI) with plain pyarrow, lineage columns aside and each sandbox's loopback origin (its port
differs from run to run) replaced, so a fleet's account compares equal to its own
single-account export.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs

from extract.cli.options import ExportOptions
from extract.export import run_export
from extract.families import family
from sandbox import Sandbox
from sandbox.fleet import accounts_toml, sandbox_account_id
from tests.conftest import LINEAGE, cli_env, sandbox_config
from tests.lake.exports import EXE
from tests.test_backpack_export import config as backpack_config
from tests.test_bc4_export import config as bc4_config
from transforms.store.location import parse_location

CONFIGS = {"bc2": sandbox_config, "bc4": bc4_config, "backpack": backpack_config}

ORIGIN = re.compile(r"http://(?:127\.0\.0\.1|localhost):\d+")
Rows = dict[str, list[str]]


def write_accounts(path: Path, entries: list[dict[str, Any]]) -> Path:
    path.write_text(accounts_toml(entries))
    return path


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, cwd=cwd,
                          env={**cli_env(), **(env or {})}, timeout=timeout)


def single_export(api: str, seed: int, output: Path) -> tuple[Any, Rows]:
    """The single-account export of a tiny sandbox (in this process): its account and rows.
    The account is numbered as a fleet's sandbox entry of that seed numbers it."""
    with Sandbox(api=api, size="tiny", seed=seed, rate_limit=None,
                 account_id=sandbox_account_id(seed)) as box:
        return export_of(box, output)


def export_of(box: Sandbox, output: Path) -> tuple[Any, Rows]:
    """The single-account export of a running sandbox: its account and rows."""
    config = CONFIGS[box.api](box, output)
    result = run_export(config)
    assert result.ok, result.manifest["failures"]
    return config.account_id, account_tables(str(output), box.api, config.account_id)


def fleet_options(output: Path, **overrides: Any) -> ExportOptions:
    """The options of `export --accounts` as the CLI makes them, ``overrides`` aside."""
    values: dict[str, Any] = dict(
        api="bc2", account=None, base_url=None, username=None, password=None, token=None,
        token_file=None, launchpad=None, full=False, with_=None, with_events=False,
        timezone=None, user_agent=None, use_sandbox=False, sandbox_size="tiny",
        output=parse_location(str(output)), partition_by="table", work_dir=None, workers=2,
        rate_limit=None, no_rate_limit=False, no_cache=False, retries=None, retry_for=None,
        max_pages=10, keep_raw=False, progress=False, progress_every=5.0, no_wait=False)
    return ExportOptions(**{**values, **overrides})


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return ORIGIN.sub("http://sandbox", value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def account_tables(root: str, api: str, account: Any) -> Rows:
    """One account's rows of every table under ``<root>/<api>`` (empty tables left out), each
    row as sorted JSON, origins plain, lineage aside."""
    return accounts_tables(root, api, [account])[account]


def accounts_tables(root: str, api: str, accounts: list[Any]) -> dict[Any, Rows]:
    """``account_tables`` of several accounts, each table read once."""
    fs, base = pafs.FileSystem.from_uri(root if "://" in root else str(Path(root).absolute()))
    column = family(api).account_column
    found: dict[Any, Rows] = {account: {} for account in accounts}
    for folder in fs.get_file_info(pafs.FileSelector(f"{base}/{api}")):
        if folder.type != pafs.FileType.Directory or folder.base_name.startswith(("_", ".")):
            continue
        table = ds.dataset(folder.path, filesystem=fs, format="parquet",
                           partitioning="hive").to_table()
        table = table.select([c for c in table.column_names if c not in LINEAGE])
        for account in accounts:
            rows = sorted(json.dumps(_plain(r), sort_keys=True, default=str)
                          for r in table.filter(pc.equal(table[column], account)).to_pylist())
            if rows:
                found[account][folder.base_name] = rows
    return found


def differences(got: Rows, want: Rows) -> list[str]:
    """Tables missing, extra or not equal; empty when one account's exports agree."""
    assert sum(len(rows) for rows in want.values()) > 100, "too small to compare"
    found = [f"{name}: missing" for name in want.keys() - got.keys()]
    found += [f"{name}: extra" for name in got.keys() - want.keys()]
    found += [f"{name}: {len(got[name])} rows, want {len(want[name])}"
              for name in want.keys() & got.keys() if got[name] != want[name]]
    return sorted(found)
