"""`coopvote members import|export`: the register of members as CSV."""

from __future__ import annotations

from pathlib import Path

import click

from coopvote.cli.context import unit_of_work
from coopvote.clock import utcnow
from coopvote.members import transfer
from coopvote.members.views import RegisterQuery


@click.group()
def members() -> None:
    """The register of members."""


@members.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def members_import(file: Path) -> None:
    """Import members from CSV (columns: name, email, constituency, organisation[, status]).

    All rows or none: every problem is reported with its line number. Rows whose email is
    registered already are left alone, so importing a file twice adds nobody twice.
    """
    with file.open(encoding="utf-8-sig") as lines:
        total = sum(1 for _ in lines) - 1
    with (
        file.open(encoding="utf-8-sig", newline="") as source,
        unit_of_work() as session,
        click.progressbar(length=max(total, 0), label="Importing") as bar,
    ):
        report = transfer.import_csv(
            session,
            source,
            actor_id=None,
            now=utcnow(),
            progress=lambda done: bar.update(done - bar.pos),
        )
    click.echo(f"Added {report.added}; {report.already_registered} were registered already.")


@members.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def members_export(file: Path) -> None:
    """Write the whole register to a CSV file."""
    with unit_of_work() as session, file.open("w", encoding="utf-8", newline="") as out:
        count = transfer.export_register(session, RegisterQuery(), out, actor_id=None, now=utcnow())
    click.echo(f"Wrote {count} members to {file}.")
