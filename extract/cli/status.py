"""`status`: per account, the last run, its bookmarks and what the next run will do."""

from __future__ import annotations

from pathlib import Path

import click

from extract.cli.app import cli
from extract.cli.fleet_cmd import fleet_status
from extract.cli.global_options import emit_json, wants_json
from extract.cli.lines import status_lines
from extract.cli.options import output_option
from extract.summary import status_document
from transforms.store.location import Location
from transforms.tree import open_tree


@cli.command()
@output_option("The export", file_okay=False)
@click.option("--accounts", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A fleet's accounts file: each of its accounts, with its latest fleet run.")
def status(output: Location, accounts: Path | None) -> None:
    """Per account: the last run, bookmarks and the next run.

    OUTPUT may be a local folder or an object-store URI such as s3://bucket/prefix.
    """
    if accounts is not None:
        fleet_status(accounts, open_tree(output))
        return
    document = status_document(open_tree(output))
    if wants_json():
        emit_json(document)
        return
    for entry in document["accounts"]:
        for line in status_lines(entry):
            click.echo(line)
    if not document["accounts"]:
        click.echo(f"no export state under {output}; the next run is a full export")
