"""`coopvote tally FILE --method … [--seats N] [--json]`: recount published papers.

FILE is a BLT file, the JSON served by `/cast-votes` or the recount file served by `/recount`
(coopvote.tally.files says how each is read). Only this module opens and decodes the file:
the counting engine reads text.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from coopvote.tally.blt import BltError
from coopvote.tally.counting import METHODS
from coopvote.tally.files import count_file
from coopvote.tally.sheet import count_sheet
from coopvote.tally.types import InvalidPaper


@click.command("tally")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--method",
    required=True,
    type=click.Choice(METHODS),
    help="How to count.",
)
@click.option(
    "--seats", type=click.IntRange(min=1), help="Seats to fill (default: from the file, or 1)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def tally(file: Path, method: str, seats: int | None, as_json: bool) -> None:
    """Count the papers in FILE (BLT, or the JSON of /cast-votes) and print the result."""
    text = file.read_text(encoding="utf-8-sig")
    try:
        result, title = count_file(text, method, seats)
    except (BltError, InvalidPaper, ValueError) as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(count_sheet(result, title))
