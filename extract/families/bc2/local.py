"""Basecamp 2 against the CLI's built-in sandbox: HTTP Basic into the sandbox's account."""

from __future__ import annotations

from typing import Any

from extract.families.family import SANDBOX_LOGIN, Target
from extract.http import Credentials


def sandbox_login() -> object:
    """Fixed credentials, so the HTTP cache of one sandbox run serves the next."""
    from sandbox import Credentials as SandboxCredentials  # loaded only when a sandbox runs

    return SandboxCredentials(**SANDBOX_LOGIN)


def sandbox_target(box: Any) -> Target:
    creds = box.credentials
    return Target(sandbox=box, base_url=box.base_url, account=box.account_id,
                  credentials=Credentials(username=creds.username, password=creds.password))
