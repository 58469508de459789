"""-v, --log-file and --json before or after any command's name, and the one JSON document.

Each command gets fresh copies of the three options (``accept_globals``); whatever level they
are given at folds into one setting kept on the click context.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import click

from extract.cli.logs import configure_logging

GLOBALS = "basecamp_extract.globals"
JSON_COMMANDS = {"export", "step", "status"}  # and any command declaring its own --json
JSON_SENT: list[dict[str, Any]] = []  # main() writes an error document only if none was


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Fold a global option given at any level into one setting (-v counts add up)."""
    settings = ctx.meta.setdefault(GLOBALS, {"verbose": 0, "log_file": None, "json": False})
    if param.name == "verbose":
        settings["verbose"] += value or 0
    elif param.name == "log_file" and value is not None:
        settings["log_file"] = value
    elif param.name == "json" and value:
        settings["json"] = True
    return value


def _global_options() -> list[click.Option]:
    """Fresh option objects for one command: each command owns its parameters."""
    return [
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_remember,
                     help="More log output: -v progress and decisions, -vv debug, -vvv "
                          "libraries' debug too."),
        click.Option(["--log-file"], type=click.Path(dir_okay=False, path_type=Path),
                     expose_value=False, callback=_remember,
                     help="Also write a debug log to this file: ours, with -vv the "
                          "libraries' too (secrets are masked)."),
        click.Option(["--json", "json"], is_flag=True, expose_value=False, callback=_remember,
                     help="One JSON document on stdout (export, step, status, tables; see the "
                          "README)."),
    ]


def _settings() -> dict[str, Any]:
    ctx = click.get_current_context(silent=True)
    empty = {"verbose": 0, "log_file": None, "json": False}
    return ctx.meta.get(GLOBALS, empty) if ctx is not None else empty


def apply_globals() -> None:
    settings = _settings()
    configure_logging(settings["verbose"], settings["log_file"])


def wants_json() -> bool:
    return bool(_settings()["json"])


def emit_json(document: dict[str, Any]) -> None:
    """Write the one JSON document of this invocation on stdout."""
    click.echo(json.dumps(document, indent=2, default=str))
    JSON_SENT.append(document)


def accept_globals(command: click.Command, top: bool = True) -> None:
    """Give a command (and a group's commands) -v and --log-file, and --json where it is
    offered, before or after its name. A command that declares one of them keeps its own, and
    gets the global --json when it was given before the command's name."""
    taken = {opt for param in command.params for opt in param.opts}
    own_json = next((p.name for p in command.params if "--json" in p.opts), None)
    offers_json = top or own_json is not None or command.name in JSON_COMMANDS
    command.params.extend(o for o in _global_options() if not taken & set(o.opts)
                          and (offers_json or "--json" not in o.opts))
    callback = command.callback
    group = isinstance(command, click.Group)
    if callback is not None and not getattr(callback, "applies_globals", False):
        @functools.wraps(callback)
        def run(*args: Any, **kwargs: Any) -> Any:
            apply_globals()
            if wants_json() and not group and not offers_json:
                raise click.UsageError(f"`{command.name}` has no --json output (export, step, "
                                       "status and tables have)")
            if own_json and own_json in kwargs and wants_json():
                kwargs[own_json] = True
            return callback(*args, **kwargs)

        run.applies_globals = True  # type: ignore[attr-defined]
        command.callback = run
    if group:
        for sub in command.commands.values():
            accept_globals(sub, top=False)
