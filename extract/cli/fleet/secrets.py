"""An account's secret, read where the account runs: the worker's environment or a file.

Only names travel (``token_env = "ACME_TOKEN"``); the value is read here, inside the task, and
registered with the log redactor at once. A missing variable or file is one line naming the
variable or file, never a value.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from extract.cli.fleet.accounts import AccountEntry
from extract.families import family
from transforms.errors import ConfigError
from transforms.redact import REDACTOR


@dataclass(frozen=True)
class Secrets:
    """What the options ``--token``, ``--username``, ``--password``, ``--token-file`` would
    carry; ``repr`` never shows a secret."""

    token: str | None = field(default=None, repr=False)
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    token_file: Path | None = None


def resolve(entry: AccountEntry) -> Secrets:
    """Read the entry's secrets here. A family that signs in with a stored grant (Basecamp 4)
    takes ``token_file`` as that grant's file; the others read the token from it."""
    if entry.sandbox:
        return Secrets()
    grant_file = family(entry.family).login is not None
    token = _env(entry, "token_env")
    if entry.token_file and not grant_file:
        token = token or _file(entry)
    found = Secrets(token=token, username=_env(entry, "username_env"),
                    password=_env(entry, "password_env"),
                    token_file=Path(entry.token_file).expanduser()
                    if entry.token_file and grant_file else None)
    REDACTOR.add(found.token, found.password)
    return found


def _env(entry: AccountEntry, key: str) -> str | None:
    name = getattr(entry, key)
    if name is None:
        return None
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"account {entry.name!r}: the environment variable {name} "
                          f"({key}) is not set on {socket.gethostname()}")
    return value


def _file(entry: AccountEntry) -> str:
    path = Path(str(entry.token_file)).expanduser()
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"account {entry.name!r}: cannot read the token file {path} on "
                          f"{socket.gethostname()}: {getattr(exc, 'strerror', None) or exc}"
                          ) from None
    if not token:
        raise ConfigError(f"account {entry.name!r}: the token file {path} is empty")
    return token
