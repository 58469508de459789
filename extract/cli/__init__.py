"""The ``basecamp-extract`` command line: export, steps, tables, sandbox, auth, load, report.

``app`` holds the group and the exit; each command module adds its commands to the group when
imported here, and then every command gets the global options (-v, --log-file, --json).
"""

from __future__ import annotations

from extract.cli import export_cmd, load_report, sandbox_cmd, status, tables
from extract.cli.app import SHORT_HELP, cli, main
from extract.cli.global_options import accept_globals

COMMAND_MODULES = (export_cmd, load_report, sandbox_cmd, status, tables)

accept_globals(cli)
for _name, _text in SHORT_HELP.items():
    if _name in cli.commands:
        cli.commands[_name].short_help = _text

__all__ = ["cli", "main"]
