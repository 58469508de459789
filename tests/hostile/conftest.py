"""The shared hostile accounts: one BC2 and one BC4 sandbox behind a ``HostileProxy``, and a
calm export of each, made once for the package (the proxy is reset before each test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import Sandbox
from sandbox.foreign import ForeignServer
from sandbox.hostile import HostileProxy
from tests.hostile.cases import Target, copy_output, tables


@pytest.fixture(scope="package")
def bc2_target():
    with Sandbox(api="bc2", size="tiny", rate_limit=None) as box, \
            HostileProxy(box.origin) as proxy:
        yield Target(box, proxy)


@pytest.fixture(scope="package")
def bc4_target():
    with Sandbox(api="bc4", size="tiny", rate_limit=None) as box, \
            HostileProxy(box.origin) as proxy:
        yield Target(box, proxy)


@pytest.fixture
def bc2(bc2_target):
    bc2_target.proxy.reset()
    return bc2_target


@pytest.fixture
def bc4(bc4_target):
    bc4_target.proxy.reset()
    return bc4_target


def _calm(target: Target, output: Path) -> Path:
    target.proxy.reset()
    proc = target.export(output)
    assert proc.returncode == 0, proc.stderr
    return output


@pytest.fixture(scope="package")
def bc2_calm_dir(bc2_target, tmp_path_factory) -> Path:
    """A calm first full export of the shared BC2 account, through the (idle) proxy."""
    return _calm(bc2_target, tmp_path_factory.mktemp("bc2-calm"))


@pytest.fixture(scope="package")
def bc4_calm_dir(bc4_target, tmp_path_factory) -> Path:
    return _calm(bc4_target, tmp_path_factory.mktemp("bc4-calm"))


@pytest.fixture(scope="package")
def bc2_calm(bc2_calm_dir):
    """The calm export's tables: what every healed or refused run must still hold."""
    return tables(bc2_calm_dir, "bc2")


@pytest.fixture(scope="package")
def bc4_calm(bc4_calm_dir):
    return tables(bc4_calm_dir, "bc4")


@pytest.fixture
def seeded(bc2_calm_dir, tmp_path) -> Path:
    """A private copy of the calm BC2 export (state, manifests and HTTP cache included)."""
    return copy_output(bc2_calm_dir, tmp_path / "out")


@pytest.fixture
def foreign():
    with ForeignServer() as server:
        yield server

