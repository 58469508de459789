"""A fleet export: many accounts, listed in an accounts file, each exported by the ordinary
single-account export, one task per account on Dask (or one after another in this process).
It is a front-end beside the single-account command, so it lives with the CLI and builds each
account's config the way the command does (``extract.cli.targets``).

- ``accounts``: the accounts file (TOML), parsed and checked into ``AccountEntry`` values.
- ``secrets``: where an entry's secret is, read on the worker that runs the account.
- ``task``: one account's export as a pure function of data (entry, options) -> result record.
- ``engine``: running the tasks: in this process, on a ``LocalCluster``, or on a cluster.
- ``manifest``: the fleet's document and ``_fleet/<run_id>.json`` in the output.
"""
