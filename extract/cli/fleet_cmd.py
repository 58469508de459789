"""`export --accounts FILE` and `status --accounts FILE`: a fleet of accounts into one output.

The accounts file says which accounts (``extract.cli.fleet.accounts``); the engine runs one task
per account (``extract.cli.fleet.engine``); this module says how it went: a progress line per
account as it finishes, a summary line per account and a total (or, with --json, the fleet
document), the document kept as ``<output>/_fleet/<run_id>.json``, exit 7 if any failed.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from extract.cli.fleet.accounts import AccountEntry, load_accounts
from extract.cli.fleet.engine import Engine, run_fleet
from extract.cli.fleet.manifest import failed_names, fleet_document, last_records, write_fleet
from extract.cli.fleet.task import Record
from extract.cli.fleet_lines import account_line, progress_line, status_header, total_line
from extract.cli.global_options import GLOBALS, emit_json, wants_json
from extract.cli.lines import status_lines
from extract.cli.options import ExportOptions
from extract.cli.targets import check_output
from extract.families import family
from extract.run import new_run_id
from extract.summary import status_entry
from transforms.errors import ConfigError, PartialExportError
from transforms.store.location import parse_location
from transforms.tree import Tree, open_tree

# Options that name one account or its secret: an accounts file says these per account.
CONNECTION = ("api", "account", "base_url", "username", "password", "token", "token_file",
              "launchpad", "use_sandbox", "sandbox_size")
FLEET_ONLY = ("scheduler", "processes", "retry_failed")


def verbosity() -> int:
    """-v of this command (given before or after its name), for a local cluster's workers."""
    return int(click.get_current_context().meta.get(GLOBALS, {}).get("verbose", 0))


def check_fleet_options(accounts: Path | None, given: dict[str, Any]) -> None:
    """--scheduler/--processes/--retry-failed need --accounts; the options of one account
    (given on the command line) do not go with it; one engine at a time."""
    ctx = click.get_current_context()
    if accounts is None:
        stray = [n for n in FLEET_ONLY if given.get(n)]
        if stray:
            raise click.UsageError(f"--{stray[0].replace('_', '-')} needs --accounts FILE")
        return
    if given.get("scheduler") and given.get("processes"):
        raise click.UsageError("--scheduler and --processes exclude each other")
    for name in CONNECTION:
        if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE:
            raise click.UsageError(f"--{name.replace('_', '-')} does not go with --accounts: "
                                   "the accounts file says it per account")


def export_fleet(accounts: Path, steps: list[str] | None, opts: ExportOptions,
                 engine: Engine, retry_failed: bool) -> None:
    """Export every account of the file (or the latest run's failed ones) into one output."""
    entries = load_accounts(accounts)
    _require_user_agents(entries, opts)
    opts = _absolute_output(opts)
    check_output(opts)
    tree = open_tree(opts.output)
    retry_of = None
    if retry_failed:
        retry_of, names = failed_names(tree)
        entries = [e for e in entries if e.name in names]
        if not entries:
            _nothing_to_retry(retry_of, tree)
            return
    run_id, started = new_run_id(), time.monotonic()
    records = run_fleet(entries, opts, steps, engine, run_id,
                        on_record=_progress(len(entries), opts.progress),
                        on_cluster=lambda link: click.echo(f"Dask dashboard: {link}", err=True))
    document = fleet_document(run_id, tree, records, time.monotonic() - started, retry_of)
    where = write_fleet(tree, document)
    if wants_json():
        emit_json(document)
    else:
        for record in records:
            click.echo(account_line(record))
        click.echo(total_line(document, where))
    failed = [r for r in records if r["status"] != "ok"]
    if failed:
        raise PartialExportError(
            f"{len(failed)} of {len(records)} accounts failed, first: {failed[0]['name']}: "
            f"{failed[0].get('error')}; see {where}; rerun them with --retry-failed")


def _require_user_agents(entries: list[AccountEntry], opts: ExportOptions) -> None:
    for entry in entries:
        if not entry.sandbox and not (entry.user_agent or opts.user_agent):
            raise ConfigError(f"account {entry.name!r}: a User-Agent is required: user_agent "
                              "in its entry, or --user-agent for every account")


def _absolute_output(opts: ExportOptions) -> ExportOptions:
    """A local output as an absolute path, so workers started elsewhere write to it."""
    if opts.output.remote:
        return opts
    output = parse_location(os.path.abspath(opts.output.path))
    work_dir = opts.work_dir.absolute() if opts.work_dir is not None else None
    return replace(opts, output=output, work_dir=work_dir)


def _progress(total: int, show: bool) -> Any:
    finished: list[Record] = []

    def heard(record: Record) -> None:
        finished.append(record)
        if show:
            click.echo(progress_line(record, finished, total), err=True)

    return heard


def _nothing_to_retry(run_id: str, tree: Tree) -> None:
    message = f"nothing to retry: no account of the file failed in fleet run {run_id}"
    if wants_json():
        emit_json({**fleet_document(run_id, tree, [], 0.0), "retry_of": run_id})
    else:
        click.echo(message)


def fleet_status(accounts: Path, output: Tree) -> None:
    """Per account of the file: its latest fleet verdict, then its state (as `status`)."""
    entries = load_accounts(accounts)
    records = last_records(output)
    found = []
    for entry in entries:
        record = records.get(entry.name)
        account = record["account"] if record else entry.account
        state = None
        if account is not None:
            column = family(entry.family).account_column
            state = status_entry(output, entry.family, f"{column}={account}")
        found.append({"name": entry.name, "family": entry.family, "account": account,
                      "fleet": record, "state": state})
    if wants_json():
        emit_json({"version": 1, "command": "status", "output": output.shown,
                   "accounts": found})
        return
    for item in found:
        click.echo(status_header(item["name"], item["fleet"], item["family"]))
        for line in status_lines(item["state"])[1:] if item["state"] else []:
            click.echo(line)
