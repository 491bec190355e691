"""`coopvote db upgrade`: the database schema."""

from __future__ import annotations

import click

from coopvote.cli.context import settings
from coopvote.db import Database
from coopvote.schema.migrate import upgrade


@click.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied."""
    database = Database.connect(settings().database_url)
    upgrade(database.engine)
    database.dispose()
    click.echo("The database is up to date.")
