"""`coopvote demo [--reset]`: load the demo and print its sign-ins."""

from __future__ import annotations

import click

from coopvote import demo as demo_data
from coopvote.ballots import keys
from coopvote.cli.context import settings
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.schema.migrate import upgrade


@click.command()
@click.option("--reset", is_flag=True, help="Empty the database first.")
def demo(reset: bool) -> None:
    """Load the Aylesbury Learning Partnership demo and print its sign-ins."""
    chosen = settings()
    keys.use_settings(chosen)
    database = Database.connect(chosen.database_url)
    try:
        if reset:
            demo_data.reset(database.engine)
        upgrade(database.engine)
        with database.transaction() as session:
            sign_ins = demo_data.load(session, utcnow())
    except demo_data.AlreadyLoaded as problem:
        raise click.ClickException(str(problem)) from problem
    finally:
        database.dispose()
    click.echo("Demo loaded: the Aylesbury Learning Partnership.\nSign in with:")
    for role, email in sign_ins:
        click.echo(f"  {role:<22} {email}")
    click.echo(f"  {'password (all)':<22} {demo_data.DEMO_PASSWORD}")
    click.echo(
        "The imported member has no password: follow the invitation mailed to them "
        "(python3 dev.py demo lists caught mail at /dev/mail)."
    )
    click.echo("Ballot trustees (two of them open a closed ballot's box at /ballots/ID/open-box):")
    for who, key in demo_data.trustees.sign_ins():
        click.echo(f"  {who:<22} {key}")
