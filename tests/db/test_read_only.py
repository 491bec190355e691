"""Read-only units of work: they refuse writes, and on SQLite they never wait for a writer."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from coopvote.db import Database
from coopvote.members.models import Organisation


def test_a_read_only_unit_of_work_refuses_a_write(database: Database) -> None:
    with database.reading() as session:
        session.add(Organisation(slug="new-school", name="A new school"))
        with pytest.raises(DBAPIError, match=r"(?i)read.only|readonly"):
            session.flush()


def test_a_write_after_a_read_only_unit_of_work_still_works(database: Database) -> None:
    with database.reading() as session:
        session.execute(text("SELECT 1"))
    with database.transaction() as session:
        session.add(Organisation(slug="new-school", name="A new school"))
    with database.reading() as session:
        names = session.execute(text("SELECT name FROM organisation")).scalars().all()
    assert "A new school" in names


def test_readers_run_while_a_writer_holds_the_lock(database: Database) -> None:
    with database.transaction() as writer:
        writer.add(Organisation(slug="new-school", name="A new school"))
        writer.flush()  # on SQLite the write lock is held from BEGIN IMMEDIATE on
        with database.reading() as reader:
            # The reader sees the last committed state at once, not the writer's change.
            slugs = reader.execute(text("SELECT slug FROM organisation")).scalars().all()
    assert "new-school" not in slugs
