"""The ``basecamp-extract`` group and its exit: every expected failure is one line and a code."""

from __future__ import annotations

import os
import sys

import click

from extract.cli.global_options import JSON_COMMANDS, JSON_SENT, apply_globals, emit_json
from extract.families import FAMILIES
from extract.summary import export_document
from transforms.errors import BasecampExtractError
from transforms.redact import REDACTOR

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="basecamp-extract")
def cli() -> None:
    """Extract Basecamp 2, Basecamp 4 and Backpack accounts into typed, partitioned Parquet.

    The options -v, --log-file and --json go before or after the command:
    `basecamp-extract -v export` and `basecamp-extract export -v` are the same.
    """
    apply_globals()


for _family in FAMILIES.values():  # a family's own commands (Basecamp 4: `auth`)
    for _command in _family.commands:
        cli.add_command(_command)
# A first line that fits the command list, for commands whose docstring lives elsewhere.
SHORT_HELP = {"tables": "List the output tables: key, partitions and what each holds."}


def main() -> None:
    """Console entry point: every expected failure is one line on stderr and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _error_document(exc.exit_code, exc.format_message())
        exc.show()
        sys.exit(exc.exit_code)
    except BasecampExtractError as exc:
        line = REDACTOR.scrub(exc.one_line())
        _error_document(exc.exit_code, line)
        _leave(exc.exit_code, f"Error: {line}")
    except (KeyboardInterrupt, click.exceptions.Abort):
        _leave(130, "Error: interrupted; files already written are complete, the rest was not "
                    "changed")


def _error_document(code: int, line: str) -> None:
    """With --json, a failure before any document was written still answers in JSON."""
    args = sys.argv[1:]
    command = next((a for a in args if a in cli.commands), None)
    if JSON_SENT or "--json" not in args or command not in JSON_COMMANDS:
        return
    if command == "status":
        emit_json({"version": 1, "command": "status", "output": "", "status": "failed",
                   "exit_code": code, "error": line, "accounts": []})
    else:
        emit_json(export_document([], command, line, code))


def _leave(code: int, message: str) -> None:
    """Say the one line and exit now, without waiting for crawl threads still in a retry sleep.

    Every file is written through a temp file and a rename, so stopping here cannot leave a
    partial Parquet file or manifest behind.
    """
    click.echo(message, err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
