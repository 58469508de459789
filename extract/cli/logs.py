"""Where the command line's log records go: -v levels, --log-file, the redactor on both."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from transforms.redact import REDACTOR

OUR_LOGGERS = ("extract", "transforms", "sandbox")
# Below -vvv these say only what our own retries already report (pool full, retrying).
QUIET_LIBRARIES = {"urllib3": logging.ERROR}


class Verbosity(logging.Filter):
    """Our records from one level, libraries' (urllib3, requests_cache, filelock…) from another.

    A filter on the handler rather than logger levels, so nothing outlives the command.
    """

    def __init__(self, ours: int, libraries: int) -> None:
        super().__init__()
        self.ours, self.libraries = ours, libraries

    def filter(self, record: logging.LogRecord) -> bool:
        top = record.name.split(".", 1)[0]
        if top in OUR_LOGGERS:
            return record.levelno >= self.ours
        if self.libraries > logging.DEBUG:
            return record.levelno >= max(self.libraries, QUIET_LIBRARIES.get(top, 0))
        return record.levelno >= self.libraries


def configure_logging(verbose: int, log_file: Path | None) -> None:
    """-v: our INFO (progress, decisions); -vv: our DEBUG; -vvv: libraries' DEBUG too.

    --log-file is the debug log: our DEBUG whatever -v says, and from -vv the libraries' DEBUG
    as well (their request lines are where a leaked secret would show; the redactor masks it).
    """
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "basecamp_extract", False):
            handler.close()
    root.handlers.clear()
    ours = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    libraries = logging.DEBUG if verbose >= 3 else logging.WARNING
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    console.addFilter(Verbosity(ours, libraries))
    console.addFilter(REDACTOR)
    root.addHandler(console)
    root.setLevel(ours if log_file is None else logging.DEBUG)
    if log_file is not None:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(Verbosity(logging.DEBUG,
                                    logging.DEBUG if verbose >= 2 else logging.WARNING))
        handler.addFilter(REDACTOR)
        handler.basecamp_extract = True  # type: ignore[attr-defined]
        root.addHandler(handler)
