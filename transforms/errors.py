"""A small exception tree: every failure the CLI can meet maps to one line and one exit code.

Fetch and shape code raise these; only the CLI turns them into text, so nothing below it ever
prints a traceback at a user.
"""

from __future__ import annotations


class BasecampExtractError(Exception):
    """Base of every error we expect; ``exit_code`` is what the CLI returns."""

    exit_code = 1
    hint = ""
    request_id: str | None = None

    def __init__(self, *args: object, request_id: str | None = None) -> None:
        super().__init__(*args)
        self.request_id = request_id

    def one_line(self) -> str:
        """The message on one line, with the server's ``X-Request-Id`` when it sent one."""
        text = " ".join(str(self).split())
        if self.request_id:
            text = f"{text} (request id {self.request_id})"
        return f"{text} ({self.hint})" if self.hint else text


class ConfigError(BasecampExtractError):
    """The command line or environment asks for something we refuse to do."""

    exit_code = 2


class AuthError(BasecampExtractError):
    """The server rejected the credentials (401)."""

    exit_code = 3
    hint = "check --username/--password or --token"


class NotFoundError(BasecampExtractError):
    """The account or base URL does not exist for these credentials (404 on the first call)."""

    exit_code = 4
    hint = "check --account and --base-url"


class OutputError(BasecampExtractError):
    """The output directory cannot be written; nothing already there was changed."""

    exit_code = 5


class RemoteError(BasecampExtractError):
    """The server kept failing (5xx, 429, network, malformed body) after every retry."""

    exit_code = 6


class SkippedResource(BasecampExtractError):
    """403/404 on one resource: the docs say skip it and log, not fail the run."""

    exit_code = 0


class PartialExportError(BasecampExtractError):
    """Some units failed: what succeeded was written, what failed was left as it was."""

    exit_code = 7


class BusyError(BasecampExtractError):
    """Another export holds the output lock of this (output, API, account) and --no-wait."""

    exit_code = 9
