"""The API families we know, each a catalog plus its table registry, and step resolution.

A step is one primary output table (``todos``, ``comments``); running it runs every endpoint whose
records land in it, plus their ancestors for the path ids, and writes that table with its child
tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from extract.catalog import bc2 as bc2_catalog
from extract.catalog.model import Catalog
from extract.errors import ConfigError
from transforms.schemas import Registry
from transforms.schemas import bc2 as bc2_schemas


@dataclass(frozen=True)
class Family:
    api: str
    catalog: Catalog
    registry: Registry
    preflight: str

    def steps(self) -> list[str]:
        """Primary tables some crawled endpoint fills, directly or as embedded records."""
        produced: set[str] = set()
        for endpoint in self.catalog.crawled:
            produced |= self.registry.closure([endpoint.table])
        return sorted(t for t in produced if self.registry[t].child_of is None)

    def tables_for(self, steps: Iterable[str] | None) -> set[str]:
        chosen = list(steps) if steps else self.steps()
        unknown = sorted(set(chosen) - set(self.steps()))
        if unknown:
            raise ConfigError(f"unknown step(s) {', '.join(unknown)}; "
                              f"known: {', '.join(self.steps())}")
        return self.registry.closure(chosen)

    def endpoints_for(self, tables: set[str]) -> set[str]:
        """Crawled endpoints feeding ``tables``, their ancestors, and the preflight."""
        needed = {e.id for e in self.catalog.crawled
                  if self.registry.closure([e.table]) & tables}
        for endpoint_id in list(needed):
            needed |= self.catalog.ancestors(endpoint_id)
        needed.add(self.preflight)
        return needed

    def endpoints_into(self, table: str) -> list[str]:
        return [e.id for e in self.catalog.crawled if table in self.registry.closure([e.table])]


FAMILIES: dict[str, Family] = {
    "bc2": Family("bc2", bc2_catalog.CATALOG, bc2_schemas.TABLES, preflight="person_me"),
}


def family(api: str) -> Family:
    try:
        return FAMILIES[api]
    except KeyError:
        raise ConfigError(f"unknown API {api!r}; known: {', '.join(FAMILIES)}") from None
