"""The audit chain detects any change made behind the application's back."""

import pytest
from sqlalchemy import text
from sqlmodel import Session

from coopvote import audit
from coopvote.audit.chain import GENESIS_HASH, Head, Malformed, Verdict
from coopvote.audit.service import current_head, stored_event, verify_chain
from coopvote.clock import utcnow
from coopvote.db import Database
from tests.audit.chains import TAMPERINGS, append, as_owner, rewrite_after


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


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_tampering_is_detected_at_the_first_bad_event(chain: Database, name: str) -> None:
    tampering = TAMPERINGS[name]
    with as_owner(chain) as connection:
        tampering.change(connection)
    result = verdict(chain)
    assert not result.ok
    assert result.first_bad_seq == tampering.first_bad_seq


def test_a_deleted_last_event_is_detected(chain: Database) -> None:
    with as_owner(chain) as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq = 5"))
    result = verdict(chain)
    assert not result.ok
    assert result.first_bad_seq == 5


def test_a_rewritten_history_is_caught_by_a_kept_head(chain: Database) -> None:
    kept = verdict(chain).head
    with as_owner(chain) as connection:
        rewrite_after(connection, 3)
    assert verdict(chain).ok  # internally consistent after the rewrite …
    assert not verdict(chain, kept).ok  # … but not with what the auditor kept


def test_a_head_is_written_and_read_back() -> None:
    head = Head(12, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
    assert Head.parse(str(head)) == head
    assert Head.parse(f"  {head.seq}:{head.hash.upper()}\n") == head


@pytest.mark.parametrize(
    "written",
    ["", "12", "12:", "x:" + "a" * 64, "12:" + "a" * 63, "12:" + "g" * 64, "²:" + "a" * 64],
)
def test_a_malformed_head_is_refused(written: str) -> None:
    with pytest.raises(ValueError, match="sequence number, a colon"):
        Head.parse(written)


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


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ((1, None, "a", "b", "c", "{}", "0" * 64, "1" * 64), "at is missing"),
        ((1, "2026-11-30 10:00:00", "a", "b", "c", None, "0" * 64, "1" * 64), "data is missing"),
        ((1, "2026-11-30 10:00:00", 7, "b", "c", "{}", "0" * 64, "1" * 64), "actor is not text"),
        ((1, "9999-12-31 25:00:00", "a", "b", "c", "{}", "0" * 64, "1" * 64), "hour"),
    ],
)
def test_a_stored_event_that_cannot_be_read_is_malformed(
    fields: tuple[object, ...], problem: str
) -> None:
    read = stored_event(fields)
    assert isinstance(read, Malformed)
    assert read.seq == 1
    assert problem in read.problem
