"""Every fake API the sandbox serves, by the name the CLI and tests use (``api=``).

Adding a family means one folder with a ``family.py`` and one line here.
"""

from __future__ import annotations

from sandbox.backpack.family import FAMILY as BACKPACK
from sandbox.bc2.family import FAMILY as BC2
from sandbox.bc4.family import FAMILY as BC4
from sandbox.family import SandboxFamily
from sandbox.server import Limit

FAMILIES: dict[str, SandboxFamily] = {family.api: family for family in (BC2, BACKPACK, BC4)}
SUPPORTED_APIS = tuple(FAMILIES)
DEFAULT_RATE_LIMITS: dict[str, Limit] = {api: f.rate_limit for api, f in FAMILIES.items()}


def family_for(api: str) -> SandboxFamily:
    """The description of ``api``; ValueError for an API the sandbox doesn't serve."""
    if api not in FAMILIES:
        raise ValueError(f"unsupported api {api!r}; expected one of {SUPPORTED_APIS}")
    return FAMILIES[api]
