"""The Basecamp 4 grant on disk: one JSON token file, written atomically with mode 0600.

``TokenStore`` keeps the result of a login (default ``~/.config/basecamp-extract/
bc4-token.json``); its ``save_tokens`` is the ``on_refresh`` callback for
``RefreshingBearerAuth`` so rotated refresh tokens are never lost.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from extract.families.bc4.oauth import LAUNCHPAD, OAuthApp, Tokens
from extract.http import require_safe_base_url
from transforms.errors import AuthError, ConfigError
from transforms.redact import REDACTOR

log = logging.getLogger(__name__)

DEFAULT_TOKEN_FILE = "~/.config/basecamp-extract/bc4-token.json"
LOGIN_HINT = "run `basecamp-extract auth login` again"


class LoginError(AuthError):
    """Authorization did not complete or no longer holds (exit 3, like every auth failure)."""

    hint = LOGIN_HINT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint


def default_token_file() -> Path:
    return Path(DEFAULT_TOKEN_FILE).expanduser()


def token_url(launchpad: str) -> str:
    return f"{launchpad.rstrip('/')}/authorization/token"


class TokenStore:
    """The token file: one grant (tokens, the client that owns them, Launchpad's URL).

    ``load`` and ``save`` remember the client and Launchpad, so ``save_tokens`` can be handed to
    ``RefreshingBearerAuth(on_refresh=...)`` and store rotated tokens alongside them.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path).expanduser() if path else default_token_file()
        self.app: OAuthApp | None = None
        self.launchpad = LAUNCHPAD
        self._lock = threading.Lock()

    def load(self) -> tuple[Tokens, OAuthApp, str] | None:
        """(tokens, client, launchpad URL), or None when there is no token file."""
        try:
            text = self.path.read_text(encoding="utf-8")
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"cannot read token file {self.path} ({exc.strerror})") from None
        try:
            data = json.loads(text)
            tokens = Tokens(text_field(data, "access_token"),
                            text_field(data, "refresh_token", required=False))
            app = OAuthApp(text_field(data, "client_id"), text_field(data, "client_secret"),
                           text_field(data, "token_url"))
            launchpad = text_field(data, "launchpad").rstrip("/")
        except (ValueError, TypeError, KeyError, AttributeError):
            raise ConfigError(f"token file {self.path} is not a basecamp-extract token file "
                              f"({LOGIN_HINT})") from None
        REDACTOR.add(tokens.access_token, tokens.refresh_token, app.client_secret)
        require_safe_base_url(app.token_url)
        require_safe_base_url(launchpad)
        if mode & 0o077:
            log.warning("token file %s is readable by other users: chmod 600 it", self.path)
        self.app, self.launchpad = app, launchpad
        return tokens, app, launchpad

    def save(self, tokens: Tokens, app: OAuthApp, launchpad: str) -> None:
        """Store a new grant (after a login), replacing whatever the file held."""
        self.app, self.launchpad = app, launchpad.rstrip("/")
        self.save_tokens(tokens)

    def save_tokens(self, tokens: Tokens) -> None:
        """Store ``tokens`` for the remembered client: the ``on_refresh`` callback."""
        if self.app is None:
            raise ConfigError("no client to store tokens for: load or save the token file first")
        expires_at = None
        if tokens.expires_in:
            expires_at = (datetime.now(UTC).replace(microsecond=0)
                          + timedelta(seconds=tokens.expires_in)).isoformat()
        data = {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "token_type": "Bearer",
            "expires_at": expires_at,
            "client_id": self.app.client_id,
            "client_secret": self.app.client_secret,
            "token_url": self.app.token_url,
            "launchpad": self.launchpad,
        }
        with self._lock:
            try:
                _write_private(self.path, json.dumps(data, indent=2) + "\n")
            except OSError as exc:
                raise ConfigError(f"cannot write token file {self.path} ({exc.strerror}); if a "
                                  f"token was just rotated the stored one is stale, so "
                                  f"{LOGIN_HINT}") from None
        log.info("tokens stored in %s", self.path)


def load_tokens(path: Path | str | None = None) -> tuple[Tokens, OAuthApp, str] | None:
    """(tokens, client, launchpad URL) from the token file at ``path``, or None if absent."""
    return TokenStore(path).load()


def text_field(data: Any, key: str, *, required: bool = True) -> Any:
    value = data[key] if required else data.get(key)
    if not required and value in (None, ""):
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(key)
    return value


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with mode 0600 via a temp file and a rename (atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, stat.S_IRUSR | stat.S_IWUSR)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    try:
        directory = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory)
    except OSError:
        pass
    finally:
        os.close(directory)
