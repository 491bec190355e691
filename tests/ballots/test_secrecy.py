"""After the close, nothing stored links a member to a paper: not a column, not the order of
rows, not (on PostgreSQL) the transaction that wrote a row or its physical position."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import MetaData, inspect, select, text

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Ballot, Method, Paper
from coopvote.clock import utcnow
from coopvote.db import Database
from tests.factories import make_ballot, make_member

VOTERS = 10


@pytest.fixture
def closed_ballot(database: Database) -> tuple[Ballot, list[str]]:
    """A ranked ballot with ten votes, cast one transaction each, then closed."""
    with database.transaction() as session:
        voters = [make_member(session) for _ in range(VOTERS)]
        ballot = make_ballot(session, method=Method.STV, seats=2)
        ids = [o.id for o in ballot_views.options(session, ballot) if o.id is not None]
    cast_order = []
    for i, voter in enumerate(voters):
        with database.transaction() as session:
            assert voter.id is not None
            current = ballots.get_ballot(session, ballot.public_id, utcnow())
            cast_order.append(
                ballots.cast_vote(
                    session,
                    current,
                    member_id=voter.id,
                    now=utcnow(),
                    paper={"ranking": [ids[i % len(ids)], ids[(i + 1) % len(ids)]]},
                )
            )
    with database.transaction() as session:
        current = ballots.get_ballot(session, ballot.public_id, utcnow())
        ballots.close_ballot(session, current, actor_id=None, now=utcnow())
    return ballot, cast_order


def every_value(database: Database) -> Iterator[tuple[str, str, Any]]:
    metadata = MetaData()
    with database.engine.connect() as connection:
        metadata.reflect(connection)
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in row._mapping.items():
                    yield table.name, str(column), value


def test_a_paper_holds_only_the_ballot_the_choice_and_the_receipt(database: Database) -> None:
    columns = {c["name"] for c in inspect(database.engine).get_columns("paper")}
    assert columns == {"receipt", "ballot_id", "choice"}


def test_receipts_and_choices_are_stored_nowhere_but_in_papers(
    database: Database, closed_ballot: tuple[Ballot, list[str]]
) -> None:
    _, receipts = closed_ballot
    leaks = [
        (table, column)
        for table, column, value in every_value(database)
        if table != "paper" and any(r in str(value) for r in receipts)
    ]
    assert leaks == []
    audit_data = [str(v) for t, c, v in every_value(database) if t == "audit_event" and c == "data"]
    assert not any("ranking" in data for data in audit_data)


def test_papers_are_not_stored_in_the_order_they_were_cast(
    database: Database, closed_ballot: tuple[Ballot, list[str]]
) -> None:
    _, cast_order = closed_ballot
    with database.engine.connect() as connection:
        if database.is_sqlite:
            # A WITHOUT ROWID table is a b-tree on its key: the physical order is the
            # order of the random receipts.
            stored = list(connection.execute(text("SELECT receipt FROM paper")).scalars())
            assert stored == sorted(cast_order)
        else:
            stored = list(
                connection.execute(text("SELECT receipt FROM paper ORDER BY ctid")).scalars()
            )
    assert sorted(stored) == sorted(cast_order)
    assert stored not in (cast_order, cast_order[::-1])


def test_postgresql_row_versions_do_not_link_papers_to_the_roll(
    database: Database, closed_ballot: tuple[Ballot, list[str]]
) -> None:
    if database.is_sqlite:
        pytest.skip("xmin and ctid are PostgreSQL's")
    with database.engine.connect() as connection:
        paper_xmins = set(connection.execute(text("SELECT xmin::text FROM paper")).scalars())
        roll_xmins = set(
            connection.execute(text("SELECT xmin::text FROM roll_entry WHERE has_voted")).scalars()
        )
        vote_xmins = set(
            connection.execute(
                text("SELECT xmin::text FROM audit_event WHERE action = 'member.voted'")
            ).scalars()
        )
    assert len(paper_xmins) == 1, "every paper is rewritten by the one closing transaction"
    assert paper_xmins.isdisjoint(roll_xmins | vote_xmins)
    assert len(roll_xmins) == VOTERS  # each vote was its own transaction, as in real use


def test_a_paper_at_rest_has_no_member_or_time(
    database: Database, closed_ballot: tuple[Ballot, list[str]]
) -> None:
    with database.transaction() as session:
        paper = session.exec(select(Paper)).scalars().first()  # type: ignore[call-overload]
    assert paper is not None
    assert set(paper.model_dump()) == {"receipt", "ballot_id", "choice"}
