"""The audit log is append-only in the database itself: the app's database user can neither
change nor delete an event, and the head moves only one step, onto the event just appended."""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlmodel import Session

from coopvote import audit
from coopvote.audit.service import current_head, verify_chain
from coopvote.clock import utcnow
from coopvote.db import Database
from tests.audit.chains import append


@pytest.fixture
def chain(database: Database) -> Database:
    with database.transaction() as session:
        append(session, 3)
    return database


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET subject = 'member:99' WHERE seq = 2",
        "UPDATE audit_event SET data = '{}'",
        "DELETE FROM audit_event WHERE seq = 3",
        "DELETE FROM audit_event",
        "DELETE FROM audit_head",
        "UPDATE audit_head SET seq = seq - 1",
        "UPDATE audit_head SET hash = (SELECT hash FROM audit_event WHERE seq = 2)",
        # one step forward, but onto no event
        "UPDATE audit_head SET seq = seq + 1, hash = '" + "a" * 64 + "'",
    ],
)
def test_the_apps_user_cannot_rewrite_the_log(chain: Database, statement: str) -> None:
    with pytest.raises(sa_exc.DBAPIError, match="audit"), chain.engine.begin() as connection:
        connection.execute(text(statement))
    with chain.reading() as session:
        assert verify_chain(session).ok
        assert current_head(session).seq == 3


@pytest.mark.parametrize("table", ["audit_event", "audit_head", "board_entry"])
def test_postgresql_refuses_truncating_the_log_or_the_board(chain: Database, table: str) -> None:
    """SQLite has no TRUNCATE (its ``DELETE`` triggers refuse); PostgreSQL's row triggers do
    not fire on TRUNCATE, so statement triggers refuse it."""
    if chain.is_sqlite:
        pytest.skip("SQLite has no TRUNCATE")
    with (
        pytest.raises(sa_exc.DBAPIError, match="append-only"),
        chain.engine.begin() as connection,
    ):
        connection.execute(text(f"TRUNCATE {table} CASCADE"))
    with chain.reading() as session:
        assert verify_chain(session).ok
        assert current_head(session).seq == 3


def test_appending_still_advances_the_head(chain: Database) -> None:
    with chain.transaction() as session:
        audit.record(session, actor="system", action="test.done", subject="x", now=utcnow())
    with chain.reading() as session:
        verdict = verify_chain(session)
    assert verdict.ok
    assert verdict.head.seq == 4


def test_a_refused_rewrite_leaves_the_unit_of_work_usable(chain: Database) -> None:
    with chain.sessions() as session:
        assert isinstance(session, Session)
        with pytest.raises(sa_exc.DBAPIError):
            session.execute(text("DELETE FROM audit_event WHERE seq = 1"))
        session.rollback()
        audit.record(session, actor="system", action="test.done", subject="x", now=utcnow())
        session.commit()
    with chain.reading() as session:
        assert verify_chain(session).ok
