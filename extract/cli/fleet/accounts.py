"""The accounts file: one ``[[accounts]]`` table per account, checked into ``AccountEntry``.

An entry names where its secret is (an environment variable's name, a token file's path),
never the secret itself, so the entry is safe to ship through a scheduler, a task graph, a
log line or the fleet manifest; ``extract.cli.fleet.secrets`` reads the secret on the worker.
A ``sandbox = "bc2"`` entry exports a built-in sandbox account instead (no credentials).

Every mistake is one line naming the file and the entry (exit 2).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.cli.options import SIZES, parse_rate
from extract.families import FAMILIES, family
from transforms.errors import ConfigError

# Keys that would hold a secret inline: refused with the key to use instead.
INLINE_SECRETS = {"token": "token_env or token_file", "password": "password_env",
                  "username": "username_env", "secret": "token_env or token_file",
                  "api_key": "token_env or token_file", "access_token": "token_env or token_file",
                  "refresh_token": "token_file", "client_secret": "token_file"}
CREDENTIAL_KEYS = ("token_env", "token_file", "username_env", "password_env")
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")  # upper case: a token pasted here is refused


@dataclass(frozen=True)
class AccountEntry:
    """One account of the fleet, as the file gives it: plain, secret-free data."""

    name: str
    family: str
    account: str | None = None
    base_url: str | None = None
    user_agent: str | None = None
    token_env: str | None = None
    token_file: str | None = None
    username_env: str | None = None
    password_env: str | None = None
    launchpad: str | None = None
    sandbox: bool = False
    seed: int = 0
    size: str = "default"
    sandbox_rate_limit: str | None = None  # the sandbox server's limit: "N/S", or "off"


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value else "must be a non-empty string"


def _env_name(value: Any) -> str | None:
    if _text(value) or not ENV_NAME.fullmatch(value):
        return ("must be the NAME of an environment variable (like ACME_TOKEN), "
                "not the secret itself")
    return None


def _seed(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return None if ok else "must be a whole number >= 0"


def _size(value: Any) -> str | None:
    return None if value in SIZES else f"must be one of {', '.join(SIZES)}"


def _rate(value: Any) -> str | None:
    if value == "off":
        return None
    try:
        parse_rate(value if isinstance(value, str) else "")
    except ConfigError:
        return "must look like 500/10 (requests/seconds) or be \"off\""
    return None


def _account(value: Any) -> str | None:
    ok = (isinstance(value, str) and value) or (isinstance(value, int)
                                                 and not isinstance(value, bool))
    return None if ok else "must be an account id or a subdomain"


# Every key an entry may have, and how its value is checked (None: fine).
CHECKS: dict[str, Callable[[Any], str | None]] = {
    "name": _text, "family": _text, "account": _account, "base_url": _text,
    "user_agent": _text, "token_env": _env_name, "token_file": _text,
    "username_env": _env_name, "password_env": _env_name, "launchpad": _text,
    "sandbox": _text, "seed": _seed, "size": _size, "sandbox_rate_limit": _rate,
}


def load_accounts(path: Path) -> list[AccountEntry]:
    """The accounts of ``path``, checked; ``ConfigError`` (one line) for a bad file."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the accounts file {path}: {exc.strerror or exc}") \
            from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_accounts(document, str(path))


def parse_accounts(document: dict[str, Any], where: str = "accounts file") -> list[AccountEntry]:
    """Entries of a parsed accounts file, each checked, names and accounts unique."""
    extra = sorted(set(document) - {"accounts"})
    if extra:
        raise ConfigError(f"{where}: unknown top-level key(s) {', '.join(extra)}; "
                          "list accounts as [[accounts]] tables")
    tables = document.get("accounts")
    if not isinstance(tables, list) or not tables:
        raise ConfigError(f"{where}: no accounts; add one [[accounts]] table per account")
    entries = [_entry(table, f"{where}: account {number}")
               for number, table in enumerate(tables, 1)]
    _unique(entries, where)
    return entries


