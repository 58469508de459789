"""Running a fleet: one task per account, on Dask or one after another in this process.

- ``Engine(scheduler="tcp://host:8786")``: an existing cluster (``distributed.Client``).
- ``Engine(processes=N)``: a ``LocalCluster`` of N single-threaded worker processes.
- ``Engine()``: every account in this process, one after another.

A task is ``extract.cli.fleet.task.export_account`` of plain data: the entry (no secrets), the
run's options with every connection option cleared, the steps. Each is submitted under its own
key (the entry's name and the fleet's run id, ``pure=False``); Dask reruns a task whose worker
died (up to ``distributed.scheduler.allowed-failures`` times) and the rerun resumes from the
account's journal. A task that still cannot finish is a ``failed`` record like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from distributed import Client, Future, LocalCluster, WorkerPlugin, as_completed

from extract.cli.fleet import task
from extract.cli.fleet.accounts import AccountEntry
from extract.cli.logs import configure_logging
from extract.cli.options import ExportOptions
from transforms.errors import ConfigError
from transforms.redact import REDACTOR

Record = task.Record
OnRecord = Callable[[Record], None]
OnCluster = Callable[[str], None]  # told the dashboard's link when a cluster is used
CONNECT_TIMEOUT = "15s"  # to reach an existing cluster's scheduler


@dataclass(frozen=True)
class Engine:
    """Where the tasks run: ``scheduler`` (an address), ``processes`` (a local cluster's size),
    or neither (this process)."""

    scheduler: str | None = None
    processes: int | None = None
    verbose: int = 0  # -v of the command: the log level of a local cluster's workers

    @property
    def distributed(self) -> bool:
        return bool(self.scheduler or self.processes)


def shippable(options: ExportOptions) -> ExportOptions:
    """The run's options as a task may carry them: no account, address or secret of any kind
    (each entry brings its own, its secrets read on the worker), no progress bar."""
    return replace(options, account=None, base_url=None, username=None, password=None,
                   token=None, token_file=None, launchpad=None, use_sandbox=False,
                   progress=False)


def run_fleet(entries: Sequence[AccountEntry], options: ExportOptions,
              steps: list[str] | None, engine: Engine, run_id: str, *,
              on_record: OnRecord, on_cluster: OnCluster) -> list[Record]:
    """Every account's record, in the order of ``entries``; ``on_record`` hears each as it
    finishes."""
    options = shippable(options)
    if not engine.distributed:
        records = []
        for entry in entries:
            records.append(task.export_account(entry, options, steps))
            on_record(records[-1])
        return records
    with _client(engine) as client:
        on_cluster(client.dashboard_link)
        return _on_cluster(client, entries, options, steps, run_id, on_record)


def _on_cluster(client: Client, entries: Sequence[AccountEntry], options: ExportOptions,
                steps: list[str] | None, run_id: str, on_record: OnRecord) -> list[Record]:
    futures: dict[Future, AccountEntry] = {
        client.submit(task.export_account, entry, options, steps,
                      key=f"fleet-{entry.name}-{run_id}", pure=False): entry
        for entry in entries}
    found: dict[str, Record] = {}
    for future in as_completed(futures):
        entry = futures[future]
        try:
            record = future.result()
        except Exception as exc:  # a lost task (KilledWorker, ...): a record
            record = task.lost(entry, f"{type(exc).__name__}: {REDACTOR.scrub(str(exc))}")
        found[entry.name] = record
        on_record(record)
    return [found[entry.name] for entry in entries]


@contextmanager
def _client(engine: Engine) -> Iterator[Client]:
    """A client of the cluster named, or of a local cluster started (and stopped) here."""
    if engine.scheduler:
        try:
            client = Client(engine.scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler {engine.scheduler}: "
                              f"{exc}") from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=engine.processes, processes=True, threads_per_worker=1,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        client.register_plugin(WorkerLogging(engine.verbose), name=WorkerLogging.name)
        yield client


class WorkerLogging(WorkerPlugin):
    """A local cluster's workers log as the command does: its -v level, secrets masked (a
    worker started again after a crash gets it too). An existing cluster keeps its own."""

    name = "basecamp-extract-logging"

    def __init__(self, verbose: int) -> None:
        self.verbose = verbose

    def setup(self, worker: object) -> None:
        configure_logging(self.verbose, None)
