"""One writer per output: a file lock per (output, API, account), held for a whole export.

Two exports of the same account into the same output would share one run journal, one state
file and the same partitions; the second would adopt or delete the first's journal. The lock
(``OUTPUT/API/_locks/<column>=<account>.lock``, an OS-level ``flock`` through ``filelock``, so
a killed holder releases it) makes the second wait, or, with ``wait=False``, refuse at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from transforms.errors import BusyError, OutputError

log = logging.getLogger(__name__)


def lock_path(output: Path, api: str, column: str, account: Any) -> Path:
    return output / api / "_locks" / f"{column}={account}.lock"


@contextmanager
def output_lock(output: Path, api: str, column: str, account: Any,
                wait: bool = True) -> Iterator[Path]:
    """Hold the lock of one account's output for the duration of the block."""
    path = lock_path(output, api, column, account)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the lock folder {path.parent}: "
                          f"{exc.strerror or exc}") from None
    lock = FileLock(path, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise BusyError(f"another export of {api} account {account} is running "
                            f"(lock {path}); run again later or without --no-wait") from None
        log.warning("waiting for another export of %s account %s (lock %s)", api, account, path)
        lock.acquire()
    except OSError as exc:
        raise OutputError(f"cannot take the lock {path}: {exc.strerror or exc}") from None
    try:
        yield path
    finally:
        lock.release()
