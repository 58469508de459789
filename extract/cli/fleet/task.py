"""One account of a fleet: the ordinary single-account export, as a function of plain data.

``export_account(entry, options, steps)`` takes the entry (no secrets), the run's options
(the CLI's ``ExportOptions`` with every connection option cleared) and the steps; it reads the
entry's secrets here, on the worker, builds the ``ExportConfig`` exactly as the CLI does
(``extract.cli.targets.export_config``), starts the entry's sandbox for the task's duration,
and runs ``run_export`` into the shared output, under the account's own lock, state, journal
and manifest. It never raises: any failure is a ``failed`` record with its exit code, so one
account's failure never stops the others; a rerun (Dask rerunning a task whose worker died)
resumes from the account's journal in the shared work dir.
"""

from __future__ import annotations

import logging
import socket
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from extract.cli.fleet.accounts import AccountEntry
from extract.cli.fleet.secrets import resolve
from extract.cli.lines import failure_line
from extract.cli.options import ExportOptions, parse_rate
from extract.cli.sandbox_cmd import SANDBOX_USER_AGENT, local_sandbox
from extract.cli.targets import export_config
from extract.export import ExportResult, run_export
from extract.families import family
from extract.families.family import Target
from extract.memory import tune_collector
from extract.summary import account_entry
from transforms.errors import BasecampExtractError
from transforms.redact import REDACTOR

log = logging.getLogger("extract.cli.fleet")

OK, FAILED = "ok", "failed"
UNEXPECTED = 1  # the exit code of an error we did not foresee
SANDBOX_PORTS = (20000, 30000)
Record = dict[str, Any]


def export_account(entry: AccountEntry, options: ExportOptions,
                   steps: list[str] | None = None) -> Record:
    """Export one account; its result record, whatever happened."""
    tune_collector()  # a worker process was not started by our console entry
    started = time.monotonic()
    account: Any = entry.account
    try:
        with _target(entry, options) as (opts, target):
            config = export_config(steps, opts, target)
            account = config.account_id
            log.info("fleet: %s (%s %s): exporting into %s", entry.name, entry.family,
                     account, opts.output)
            result = run_export(config)
        return _record(entry, result, time.monotonic() - started)
    except BasecampExtractError as exc:
        return _failed(entry, account, exc.exit_code, exc.one_line(), started)
    except Exception as exc:  # a task reports every failure, never raises
        log.exception("fleet: %s failed unexpectedly", entry.name)
        return _failed(entry, account, UNEXPECTED, f"{type(exc).__name__}: {exc}", started)


@contextmanager
def _target(entry: AccountEntry, options: ExportOptions
            ) -> Iterator[tuple[ExportOptions, Target]]:
    """The options this account's export runs with, and its target: the sandbox's (started
    here, stopped after) or the entry's own address and secrets."""
    secrets = resolve(entry)
    opts = replace(options, api=entry.family, account=entry.account, base_url=entry.base_url,
                   launchpad=entry.launchpad, token=secrets.token, username=secrets.username,
                   password=secrets.password, token_file=secrets.token_file,
                   user_agent=entry.user_agent or options.user_agent, use_sandbox=entry.sandbox,
                   sandbox_size=entry.size, progress=False)
    if not entry.sandbox:
        yield opts, Target()
        return
    with _sandbox(entry) as box:
        target = family(entry.family).sandbox_target(box)  # type: ignore[misc]
        yield opts, replace(target, account=target.account or box.account,
                            base_url=target.base_url or box.base_url,
                            user_agent=opts.user_agent or SANDBOX_USER_AGENT)


@contextmanager
def _sandbox(entry: AccountEntry) -> Iterator[Any]:
    """The entry's built-in sandbox, serving on loopback of this worker while the task runs;
    its account is numbered by its seed, so two entries of one family are two accounts.

    It listens on a port fixed by the entry (family, seed, size) when that port is free, so
    a rerun of the task (its worker died) serves the same base URL and resumes the journal
    the first attempt left, as the CLI's own sandbox keeps its port for its HTTP cache.
    """
    from sandbox.fleet import sandbox_account_id  # only a sandbox entry loads the sandbox

    settings: dict[str, Any] = {"seed": entry.seed,
                                "account_id": sandbox_account_id(entry.seed)}
    if entry.sandbox_rate_limit == "off":
        settings["rate_limit"] = None
    elif entry.sandbox_rate_limit:
        limit = parse_rate(entry.sandbox_rate_limit)
        settings["rate_limit"] = (limit.requests, limit.seconds)
    with local_sandbox(family(entry.family), entry.size, sandbox_port(entry),
                       **settings) as box:
        yield box


def sandbox_port(entry: AccountEntry) -> int:
    """A port of its own for a sandbox entry, the same in every process (outside Linux's
    ephemeral range, so it is seldom taken)."""
    key = f"{entry.family}:{entry.seed}:{entry.size}".encode()
    return SANDBOX_PORTS[0] + zlib.crc32(key) % (SANDBOX_PORTS[1] - SANDBOX_PORTS[0])


def _record(entry: AccountEntry, result: ExportResult, seconds: float) -> Record:
    figures = account_entry(result.manifest, result.tree, result.manifest_at)
    record = _base(entry, figures["account"], seconds)
    record.update(status=OK if result.ok else FAILED, exit_code=figures["exit_code"],
                  rows=figures["rows_stored"], requests=figures["requests"],
                  failures=len(figures["failures"]), run_id=figures["run_id"],
                  manifest=figures["manifest"])
    if not result.ok:
        record["error"] = REDACTOR.scrub(failure_line(result))
    return record


def lost(entry: AccountEntry, error: str) -> Record:
    """The record of a task the engine could not get an answer from (its workers kept dying,
    the cluster went away)."""
    return _failed(entry, entry.account, UNEXPECTED, error, time.monotonic())


def _failed(entry: AccountEntry, account: Any, code: int, error: str, started: float) -> Record:
    record = _base(entry, account, time.monotonic() - started)
    record.update(status=FAILED, exit_code=code, error=REDACTOR.scrub(error))
    return record


def _base(entry: AccountEntry, account: Any, seconds: float) -> Record:
    return {"name": entry.name, "family": entry.family, "account": account, "status": FAILED,
            "exit_code": UNEXPECTED, "rows": 0, "requests": 0, "seconds": round(seconds, 3),
            "failures": 0, "run_id": None, "manifest": None, "host": socket.gethostname()}
