"""Changing the box behind the application's back, as an attacker with the database would:
with the database's guards (triggers) switched off first, to show that what they would refuse
is also detected."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

from coopvote.ballots import box, keys
from coopvote.ballots.board import genesis, next_head
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


def stuff_properly(database: Database, public_id: str, choice: dict[str, str]) -> int:
    """Stuff a paper as well as a database writer can: mark an abstainer as voted, put a paper
    sealed to the ballot's key in the box, and extend the board's public chain correctly. All
    the writer cannot do is seal the entry (its key is not in the database). The position."""
    sealed = box.seal(keys.public_key(public_id), choice, 200)
    tracker = box.tracker(sealed)
    with unguarded(database) as connection:
        ballot_id = connection.execute(
            text("SELECT id FROM ballot WHERE public_id = :p"), {"p": public_id}
        ).scalar_one()
        trackers = connection.execute(
            text("SELECT tracker FROM board_entry WHERE ballot_id = :b ORDER BY position"),
            {"b": ballot_id},
        ).scalars()
        head = genesis(public_id)
        for earlier in trackers:
            head = next_head(head, earlier)
        position = (
            len(
                connection.execute(
                    text("SELECT position FROM board_entry WHERE ballot_id = :b"), {"b": ballot_id}
                ).all()
            )
            + 1
        )
        connection.execute(
            text(
                "UPDATE roll_entry SET has_voted = true WHERE ballot_id = :b AND member_id = "
                "(SELECT MIN(member_id) FROM roll_entry WHERE ballot_id = :b AND NOT has_voted)"
            ),
            {"b": ballot_id},
        )
        connection.execute(
            text("INSERT INTO sealed_paper (tracker, ballot_id, sealed) VALUES (:t, :b, :s)"),
            {"t": tracker, "b": ballot_id, "s": sealed},
        )
        connection.execute(
            text(
                "INSERT INTO board_entry (ballot_id, position, tracker, head, seal) "
                "VALUES (:b, :p, :t, :h, :seal)"
            ),
            {
                "b": ballot_id,
                "p": position,
                "t": tracker,
                "h": next_head(head, tracker),
                "seal": "0" * 64,
            },
        )
    return position
