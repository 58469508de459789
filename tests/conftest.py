"""Shared fixtures.

- ``shared``: the ``../shared`` reference folder; tests that read it skip when it is absent
  (a clone outside the workspace).
- ``tiny_sandbox``: one in-process BC2 sandbox (tiny size, no server-side rate limit) for the
  whole session; tests that need a limit or faults start their own.
- ``export_to``: runs a full export of a sandbox into a directory and returns the result.
- ``vcr_cassette_dir``: where pytest-recording keeps each module's cassettes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from extract.export import ExportConfig, ExportResult, run_export
from extract.http import Credentials

SHARED = Path(__file__).resolve().parents[2] / "shared"
CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
USER_AGENT = "basecamp-extract tests (tests@example.com)"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "reference").is_dir():
        pytest.skip(f"reference folder {SHARED} is absent (clone outside the workspace)")
    return SHARED


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
