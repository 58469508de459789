"""Shared fixtures.

- ``shared``: the ``../shared`` reference folder; tests that read it skip when it is absent
  (a clone outside the workspace).
- ``tiny_sandbox``: one in-process BC2 sandbox (tiny size, no server-side rate limit) for the
  whole session; tests that need a limit or faults start their own.
- ``export_to``: runs a full export of a sandbox into a directory and returns the result.
- ``vcr_cassette_dir``: where pytest-recording keeps each module's cassettes.
- ``cli_env``: the environment for a subprocess run of the CLI, without the caller's
  ``BASECAMP_*`` settings (a developer's real token must never reach a test run), but with
  the test process's own Basecamp 4 budget folder (``BASECAMP_LIMITS_DIR``, set at import).
- ``stored_tables``: every table of an export as sorted rows without lineage columns, so two
  exports (resumed, incremental, faulted, calm) compare row for row.
- ``_postgres_released`` (autouse): a test that took the PostgreSQL test database
  (``tests.warehouse.db.fresh_postgres``) gives it back when it ends, so tests run in parallel
  (pytest-xdist, ``-n`` in pyproject's addopts) never share schema ``bc2``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from extract import hostlimit
from extract.config import ExportConfig
from extract.export import ExportResult, run_export
from extract.http import Credentials
from tests.warehouse.db import release_postgres

# Basecamp 4's budget is shared by every process of a host (extract/hostlimit.py); each test
# process (and the CLI runs it starts) gets a folder of its own, so parallel test workers
# neither slow each other down nor touch the budget of a real export on this machine.
os.environ.setdefault(hostlimit.LIMITS_DIR_ENV, tempfile.mkdtemp(prefix="basecamp-limits-"))
atexit.register(shutil.rmtree, os.environ[hostlimit.LIMITS_DIR_ENV], ignore_errors=True)

SHARED = Path(__file__).resolve().parents[2] / "shared"
CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
USER_AGENT = "basecamp-extract tests (tests@example.com)"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "reference").is_dir():
        pytest.skip(f"reference folder {SHARED} is absent (clone outside the workspace)")
    return SHARED


@pytest.fixture(autouse=True)
def _postgres_released() -> Iterator[None]:
    yield
    release_postgres()


@pytest.fixture
def vcr_cassette_dir(request) -> str:
    """Cassettes live under cassettes/<test module>/<test name>.yaml (pytest-recording)."""
    return str(CASSETTES / request.module.__name__.split(".")[-1])


@pytest.fixture(scope="session")
def tiny_sandbox() -> Iterator[Any]:
    from sandbox import Sandbox

    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box:
        yield box


def sandbox_config(box: Any, output: Path, **overrides: Any) -> ExportConfig:
    creds = box.credentials
    values: dict[str, Any] = {
        "account_id": box.account_id,
        "base_url": box.base_url,
        "user_agent": USER_AGENT,
        "credentials": Credentials(username=creds.username, password=creds.password),
        "output": output,
        "workers": 4,
        "backoff_factor": 0.01,
    }
    values.update(overrides)
    return ExportConfig(**values)


@pytest.fixture
def export_to() -> Callable[..., ExportResult]:
    def run(box: Any, output: Path, **overrides: Any) -> ExportResult:
        return run_export(sandbox_config(box, output, **overrides))

    return run


LINEAGE = {"_run_id", "_extracted_at"}


def stored_tables(output: Path, api: str) -> dict[str, list[dict[str, Any]]]:
    """Every table of ``output/api``: rows sorted by key, lineage columns left out."""
    import pyarrow.dataset as ds

    from extract.families import family

    registry = family(api).registry
    out = {}
    for folder in sorted((output / api).iterdir()):
        if folder.name.startswith("_") or not folder.is_dir():
            continue
        data = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
        columns = sorted(c for c in data.column_names if c not in LINEAGE)
        key = [(k, "ascending") for k in registry[folder.name].key]
        out[folder.name] = data.select(columns).sort_by(key).to_pylist()
    return out


def cli_env() -> dict[str, str]:
    """This process's environment minus every ``BASECAMP_*`` variable but the test run's own
    Basecamp 4 budget folder."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("BASECAMP_") or k == hostlimit.LIMITS_DIR_ENV}


def export_command(box: Any, output: Path, *extra: str, workers: int = 2) -> list[str]:
    """The CLI's ``export`` of a BC2 sandbox into ``output``, as a subprocess argument list."""
    import sys

    exe = Path(sys.executable).with_name("basecamp-extract")
    c = box.credentials
    return [str(exe), "export", "--base-url", box.base_url, "--username", c.username,
            "--password", c.password, "--user-agent", USER_AGENT, "-o", str(output),
            "--workers", str(workers), *extra]
