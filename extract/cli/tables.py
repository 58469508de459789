"""`steps` and `tables`: what an export runs and what it writes, per family."""

from __future__ import annotations

import click

from extract.cli.app import cli
from extract.cli.global_options import emit_json
from extract.cli.options import api_option
from extract.dictionary import describe
from extract.families import family


@cli.command("steps")
@api_option()
def list_steps(api: str) -> None:
    """List the extract steps and the endpoints each one runs."""
    fam = family(api)
    for name in fam.steps():
        click.echo(f"{name:20} {', '.join(fam.endpoints_into(name))}")


@cli.command("tables")
@api_option()
@click.option("--columns", is_flag=True, help="Also list every column with its type.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the data dictionary as one JSON document (columns included).")
def list_tables(api: str, columns: bool, as_json: bool) -> None:
    """List the output tables with primary key, partitioning and purpose.

    Tables marked `opt-in: --with X` are written only when the export runs with that option,
    and are then complete; every other table is complete by default. `--json` prints the
    same declarations, with every column's type and note, as one versioned JSON document
    (the shape of docs/tables.md).
    """
    if as_json:
        emit_json(describe(api))
        return
    fam = family(api)
    for spec in fam.registry.values():
        option = fam.opt_in(spec.name)
        mark = f"  [opt-in: --with {option}]" if option else ""
        click.echo(f"{spec.name:40} key=({', '.join(spec.key)}) "
                   f"partition=({', '.join(spec.partition)}){mark}  {spec.doc}")
        if columns:
            for field in spec.arrow_schema():
                click.echo(f"    {field.name:45} {field.type}")
