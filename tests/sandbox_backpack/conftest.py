"""Fixtures of the backpack sandbox tests: module-scoped sandboxes are made once per test file."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox
from tests.sandbox_backpack_support import (
    Client,
    backpack,
)


@pytest.fixture
def fresh() -> Iterator[Sandbox]:
    """A sandbox of its own, for tests that inject faults or read the whole log."""
    with backpack() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with backpack() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def client(sb: Sandbox) -> Client:
    return Client(sb)
