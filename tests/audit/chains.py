"""A short chain to test with, and the ways someone with database access could tamper with it.

Each tampering works on the five events that ``append(session, 5)`` writes and names the first
sequence number that verification must report as bad.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, text
from sqlmodel import Session

from coopvote import audit
from coopvote.clock import utcnow
from coopvote.db import Database


def append(session: Session, count: int, *, actor: str = "member:1") -> None:
    start = utcnow()
    for i in range(count):
        audit.record(
            session,
            actor=actor,
            action="member.admitted",
            subject=f"member:{i}",
            now=start + timedelta(seconds=i),
            data={"member_number": i},
        )


@contextmanager
def as_owner(database: Database) -> Iterator[Connection]:
    """A transaction of whoever owns the database, who can drop the log's append-only
    triggers (PostgreSQL: bypass them, as replication does): only the chain catches them."""
    with database.engine.begin() as connection:
        if database.is_sqlite:
            triggers = connection.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name IN ('audit_event', 'audit_head')"
                )
            ).scalars()
            for name in list(triggers):
                connection.execute(text(f"DROP TRIGGER {name}"))
        else:
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        yield connection


def edit(connection: Connection) -> None:
    connection.execute(text("UPDATE audit_event SET subject = 'member:99' WHERE seq = 3"))


def delete(connection: Connection) -> None:
    connection.execute(text("DELETE FROM audit_event WHERE seq = 2"))


def insert(connection: Connection) -> None:
    """Make room at 3 and put a made-up event there that claims to follow event 2."""
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


def reorder(connection: Connection) -> None:
    """Swap events 2 and 4."""
    connection.execute(text("UPDATE audit_event SET seq = 100 WHERE seq = 2"))
    connection.execute(text("UPDATE audit_event SET seq = 2 WHERE seq = 4"))
    connection.execute(text("UPDATE audit_event SET seq = 4 WHERE seq = 100"))


def rewrite_after(connection: Connection, seq: int) -> None:
    """Drop every event after ``seq`` and move the head back: a consistent rewrite of history,
    which only a head kept from before can reveal."""
    connection.execute(text("DELETE FROM audit_event WHERE seq > :seq"), {"seq": seq})
    connection.execute(
        text(
            "UPDATE audit_head SET seq = :seq, "
            "hash = (SELECT hash FROM audit_event WHERE seq = :seq)"
        ),
        {"seq": seq},
    )


@dataclass(frozen=True)
class Tampering:
    change: Callable[[Connection], None]
    first_bad_seq: int


TAMPERINGS = {
    "edited": Tampering(edit, 3),
    "deleted": Tampering(delete, 3),
    "inserted": Tampering(insert, 3),
    "reordered": Tampering(reorder, 2),
}
