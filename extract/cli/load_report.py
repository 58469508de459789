"""`load` and `report`: what to do with an export once it is on disk.

Both import their ``transforms`` module when they run: the warehouse drivers and the report's
charts are heavy and no other command needs them.
"""

from __future__ import annotations

from pathlib import Path

import click

from extract.cli.app import cli
from extract.families import FAMILIES


@cli.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), envvar="BASECAMP_OUTPUT", show_default=True,
              help="Export directory to load [env BASECAMP_OUTPUT].")
@click.option("--api", type=click.Choice(sorted(FAMILIES)),
              help="Load only this API family (default: every one in the export).")
@click.option("--to", "target", metavar="PATH_OR_URL", envvar="BASECAMP_WAREHOUSE",
              help="DuckDB file (default OUTPUT/warehouse.duckdb) or "
                   "postgresql://user:pass@host/db [env BASECAMP_WAREHOUSE].")
def load(output: Path, api: str | None, target: str | None) -> None:
    """Load an export into DuckDB or PostgreSQL, merging by primary key.

    `basecamp-extract load` loads OUTPUT into OUTPUT/warehouse.duckdb. One schema per API
    (bc2), one typed table per Parquet table. Loading again updates
    changed rows and adds new ones; rows gone from the export are kept.
    """
    from transforms.warehouse import load_export  # see the module docstring

    click.echo(load_export(output, target, [api] if api else None).summary())


@cli.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), envvar="BASECAMP_OUTPUT", show_default=True,
              help="Export directory to report on [env BASECAMP_OUTPUT].")
@click.option("--to", "target", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write (default OUTPUT/report.html).")
def report(output: Path, target: Path | None) -> None:
    """Write a self-contained HTML report of an export.

    `basecamp-extract report` writes OUTPUT/report.html.
    """
    from transforms.report import write_report  # see the module docstring

    path, tables, charts = write_report(output, target)
    click.echo(f"report of {tables} tables with {charts} charts -> {path}")
