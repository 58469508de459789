"""Fixtures of the bc2 sandbox tests: module-scoped sandboxes are made once per test file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox
from tests.sandbox_bc2_examples import (
    Samples,
)
from tests.sandbox_bc2_support import (
    CREDS,
    Api,
)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(size="tiny", seed=0, rate_limit=None, credentials=CREDS) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def api(sb: Sandbox) -> Api:
    return Api(sb)


@pytest.fixture
def fresh() -> Iterator[Sandbox]:
    """A sandbox of its own, for tests that inject faults or read the whole log."""
    with Sandbox(size="tiny", seed=0, rate_limit=None, credentials=CREDS) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def samples(sb: Sandbox, api: Api) -> Samples:
    return Samples(sb, api)
