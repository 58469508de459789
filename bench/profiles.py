"""How the bench treats each family, declared once: peers, login, extra limits, judged targets.

The bench's per-family registry: everything else in ``bench`` asks a ``Profile`` for a fact
instead of comparing family names. Adding a family to the bench is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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


PROFILES: dict[str, Profile] = {
    "bc2": Profile(peers=("dlt",), login="password", judge_efficiency=True),
    "bc4": Profile(peers=("dlt", "sdk"), login="oauth", judge_efficiency=True, judge_walk=True),
    "backpack": Profile(account_attr="account", calendar_limit=(10, 5.0)),
}
