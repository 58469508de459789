"""What the schema did not expect, counted for the manifest: new columns, new tables, misfits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Drift:
    """Columns and child tables the schema does not declare; reported in the manifest."""

    columns: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    tables: set[str] = field(default_factory=set)
    unparsed: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def merge(self, other: Drift) -> None:
        for t, names in other.columns.items():
            self.columns[t] |= names
        self.tables |= other.tables
        for t, n in other.unparsed.items():
            self.unparsed[t] += n

    def as_dict(self) -> dict[str, Any]:
        return {
            "new_columns": {t: sorted(c) for t, c in sorted(self.columns.items()) if c},
            "new_tables": sorted(self.tables),
            "unparsed_values": dict(sorted(self.unparsed.items())),
        }