def _entry(table: Any, where: str) -> AccountEntry:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table of keys")
    if isinstance(table.get("name"), str):
        where = f"{where} ({table['name']})"
    for key, value in table.items():
        problem = _key_problem(key, value)
        if problem:
            raise ConfigError(f"{where}: {problem}")
    values = dict(table)
    sandbox = values.pop("sandbox", None)
    if sandbox is not None:
        _sandbox_checks(values, sandbox, where)
        values["family"], values["sandbox"] = sandbox, True
    else:
        _account_checks(values, where)
    values["account"] = str(values["account"]) if "account" in values else None
    values.setdefault("name", _default_name(values))
    return AccountEntry(**values)


def _key_problem(key: str, value: Any) -> str | None:
    if key in INLINE_SECRETS:
        return (f"a secret is never written in the accounts file: instead of {key!r} use "
                f"{INLINE_SECRETS[key]} (where the secret is)")
    if key not in CHECKS:
        return f"unknown key {key!r}; known: {', '.join(CHECKS)}"
    problem = CHECKS[key](value)
    return f"{key} {problem}" if problem else None


def _known_family(name: str, where: str, what: str = "family") -> None:
    if name not in FAMILIES:
        raise ConfigError(f"{where}: unknown {what} {name!r}; known: {', '.join(FAMILIES)}")


def _sandbox_checks(values: dict[str, Any], sandbox: str, where: str) -> None:
    """A sandbox entry: a known family with a sandbox, and nothing of a real account."""
    _known_family(sandbox, where, "sandbox")
    if values.get("family", sandbox) != sandbox:
        raise ConfigError(f"{where}: family {values['family']!r} and sandbox {sandbox!r} "
                          "differ; give sandbox alone")
    if family(sandbox).sandbox_target is None:
        raise ConfigError(f"{where}: {sandbox} has no built-in sandbox")
    real = sorted(k for k in (*CREDENTIAL_KEYS, "account", "base_url", "launchpad")
                  if k in values)
    if real:
        raise ConfigError(f"{where}: a sandbox entry takes no account or credentials "
                          f"({', '.join(real)})")


def _account_checks(values: dict[str, Any], where: str) -> None:
    """A real account: its family, its id, and where its secret is."""
    for key in ("seed", "size", "sandbox_rate_limit"):
        if key in values:
            raise ConfigError(f"{where}: {key} is for sandbox entries only")
    if "family" not in values:
        raise ConfigError(f"{where}: family is required ({', '.join(FAMILIES)}), or "
                          "sandbox = \"...\" for a built-in sandbox")
    _known_family(values["family"], where)
    fam = family(values["family"])
    if "account" not in values:
        raise ConfigError(f"{where}: account is required (the account id; Backpack: the "
                          "subdomain)")
    if fam.account_column == "account_id" and not str(values["account"]).isdigit():
        raise ConfigError(f"{where}: account must be a numeric account id, not "
                          f"{values['account']!r}")
    _credential_checks(values, fam.session_auth, where)


def _credential_checks(values: dict[str, Any], session_auth: bool, where: str) -> None:
    pair = [k for k in ("username_env", "password_env") if k in values]
    if pair and not session_auth:
        raise ConfigError(f"{where}: {values['family']} signs in with a token: use token_env "
                          "or token_file")
    if len(pair) == 1:
        raise ConfigError(f"{where}: username_env and password_env go together")
    if not any(k in values for k in CREDENTIAL_KEYS):
        raise ConfigError(f"{where}: say where the secret is: token_env (an environment "
                          "variable's name) or token_file"
                          + (", or username_env and password_env" if session_auth else ""))


def _default_name(values: dict[str, Any]) -> str:
    if values.get("sandbox"):
        return f"{values['family']}-sandbox-{values.get('seed', 0)}"
    return f"{values['family']}-{values['account']}"


def _unique(entries: Iterable[AccountEntry], where: str) -> None:
    """Two entries of one name, or of one account, would share a lock, state and files."""
    names: set[str] = set()
    accounts: set[tuple[Any, ...]] = set()
    for entry in entries:
        if entry.name in names:
            raise ConfigError(f"{where}: duplicate name {entry.name!r}; names must be unique")
        names.add(entry.name)
        same = (entry.family, entry.sandbox, entry.seed if entry.sandbox else entry.account)
        if same in accounts:
            raise ConfigError(f"{where}: account {entry.name!r} repeats an earlier entry's "
                              "account; each account is listed once")
        accounts.add(same)

