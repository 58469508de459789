"""The registry of API families: each lives in its own folder; adding one is a line here.

Everything outside the family folders asks this registry (``family("bc4")``) and the
``Family`` it returns, never compares family names itself.
"""

from __future__ import annotations

from extract.families import backpack, bc2, bc4
from extract.families.family import Family
from transforms.errors import ConfigError

FAMILIES: dict[str, Family] = {f.api: f for f in (bc2.FAMILY, bc4.FAMILY, backpack.FAMILY)}


def family(api: str) -> Family:
    try:
        return FAMILIES[api]
    except KeyError:
        raise ConfigError(f"unknown API {api!r}; known: {', '.join(FAMILIES)}") from None


__all__ = ["FAMILIES", "Family", "family"]
