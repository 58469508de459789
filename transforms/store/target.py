"""Where one account's output lives, and what storing a run there needs to know: plain data.

The pipeline (``extract.export``) builds a ``Storage`` from its configuration and the family;
the storage modules see neither, so ``transforms`` stays below ``extract``. What only the
catalog knows (which endpoints fill a table, which tables a failed unit taints) arrives here
already worked out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from transforms.schemas import Registry
from transforms.store.layout import TABLE
from transforms.tree import Tree

WHOLE_TABLE = "*"
EVERY_TABLE = "*"

# (table, bucket value or WHOLE_TABLE): partitions a failed unit feeds, kept as stored.
Tainted = set[tuple[str, Any]]


@dataclass(frozen=True)
class Target:
    """One account's corner of an export: its files of each table under ``<output>/<api>/``,
    in the layout the run writes (``transforms.store.layout``)."""

    tree: Tree
    api: str
    account_column: str
    account: int | str
    layout: str = TABLE

    @property
    def account_dir(self) -> str:
        return f"{self.account_column}={self.account}"

    @property
    def partition(self) -> dict[str, Any]:
        """The account's partition values, the start of every partition of its tables."""
        return {self.account_column: self.account}

    def own(self, folder: str) -> tuple[str, ...]:
        """This account's entry of one of the export's own folders (``_manifests``)."""
        return (self.api, folder, self.account_dir)


@dataclass(frozen=True)
class Storage:
    """What storing one run needs: where, the family's tables, which endpoints fill each table,
    the column that buckets rows by project, and the tables ``--allow-shrink`` lets shrink."""

    target: Target
    registry: Registry
    feeding: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    bucket: str = "project_id"
    allow_shrink: frozenset[str] = frozenset()

    def endpoints_into(self, table: str) -> list[str]:
        return list(self.feeding.get(table, ()))

    def may_shrink(self, table: str) -> bool:
        """``--allow-shrink`` names the table, or every table; child lists go with a parent."""
        allow = self.allow_shrink
        if EVERY_TABLE in allow or table in allow:
            return True
        spec = self.registry.get(table)
        while spec is not None and spec.child_of:
            if spec.child_of in allow:
                return True
            spec = self.registry.get(spec.child_of)
        return False

    def bucketed(self, partition: tuple[str, ...]) -> bool:
        """A table partitioned by bucket (project) as well as by account."""
        return self.bucket in partition
