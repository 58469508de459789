"""A fleet export: many accounts, listed in an accounts file, each exported by the ordinary
single-account export, one task per account on Dask (or one after another in this process).

- ``accounts``: the accounts file (TOML), parsed and checked into ``AccountEntry`` values.
- ``secrets``: where an entry's secret is, read on the worker that runs the account.
- ``task``: one account's export as a pure function of data (entry, options) -> result record.
- ``engine``: running the tasks: in this process, on a ``LocalCluster``, or on a cluster.
- ``manifest``: the fleet's document and ``_fleet/<run_id>.json`` in the output.
"""

# The CLI first: its `export` command imports this package's modules, and the task builds an
# account's config with the CLI's own targets; importing the package before the CLI (a Dask
# worker unpickling a task) would otherwise meet a half-built ``extract.cli``.
import extract.cli  # noqa: F401
