"""Fixtures of the bc4 sandbox tests: module-scoped sandboxes are made once per test file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox
from tests.sandbox_walks import (
    Client,
    walk_everything,
)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(api="bc4", size="tiny", seed=0, rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb: Sandbox) -> Client:
    return Client(sb)


@pytest.fixture(scope="module")
def default_sb() -> Iterator[Sandbox]:
    """A default-size account: enough projects for the grouped lists to span several pages."""
    with Sandbox(api="bc4", size="default", seed=0, rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def walked() -> Iterator[Client]:
    """One full container walk of a tiny account, shared by the fidelity tests."""
    with Sandbox(api="bc4", size="tiny", seed=0, rate_limit=None) as sandbox:
        yield walk_everything(Client(sandbox))
