"""The table side of each API family: its table registry and the column naming an account.

This is the bottom of the house: the readers, the warehouse loader and the report find a
family's tables here, and ``extract.families`` builds each family's fetch side on top of it.
A new family adds its schema module and one line to ``TABLE_SETS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from transforms.errors import ConfigError
from transforms.report_spec import FamilyReport
from transforms.schemas import Registry
from transforms.schemas import backpack as backpack_schemas
from transforms.schemas import bc2 as bc2_schemas
from transforms.schemas import bc4 as bc4_schemas
from transforms.schemas.bc4 import report as bc4_report


@dataclass(frozen=True)
class TableSet:
    """One family's output tables; ``account_column`` names the account partition."""

    api: str
    registry: Registry
    report: FamilyReport
    account_column: str = "account_id"


TABLE_SETS: dict[str, TableSet] = {
    "bc2": TableSet("bc2", bc2_schemas.TABLES, bc2_schemas.REPORT),
    "bc4": TableSet("bc4", bc4_schemas.TABLES, bc4_report.REPORT),
    "backpack": TableSet("backpack", backpack_schemas.TABLES, backpack_schemas.REPORT,
                         account_column="account"),
}


def table_set(api: str) -> TableSet:
    try:
        return TABLE_SETS[api]
    except KeyError:
        raise ConfigError(f"unknown API {api!r}; known: {', '.join(TABLE_SETS)}") from None
