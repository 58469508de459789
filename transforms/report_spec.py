"""What the HTML report shows of one family, declared beside its tables (``TableSet.report``).

The report itself (``transforms.report``) knows no family: each family states its title, what
counts as activity (one chart line per series) and how to-do completion is read, as data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    """Rows of ``table`` counted by ``created_at``; ``name`` is the SQL naming a row's line."""

    table: str
    name: str
    where: str = ""

    def select(self, api: str) -> str:
        where = f" WHERE {self.where}" if self.where else ""
        return f"SELECT {self.name} AS series, created_at FROM {api}.{self.table}{where}"


@dataclass(frozen=True)
class Activity:
    """``what`` is counted per month (``events``), one chart line ``per`` series kind."""

    what: str
    per: str
    series: tuple[Series, ...]

    def query(self, api: str, present: Callable[[str], bool]) -> str | None:
        """One query over the series whose table the export has; None when it has none."""
        parts = [s.select(api) for s in self.series if present(s.table)]
        return " UNION ALL ".join(parts) or None


@dataclass(frozen=True)
class Completion:
    """A query giving ``project``, ``todos`` and ``completed``, and the tables it needs."""

    query: str
    needs: tuple[str, ...]


@dataclass(frozen=True)
class FamilyReport:
    title: str
    activity: Activity | None = None
    completion: Completion | None = None
