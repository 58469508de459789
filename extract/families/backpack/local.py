"""Backpack against the CLI's built-in sandbox: its token, and the subdomain as the account."""

from __future__ import annotations

from typing import Any

from extract.families.family import Target
from extract.http import Credentials


def sandbox_target(box: Any) -> Target:
    return Target(sandbox=box, base_url=box.base_url, account=box.account,
                  credentials=Credentials(token=box.credentials.token))
