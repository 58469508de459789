"""One request budget per host, shared by every process on it (Basecamp 4 limits per address).

Basecamp 4 counts every request leaving an IP address against one 50 / 10 s window, whatever
the account or token, so the processes exporting from one host (Dask workers, two CLI runs)
must draw from one budget. That budget is a pyrate-limiter ``SQLiteBucket`` in a machine-wide
file, its count-and-insert guarded by the bucket's file lock (the multi-process backend
requests-ratelimiter builds on). The host is named by ``BASECAMP_SOURCE_ADDRESS``, the local
address outgoing connections bind to: workers given different addresses are different hosts to
the API and get a budget each; without it every process of the machine shares ``default``.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

import platformdirs
from pyrate_limiter import Limiter, Rate, SQLiteBucket

SOURCE_ADDRESS_ENV = "BASECAMP_SOURCE_ADDRESS"
LIMITS_DIR_ENV = "BASECAMP_LIMITS_DIR"
DEFAULT_HOST_KEY = "default"
BUDGET_TABLE = "budget"
# Extra wait pyrate-limiter adds to a computed delay, for the clocks of several processes.
BUFFER_MS = 50


def source_address() -> str | None:
    """The local address this host's connections leave from, when one is set."""
    value = os.environ.get(SOURCE_ADDRESS_ENV, "").strip()
    return value or None


def host_key() -> str:
    """The name of this host's budget: its source address, or ``default``."""
    return source_address() or DEFAULT_HOST_KEY


def limits_dir() -> Path:
    """Where the machine-wide budget files live (``BASECAMP_LIMITS_DIR`` overrides)."""
    override = os.environ.get(LIMITS_DIR_ENV, "").strip()
    if override:
        return Path(override)
    return Path(platformdirs.user_cache_dir("basecamp-extract")) / "limits"


def budget_file(name: str, key: str | None = None) -> Path:
    """The file holding budget ``name`` (a family, ``bc4``) of host ``key``."""
    safe = re.sub(r"[^A-Za-z0-9.-]", "_", key or host_key())
    return limits_dir() / f"{name}-{safe}.sqlite"


def host_limiter(name: str, requests: int, seconds: float) -> Limiter:
    """The limiter every process of this host shares for budget ``name``.

    At most ``requests`` per ``seconds`` (sliding window) over all of them. One limiter per
    process and file: its threads share the SQLite connection and the leak thread.
    """
    path = budget_file(name)
    return _limiter(str(path), requests, round(seconds * 1000), os.getpid())


@functools.cache
def _limiter(path: str, requests: int, window_ms: int, pid: int) -> Limiter:
    """Cached per process (``pid`` in the key: a forked child opens its own connection)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    bucket = SQLiteBucket.init_from_file([Rate(requests, window_ms)], table=BUDGET_TABLE,
                                         db_path=path, use_file_lock=True)
    return Limiter(bucket, buffer_ms=BUFFER_MS)
