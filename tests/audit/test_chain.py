"""The audit chain detects any change made behind the application's back."""

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coopvote import audit
from coopvote.audit.chain import GENESIS_HASH, Head, Verdict
from coopvote.audit.service import current_head, verify_chain
from coopvote.clock import utcnow
from coopvote.db import Database


def append(session: Session, count: int) -> None:
    start = utcnow()
    for i in range(count):
        audit.record(
            session,
            actor="member:1",
            action="member.admitted",
            subject=f"member:{i}",
            now=start + timedelta(seconds=i),
            data={"member_number": i},
        )


@pytest.fixture
def chain(database: Database) -> Database:
    with database.transaction() as session:
        append(session, 5)
    return database


def verdict(database: Database, kept: Head | None = None) -> Verdict:
    with database.transaction() as session:
        return verify_chain(session, kept)


def test_an_untouched_chain_verifies(chain: Database) -> None:
    result = verdict(chain)
    assert result.ok
    assert result.events == 5
    assert result.head.seq == 5


def test_the_first_event_follows_the_genesis_hash(chain: Database) -> None:
    with chain.engine.connect() as connection:
        first = connection.execute(text("SELECT prev_hash FROM audit_event WHERE seq = 1")).scalar()
    assert first == GENESIS_HASH


def test_an_edited_event_is_detected(chain: Database) -> None:
    with chain.engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET subject = 'member:99' WHERE seq = 3"))
    result = verdict(chain)
    assert not result.ok
    assert result.first_bad_seq == 3


def test_a_deleted_event_is_detected(chain: Database) -> None:
    with chain.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    assert verdict(chain).first_bad_seq == 3


def test_a_deleted_last_event_is_detected(chain: Database) -> None:
    with chain.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq = 5"))
    result = verdict(chain)
    assert not result.ok
    assert result.first_bad_seq == 5


def test_an_inserted_event_is_detected(chain: Database) -> None:
    with chain.engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET seq = seq + 100 WHERE seq >= 3"))
        connection.execute(text("UPDATE audit_event SET seq = seq - 99 WHERE seq >= 100"))
        connection.execute(
            text(
                "INSERT INTO audit_event (seq, at, actor, action, subject, data, prev_hash, hash) "
                "SELECT 3, at, actor, 'member.ceased', subject, data, hash, :fake FROM audit_event "
                "WHERE seq = 2"
            ),
            {"fake": "f" * 64},
        )
    result = verdict(chain)
    assert not result.ok
    assert result.first_bad_seq == 3


def test_reordered_events_are_detected(chain: Database) -> None:
    with chain.engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET seq = 100 WHERE seq = 2"))
        connection.execute(text("UPDATE audit_event SET seq = 2 WHERE seq = 4"))
        connection.execute(text("UPDATE audit_event SET seq = 4 WHERE seq = 100"))
    assert verdict(chain).first_bad_seq == 2


def test_a_rewritten_history_is_caught_by_a_kept_head(chain: Database) -> None:
    kept = verdict(chain).head
    with chain.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq >= 4"))
        connection.execute(
            text(
                "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_event WHERE seq = 3)"
            )
        )
    assert verdict(chain).ok  # internally consistent after the rewrite …
    assert not verdict(chain, kept).ok  # … but not with what the auditor kept


def test_audit_data_never_holds_secrets(session: Session) -> None:
    for key in ["password", "receipt", "choice", "ranking", "token"]:
        with pytest.raises(ValueError, match="must not hold"):
            audit.record(
                session,
                actor="system",
                action="x.done",
                subject="x",
                now=utcnow(),
                data={key: "secret"},
            )
    assert current_head(session).seq == 0
