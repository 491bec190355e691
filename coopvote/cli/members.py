"""`coopvote members import|export`: the register of members as CSV."""

from __future__ import annotations

import time
from pathlib import Path

import click

from coopvote.cli.context import connected, unit_of_work
from coopvote.clock import utcnow
from coopvote.errors import DomainError
from coopvote.members import transfer
from coopvote.members.views import RegisterQuery


@click.group()
def members() -> None:
    """The register of members."""


@members.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def members_import(file: Path) -> None:
    """Import members from CSV (columns: name, email, constituency, organisation[, status]).

    All rows or none: every row is checked first, and every problem is reported with its line
    number. The rows are then stored in short transactions of ``IMPORT_BATCH`` rows, so that
    the live site keeps answering. Rows whose email is registered already are left alone, so
    importing a file twice (or again after an interruption) adds nobody twice.
    """
    now = utcnow()
    try:
        rows = transfer.read_csv(transfer.decode(file.read_bytes()))
        with connected() as database:
            with database.reading() as session:
                transfer.check_rows(session, rows)
            report = transfer.ImportReport(0, 0)
            with click.progressbar(length=len(rows), label="Importing") as bar:
                for start in range(0, len(rows), transfer.IMPORT_BATCH):
                    if start:
                        time.sleep(transfer.IMPORT_PAUSE)  # the site's writers go first
                    batch = rows[start : start + transfer.IMPORT_BATCH]
                    with database.transaction() as session:
                        report += transfer.add_rows(
                            session, batch, actor_id=None, now=now, progress=bar.update
                        )
    except DomainError as problem:
        raise click.ClickException(problem.detail) from problem
    click.echo(f"Added {report.added}; {report.already_registered} were registered already.")


@members.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def members_export(file: Path) -> None:
    """Write the whole register to a CSV file."""
    with unit_of_work() as session, file.open("w", encoding="utf-8", newline="") as out:
        count = transfer.export_register(session, RegisterQuery(), out, actor_id=None, now=utcnow())
    click.echo(f"Wrote {count} members to {file}.")
