"""Changing the box behind the application's back, as an attacker with the database would:
with the database's guards (triggers) switched off first, to show that what they would refuse
is also detected."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

from coopvote.db import Database

GUARDS = ("board_entry", "sealed_paper", "paper")


@contextmanager
def unguarded(database: Database) -> Iterator[Connection]:
    """A connection on which the append-only triggers do not fire."""
    with database.engine.begin() as connection:
        if database.is_sqlite:
            names = connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            for name in list(names):
                connection.execute(text(f'DROP TRIGGER "{name}"'))
        else:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        yield connection
