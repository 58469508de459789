"""How the bench treats each family, declared once: peers, login, extra limits, judged targets.

The bench's per-family registry: everything else in ``bench`` asks a ``Profile`` for a fact
instead of comparing family names. Adding a family to the bench is one entry here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Scan:
    """How the bench scans a table with DuckDB: group by ``group_by``, count and max(``time``)."""

    group_by: str
    time: str


@dataclass(frozen=True)
class Profile:
    """One family as the bench sees it."""

    peers: tuple[str, ...] = ()
    # How our export's credentials travel: HTTP Basic, an OAuth grant, or a bare token.
    login: Literal["password", "oauth", "token"] = "token"
    # The ``Sandbox`` attribute our export takes as ``--account``.
    account_attr: str = "account_id"
    # The sandbox's second, stricter limit on calendar paths (requests, seconds), if any.
    calendar_limit: tuple[int, float] | None = None
    # Targets judged only for some families: time within the rate-limit floor, and the
    # requests of a peer's container walk over ours.
    judge_efficiency: bool = False
    judge_walk: bool = False
    # Tables DuckDB reads from the export's files and from one compacted file (issue 14).
    scans: Mapping[str, Scan] = field(default_factory=dict)
    # Whether the CPU path's speed-up over the old layout (>= 3x) is judged for this family.
    judge_cpu_speedup: bool = False
    # The CPU path's records/s target at size large (issue 15).
    cpu_records_per_s: int = 50_000


PROFILES: dict[str, Profile] = {
    # BC2 comments carry their project as ``bucket_id`` (no project_id column).
    "bc2": Profile(peers=("dlt",), login="password", judge_efficiency=True,
                   scans={"todos": Scan("project_id", "updated_at"),
                          "comments": Scan("bucket_id", "updated_at")}),
    "bc4": Profile(peers=("dlt", "sdk"), login="oauth", judge_efficiency=True, judge_walk=True,
                   scans={"todos": Scan("project_id", "updated_at"),
                          "comments": Scan("project_id", "updated_at")},
                   judge_cpu_speedup=True),
    "backpack": Profile(account_attr="account", calendar_limit=(10, 5.0),
                        cpu_records_per_s=100_000),
}
