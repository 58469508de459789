"""What an export asks of a sign-in grant, whichever family issued it.

A family that signs in with more than a username or a token (Basecamp 4's OAuth through
Launchpad, ``extract.families.bc4.grant``) hands the export a grant; the core only needs it to
authenticate requests, to name the HTTP cache, and to list the secrets logs must mask.
"""

from __future__ import annotations

from typing import Protocol

import requests


class Grant(Protocol):
    def auth(self, user_agent: str) -> requests.auth.AuthBase:
        """Request authentication that may refresh itself mid-run."""
        ...

    def identity(self) -> str:
        """A one-way name for the HTTP cache that outlives token rotation."""
        ...

    def secrets(self) -> list[str]:
        """Every secret the grant holds, for the log redactor."""
        ...
