"""`coopvote tally FILE --method … [--seats N] [--json]`: recount published papers.

FILE is a BLT file, the JSON served by `/cast-votes` or the recount file served by `/recount`
(coopvote.tally.files says how each is read). Only this module opens and decodes the file:
the counting engine reads text. A file that cannot be counted, whatever is wrong with it, ends
in one line, `Error: …`, and exit status 1.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import click

from coopvote.tally.blt import BALLOT_IDS, BallotIds
from coopvote.tally.counting import METHODS
from coopvote.tally.files import count_file
from coopvote.tally.sheet import count_sheet


@click.command("tally")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--method", required=True, type=click.Choice(METHODS), help="How to count.")
@click.option(
    "--seats", type=click.IntRange(min=1), help="Seats to fill (default: from the file, or 1)."
)
@click.option(
    "--ballot-ids",
    type=click.Choice(BALLOT_IDS),
    help="How to read a BLT file's ballot ids: as Droop does (the id stands for one paper) "
    "or as OpenSTV does (a weight follows the id).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def tally(
    file: Path, method: str, seats: int | None, ballot_ids: BallotIds | None, as_json: bool
) -> None:
    """Count the papers in FILE (BLT, or the JSON of /cast-votes or /recount) and print the
    result."""
    text = decoded(file.read_bytes(), file.name)
    try:
        result, title = count_file(text, method, seats=seats, ballot_ids=ballot_ids)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(count_sheet(result, title))


def decoded(data: bytes, name: str) -> str:
    """The file's text, read as UTF-8 (with or without a byte order mark)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\0" in data:
        raise click.ClickException(f"{name} looks like UTF-16 text: save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise click.ClickException(
            f"{name} is not UTF-8 text (line {line} holds the byte 0x{data[error.start]:02x}; "
            "Latin-1 perhaps): save it as UTF-8"
        ) from None
