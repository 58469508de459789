"""Locks for what tests share beyond their own process: one PostgreSQL test database, and the
CLI's built-in sandbox port. Parallel workers (pytest-xdist, ``-n`` in pyproject's addopts) and
concurrent runs on one machine take turns through a lock file in the temp folder.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from filelock import FileLock

TIMEOUT = 600  # seconds: a holder that never lets go fails the waiting test instead of hanging

# The CLI's built-in sandbox takes a fixed port when it is free, so a re-run revalidates from
# the HTTP cache; a test that counts on that holds this lock across its runs, and every test
# that starts the built-in sandbox holds it while it runs.
BUILT_IN_SANDBOX_PORT = "built-in-sandbox-port"


@cache
def machine_lock(name: str) -> FileLock:
    """The lock called ``name``: re-entrant in this process, exclusive across processes."""
    return FileLock(Path(tempfile.gettempdir()) / f"basecamp-extract-tests-{name}.lock",
                    timeout=TIMEOUT)
