"""What the commands that use the database share: the settings, and one unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlmodel import Session

from coopvote.ballots import keys
from coopvote.db import Database
from coopvote.errors import DomainError
from coopvote.schema.migrate import upgrade
from coopvote.settings import Settings


def settings() -> Settings:
    return Settings.from_env()


@contextmanager
def connected() -> Iterator[Database]:
    """The migrated database, for a command that runs several transactions (with the ballot
    key loaded, for commands that seal or open ballots)."""
    chosen = settings()
    keys.use_settings(chosen)
    database = Database.connect(chosen.database_url)
    try:
        upgrade(database.engine)
        yield database
    finally:
        database.dispose()


@contextmanager
def refusing() -> Iterator[None]:
    """A domain error raised inside ends the command cleanly: its message, exit status 1."""
    try:
        yield
    except DomainError as problem:
        raise click.ClickException(problem.detail) from problem


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Migrate, then run the command in one transaction; a domain error ends it cleanly."""
    with refusing(), connected() as database, database.transaction() as session:
        yield session
