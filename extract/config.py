"""What one export needs to know, filled by the CLI (or a test, or the bench) and read by the run.

Its own module so the export's story (``extract.export``) and its characters
(``extract.run``) both read it without importing each other.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from extract.http import DEFAULT_BACKOFF, DEFAULT_RETRIES, Credentials, RateLimit
from extract.pagination import DEFAULT_MAX_PAGES
from extract.progress import Progress
from extract.signin import Grant
from transforms.store.layout import TABLE
from transforms.store.location import Location
from transforms.tree import Tree


@dataclass
class ExportConfig:
    """What an export needs to know; the CLI fills it from options and environment."""

    account_id: int | str
    base_url: str
    user_agent: str
    credentials: Credentials
    output: Path | str | Location  # a local folder, or a URI (``s3://bucket/prefix``)
    api: str = "bc2"
    steps: list[str] | None = None
    workers: int = 8
    rate_limit: RateLimit | None = None
    cache: bool = True
    max_pages: int = DEFAULT_MAX_PAGES
    retries: int | None = DEFAULT_RETRIES
    backoff_factor: float = DEFAULT_BACKOFF
    retry_for: float | None = None
    keep_raw: bool = False
    timezone: str | None = None
    progress: Progress | None = None
    grant: Grant | None = None
    options: tuple[str, ...] = ()
    full: bool = False
    wait_for_lock: bool = True
    allow_shrink: frozenset[str] = frozenset()
    partition_by: str = TABLE  # the layout (``transforms.store.layout``)
    work_dir: Path | None = None


def work_dir(config: ExportConfig, tree: Tree) -> Path:
    """Where a run keeps its local files (resume journal, HTTP cache, lock, ``--keep-raw``
    pages): ``--work-dir``; else the output itself when it is local; else a folder of the
    user's cache dir named for the remote output, so a rerun finds its journal again."""
    return Path(config.work_dir) if config.work_dir is not None else default_work_dir(tree)


def default_work_dir(tree: Tree) -> Path:
    """The output itself when it is local; else a folder of the user's cache dir named for
    the remote output."""
    if tree.folder is not None:
        return tree.folder
    digest = hashlib.sha256(tree.shown.encode()).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("basecamp-extract")) / "outputs" / digest
