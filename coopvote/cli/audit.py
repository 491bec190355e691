"""`coopvote audit verify [--head SEQ:HASH]`: recompute the chain from the database.

Exit status: 0 when the chain holds, 1 when it is broken, 2 when it could not be checked (a
malformed --head, or a database without an audit log). The command only reads: it neither
migrates nor writes, so it is safe to run against a copy of a backup.
"""

from __future__ import annotations

import contextlib

import click
from sqlalchemy.exc import DBAPIError

from coopvote.audit.chain import Head
from coopvote.audit.service import verify_chain
from coopvote.ballots import keys
from coopvote.db import Database
from coopvote.results.reconcile import reconcile_ballots
from coopvote.settings import Settings

BROKEN = 1


class CannotCheck(click.ClickException):
    exit_code = 2


def _kept_head(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Head | None:
    if value is None:
        return None
    try:
        return Head.parse(value)
    except ValueError as problem:
        raise click.BadParameter(str(problem)) from problem


@click.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command()
@click.option(
    "--head",
    "kept",
    metavar="SEQ:HASH",
    callback=_kept_head,
    help="A head you kept earlier: it must still be on the chain.",
)
def verify(kept: Head | None) -> None:
    """Recompute every event's hash and check the chain from the first event to the head."""
    settings = Settings.from_env()
    # Read only: an absent key file is not made; the box check then says it cannot open.
    with contextlib.suppress(keys.BallotKeyMissing):
        keys.use_secret(keys.load_key_file(settings.ballot_key_path, create=False))
    database = Database.connect(settings.database_url)
    try:
        with database.transaction() as session:
            verdict = verify_chain(session, kept)
            ballots = [(b.public_id, b.problems) for b in reconcile_ballots(session)]
    except DBAPIError as error:
        raise CannotCheck(
            "Could not read the audit log; is this a coopvote database (coopvote db upgrade)?"
        ) from error
    finally:
        database.dispose()
    broken_ballots = _report_ballots(ballots)
    if verdict.ok:
        click.echo(f"The audit chain holds: {verdict.events} events.")
        click.echo(f"Head: {verdict.head}")
        if kept is not None:
            click.echo(f"The head you kept ({kept.seq}) is on the chain.")
        if broken_ballots:
            click.get_current_context().exit(BROKEN)
        return
    click.echo(f"The audit chain is broken at event {verdict.first_bad_seq}: {verdict.problem}.")
    click.get_current_context().exit(BROKEN)


def _report_ballots(ballots: list[tuple[str, list[str]]]) -> bool:
    """Print each ballot's problems (its board, box, roll and marks); whether there were any."""
    for public_id, problems in ballots:
        for problem in problems:
            click.echo(f"Ballot {public_id}: {problem}")
    if not any(problems for _, problems in ballots):
        click.echo(f"Every ballot's board, box, roll and marks agree ({len(ballots)} ballots).")
        return False
    return True
