"""`status`: per account, the last run, its bookmarks and what the next run will do."""

from __future__ import annotations

from pathlib import Path

import click

from extract.cli.app import cli
from extract.cli.global_options import emit_json, wants_json
from extract.cli.lines import status_lines
from extract.summary import status_document


@cli.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), envvar="BASECAMP_OUTPUT", show_default=True,
              help="Output directory [env BASECAMP_OUTPUT].")
def status(output: Path) -> None:
    """Per account: the last run, bookmarks and the next run."""
    document = status_document(output)
    if wants_json():
        emit_json(document)
        return
    for entry in document["accounts"]:
        for line in status_lines(entry):
            click.echo(line)
    if not document["accounts"]:
        click.echo(f"no export state under {output}; the next run is a full export")
