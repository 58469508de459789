"""`export` and `step`: run one account (or every account a sign-in reaches) and say how it went.

With --json the human summaries give way to one document on stdout, written even when the run
stops with an error (that account is then ``failed``, with the error line).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from extract.cli.app import cli
from extract.cli.fleet.engine import Engine
from extract.cli.fleet_cmd import check_fleet_options, export_fleet, verbosity
from extract.cli.global_options import emit_json, wants_json
from extract.cli.lines import failure_line, summary_line
from extract.cli.options import ExportOptions, export_options, shrink_option
from extract.cli.targets import accounts, check_output, export_config, sandbox_if_needed
from extract.export import ExportResult, run_export
from extract.progress import BAR_REFRESH, LogTicker, Progress, TerminalBar, View, watching
from extract.summary import account_entry, export_document, failed_entry
from transforms.errors import BasecampExtractError, PartialExportError
from transforms.redact import REDACTOR

log = logging.getLogger("extract")


FLEET_OPTIONS = (
    click.option("--accounts", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                 help="Export every account of this accounts file (TOML, one [[accounts]] "
                      "table each; see README) into the output: a fleet."),
    click.option("--scheduler", metavar="ADDRESS",
                 help="With --accounts: run one task per account on this Dask cluster "
                      "(tcp://host:8786)."),
    click.option("--processes", type=click.IntRange(1, 256), metavar="N",
                 help="With --accounts: run the accounts on a local Dask cluster of N "
                      "worker processes (default: one after another in this process)."),
    click.option("--retry-failed", is_flag=True,
                 help="With --accounts: export only the accounts that failed in the output's "
                      "latest fleet run."),
)


def fleet_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(FLEET_OPTIONS):
        func = option(func)
    return func


@cli.command()
@export_options
@shrink_option
@click.option("--steps", help="Comma-separated steps to run (default: all). See `steps`.")
@fleet_options
def export(steps: str | None, accounts: Path | None, scheduler: str | None,
           processes: int | None, retry_failed: bool, **options: Any) -> None:
    """Export one account (or every Basecamp 4 account) into Parquet.

    Without credentials this exports the built-in sandbox:

        basecamp-extract export

    A real Basecamp 2 account:

        basecamp-extract export --account 123 --username me@example.com --password … \\
            --user-agent "MyApp (me@example.com)"

    With --json, stdout holds one JSON document (extract/schemas/export-v1.json) and
    nothing else, also when the run fails; the exit code is the same as without it.

    A fleet: every account of an accounts file, one Dask task per account (--processes N on
    this machine, --scheduler for an existing cluster), into one output:

        basecamp-extract export --accounts accounts.toml -o s3://bucket/basecamp --processes 4
    """
    chosen = [s.strip() for s in steps.split(",") if s.strip()] if steps else None
    check_fleet_options(accounts, {"scheduler": scheduler, "processes": processes,
                                   "retry_failed": retry_failed})
    if accounts is not None:
        export_fleet(accounts, chosen, ExportOptions(**options),
                     Engine(scheduler=scheduler, processes=processes, verbose=verbosity()),
                     retry_failed)
        return
    run(chosen, ExportOptions(**options), "export")


@cli.command()
@click.argument("name")
@export_options
@shrink_option
def step(name: str, **options: Any) -> None:
    """Export one step of an account: `basecamp-extract step todos`."""
    run([name], ExportOptions(**options), "step")


def run(steps: list[str] | None, opts: ExportOptions, command: str = "export") -> None:
    """Export one account, or every account the family's sign-in reaches when none is named."""
    as_json = wants_json()
    failed: list[ExportResult] = []
    entries: list[dict[str, Any]] = []
    current: dict[str, Any] = {"api": opts.api, "account": opts.account}
    try:
        check_output(opts)
        with sandbox_if_needed(opts) as target:
            box = target.sandbox
            for account_target in accounts(opts, target):
                current["account"] = account_target.account or opts.account
                config = export_config(steps, opts, account_target)
                current["account"] = config.account_id
                log.info("%s account %s: exporting into %s", config.api, config.account_id,
                         config.output)
                before = box.minimum_requests() if box is not None else 0  # Launchpad
                with _progress_bar(opts, f"{config.api} {config.account_id}") as progress:
                    config.progress = progress
                    result = run_export(config)
                if box is not None:
                    result.manifest["sandbox_minimum_requests"] = \
                        box.minimum_requests() - before
                entry = account_entry(result.manifest, result.tree, result.manifest_at)
                entries.append(entry)
                if not as_json:
                    click.echo(summary_line(result, entry))
                if not result.ok:
                    failed.append(result)
    except BasecampExtractError as exc:
        if as_json:
            line = REDACTOR.scrub(exc.one_line())
            entries.append(failed_entry(current["api"], current["account"], exc.exit_code,
                                        line))
            emit_json(export_document(entries, command, line, exc.exit_code))
        raise
    if as_json:
        emit_json(export_document(entries, command))
    if failed:
        raise PartialExportError(failure_line(failed[0]))


@contextmanager
def _progress_bar(opts: ExportOptions, label: str) -> Iterator[Progress | None]:
    """A bar on a terminal; otherwise a log line every --progress-every seconds, so an
    unattended run is not blind; nothing with --no-progress."""
    if not opts.progress:
        yield None
        return
    view: View
    if sys.stderr.isatty():
        view, every = TerminalBar(sys.stderr, label), BAR_REFRESH
    else:
        view, every = LogTicker(sys.stderr, label), opts.progress_every
    with watching(Progress(), view, every) as progress:
        yield progress
