"""One tiny export made once for the package, copied per test; the warehouse targets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extract.export import run_export
from tests.conftest import sandbox_config
from tests.warehouse.db import fresh_postgres


@pytest.fixture(scope="package")
def pristine(tmp_path_factory, tiny_sandbox) -> Path:
    """One tiny export, copied by ``export_dir`` for every test that changes files."""
    out = tmp_path_factory.mktemp("pristine")
    assert run_export(sandbox_config(tiny_sandbox, out)).ok
    return out


@pytest.fixture
def export_dir(pristine, tmp_path) -> Path:
    out = tmp_path / "export"
    shutil.copytree(pristine, out)
    return out


@pytest.fixture(params=["duckdb", "postgresql"])
def target(request, tmp_path) -> str:
    """A fresh, empty warehouse: a DuckDB file, or PostgreSQL with schema bc2 dropped."""
    if request.param == "duckdb":
        return str(tmp_path / "warehouse.duckdb")
    return fresh_postgres()


@pytest.fixture
def postgres_target() -> str:
    """PostgreSQL only, for what only PostgreSQL has (its statistics views)."""
    return fresh_postgres()

