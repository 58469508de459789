"""`load` and `report`: what to do with an export once it is on disk.

Both import their ``transforms`` module when they run: the warehouse drivers and the report's
charts are heavy and no other command needs them.
"""

from __future__ import annotations

from pathlib import Path

import click

from extract.cli.app import cli
from extract.cli.options import output_option
from extract.families import FAMILIES
from transforms.store.location import Location
from transforms.tree import open_tree


@cli.command()
@output_option("Export to load", file_okay=False)
@click.option("--api", type=click.Choice(sorted(FAMILIES)),
              help="Load only this API family (default: every one in the export).")
@click.option("--to", "target", metavar="PATH_OR_URL", envvar="BASECAMP_WAREHOUSE",
              help="DuckDB file (default OUTPUT/warehouse.duckdb; required for a remote OUTPUT) "
                   "or postgresql://user:pass@host/db [env BASECAMP_WAREHOUSE].")
def load(output: Location, api: str | None, target: str | None) -> None:
    """Load an export into DuckDB or PostgreSQL, merging by primary key.

    `basecamp-extract load` loads OUTPUT into OUTPUT/warehouse.duckdb. One schema per API
    (bc2), one typed table per Parquet table. Loading again updates
    changed rows and adds new ones; rows gone from the export are kept.
    """
    from transforms.warehouse import load_export  # see the module docstring

    click.echo(load_export(open_tree(output), target, [api] if api else None).summary())


@cli.command()
@output_option("Export to report on", file_okay=False)
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default OUTPUT/report.html; required for a remote OUTPUT).")
def report(output: Location, target: Path | None) -> None:
    """Write a self-contained HTML report of an export.

    `basecamp-extract report` writes OUTPUT/report.html.
    """
    from transforms.report import write_report  # see the module docstring

    path, tables, charts = write_report(open_tree(output), target)
    click.echo(f"report of {tables} tables with {charts} charts -> {path}")
