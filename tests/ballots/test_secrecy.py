"""No plaintext choice is ever written where a database reader could pair it with a voter:
papers are sealed when cast, and opened only at close, all at once, in a fresh random order.

Checked on both engines against everything a reader could hold: every column of every table,
SQLite's file, its write-ahead log and a backup taken while voting is open, and PostgreSQL's
raw heap pages (``pageinspect``), dead row versions included."""

import asyncio
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, inspect, select, text
from sqlalchemy.exc import DBAPIError

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.casting import Caster
from coopvote.ballots.models import Ballot, Method, SealedPaper
from coopvote.cli import main
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Role
from tests.factories import make_ballot, make_member

VOTERS = 10
#: In every stored paper's JSON, and nowhere else in the database.
PLAINTEXT = b'"ranking"'


@pytest.fixture
def open_ballot(database: Database) -> tuple[Ballot, list[str]]:
    """A ranked ballot, open, with ten votes cast one transaction each; their trackers."""
    with database.transaction() as session:
        voters = [make_member(session) for _ in range(VOTERS)]
        ballot = make_ballot(session, method=Method.STV, seats=2)
        ids = [o.id for o in ballot_views.options(session, ballot) if o.id is not None]
    trackers = []
    for i, voter in enumerate(voters):
        with database.transaction() as session:
            assert voter.id is not None
            current = ballots.get_ballot(session, ballot.public_id, utcnow())
            trackers.append(
                ballots.cast_vote(
                    session,
                    current,
                    member_id=voter.id,
                    now=utcnow(),
                    paper={"ranking": [ids[i % len(ids)], ids[(i + 1) % len(ids)]]},
                )
            )
    return ballot, trackers


def close(database: Database, ballot: Ballot) -> None:
    with database.transaction() as session:
        current = ballots.get_ballot(session, ballot.public_id, utcnow())
        ballots.close_ballot(session, current, actor_id=None, now=utcnow())


def every_value(database: Database) -> Iterator[tuple[str, str, Any]]:
    metadata = MetaData()
    with database.engine.connect() as connection:
        metadata.reflect(connection)
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in row._mapping.items():
                    yield table.name, str(column), value


def as_bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def sqlite_file(database: Database) -> Path:
    name = database.engine.url.database
    assert name is not None
    return Path(name)


@contextmanager
def reader_holding_a_snapshot(database: Database) -> Iterator[None]:
    """Another connection inside a read transaction: SQLite cannot reset its WAL, PostgreSQL
    cannot prune the row versions it might still see."""
    with database.reading() as session:
        if not database.is_sqlite:
            session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        session.execute(text("SELECT count(*) FROM ballot")).one()
        yield


def raw_pages(database: Database, table: str) -> bytes:
    """Every heap page of a PostgreSQL table, as stored (live and dead tuples alike)."""
    with database.engine.begin() as connection:
        blocks = connection.execute(
            text("SELECT pg_relation_size(:t) / current_setting('block_size')::int"), {"t": table}
        ).scalar_one()
        return b"".join(
            bytes(
                connection.execute(
                    text("SELECT get_raw_page(:t, :n)"), {"t": table, "n": n}
                ).scalar_one()
            )
            for n in range(blocks)
        )


@pytest.fixture
def pageinspect(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("raw heap pages are PostgreSQL's")
    try:
        with database.engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
    except DBAPIError as problem:
        pytest.skip(f"pageinspect cannot be created here: {problem.orig}")


def test_the_box_holds_no_member_time_or_sequence(database: Database) -> None:
    columns = inspect(database.engine).get_columns
    assert {c["name"] for c in columns("sealed_paper")} == {"tracker", "ballot_id", "sealed"}
    assert {c["name"] for c in columns("paper")} == {"id", "ballot_id", "choice"}
    assert {c["name"] for c in columns("board_entry")} == {
        "ballot_id",
        "position",
        "tracker",
        "head",
        "seal",  # an HMAC of the three before it
    }


def test_while_voting_no_column_of_any_table_holds_a_choice(
    database: Database, open_ballot: tuple[Ballot, list[str]]
) -> None:
    leaks = [(t, c) for t, c, v in every_value(database) if PLAINTEXT in as_bytes(v)]
    assert leaks == []


def test_while_voting_the_sqlite_file_its_wal_and_a_backup_hold_no_choice(
    database: Database,
    open_ballot: tuple[Ballot, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not database.is_sqlite:
        pytest.skip("SQLite's files")
    path = sqlite_file(database)
    monkeypatch.setenv("COOPVOTE_DATABASE_URL", f"sqlite:///{path}")
    copy = tmp_path / "backup.db"
    result = CliRunner().invoke(main, ["backup", str(copy)])
    assert result.exit_code == 0, result.output
    for stored in (path, Path(f"{path}-wal"), copy):
        assert PLAINTEXT not in stored.read_bytes(), stored


def test_while_voting_no_postgresql_page_holds_a_choice(
    database: Database, open_ballot: tuple[Ballot, list[str]], pageinspect: None
) -> None:
    metadata = MetaData()
    with database.engine.connect() as connection:
        metadata.reflect(connection)
    leaks = [t.name for t in metadata.sorted_tables if PLAINTEXT in raw_pages(database, t.name)]
    assert leaks == []


def test_with_a_reader_open_at_close_sqlite_writes_choices_only_in_the_closing_transaction(
    database: Database, open_ballot: tuple[Ballot, list[str]]
) -> None:
    """The WAL keeps every frame while a reader holds a snapshot: the choices appear only in the
    frames the close appended, all in one transaction, after every vote's frames."""
    if not database.is_sqlite:
        pytest.skip("SQLite's write-ahead log")
    ballot, _ = open_ballot
    wal = Path(f"{sqlite_file(database)}-wal")
    with reader_holding_a_snapshot(database):
        before_close = wal.stat().st_size
        close(database, ballot)
        frames = wal.read_bytes()
    assert PLAINTEXT not in frames[:before_close]
    assert PLAINTEXT in frames[before_close:]  # the opened papers, written at close


def test_with_a_reader_open_at_close_postgresql_links_no_paper_to_a_voter(
    database: Database, open_ballot: tuple[Ballot, list[str]], pageinspect: None
) -> None:
    """Every version of every row, dead or alive, as the heap pages hold them: only the
    opened papers hold choices, all written by the closing transaction, none by a vote's."""
    ballot, _ = open_ballot
    with reader_holding_a_snapshot(database):
        close(database, ballot)
        with database.engine.begin() as connection:

            def xmins(table: str) -> set[str]:
                return set(
                    connection.execute(
                        text(
                            "SELECT t_xmin::text FROM generate_series(0, "
                            "pg_relation_size(CAST(:t AS text)) "
                            "/ current_setting('block_size')::int - 1) AS n, "
                            "heap_page_items(get_raw_page(CAST(:t AS text), n::int)) "
                            "WHERE t_xmin IS NOT NULL"
                        ),
                        {"t": table},
                    ).scalars()
                )

            papers, marks = xmins("paper"), xmins("roll_entry")
        metadata = MetaData()
        with database.engine.connect() as connection:
            metadata.reflect(connection)
        holding = {
            t.name for t in metadata.sorted_tables if PLAINTEXT in raw_pages(database, t.name)
        }
    assert holding == {"paper"}
    assert len(papers) == 1, "every opened paper is written by the one closing transaction"
    assert papers.isdisjoint(marks)


def test_a_cancelled_ballots_sealed_papers_are_destroyed(
    database: Database, open_ballot: tuple[Ballot, list[str]]
) -> None:
    ballot, trackers = open_ballot
    with database.transaction() as session:
        current = ballots.get_ballot(session, ballot.public_id, utcnow())
        ballots.cancel_ballot(
            session, current, reason="Called in error.", actor_id=None, now=utcnow()
        )
    with database.transaction() as session:
        assert session.exec(select(SealedPaper)).all() == []  # type: ignore[call-overload]
        # The board keeps every tracker, so voters can still see their paper was taken.
        assert sorted(ballot_views.board(session, current).trackers) == sorted(trackers)
        # A cancelled ballot is never opened.
        assert current.box_opened_at is None
    if database.is_sqlite:
        assert Path(f"{sqlite_file(database)}-wal").stat().st_size == 0  # checkpointed


def test_a_sealed_paper_of_a_running_ballot_cannot_be_destroyed(
    database: Database, open_ballot: tuple[Ballot, list[str]]
) -> None:
    with (
        pytest.raises(DBAPIError, match="sealed papers cannot be changed"),
        database.engine.begin() as connection,
    ):
        connection.execute(text("DELETE FROM sealed_paper"))


def burst_of_votes_with(
    database: Database, ballot: Ballot, voters: list[int], paper: dict[str, Any]
) -> list[str]:
    """Every voter presses Cast at the same moment, as at a general meeting: the votes go
    through the process's caster as the web does; their trackers."""

    async def burst() -> list[str]:
        caster = Caster(window=0.5)  # long enough to gather every vote on a busy machine
        try:
            casts = await asyncio.gather(
                *(
                    caster.cast(
                        database,
                        ballot.public_id,
                        member_id=voter,
                        roles=frozenset({Role.MEMBER}),
                        paper=paper,
                    )
                    for voter in voters
                )
            )
        finally:
            caster.stop()
        return [cast.tracker for cast in casts]

    return asyncio.run(burst())


@pytest.fixture
def burst_ballot(database: Database) -> tuple[Ballot, list[int]]:
    """A ranked ballot, open, nobody voted yet; its voters' ids."""
    with database.transaction() as session:
        voters = [make_member(session) for _ in range(VOTERS)]
        ballot = make_ballot(session, method=Method.STV, seats=2)
    return ballot, [v.id for v in voters if v.id is not None]


def first_ranked(database: Database, ballot: Ballot) -> dict[str, Any]:
    with database.reading() as session:
        return {"ranking": [ballot_views.options(session, ballot)[0].id]}


def wal_transactions(wal: bytes) -> list[bytes]:
    """The frames of SQLite's write-ahead log, one ``bytes`` per committed transaction (the
    log's current generation: frames whose salt is the header's)."""
    page_size = struct.unpack(">I", wal[8:12])[0]
    salt = wal[16:24]
    transactions, current = [], b""
    for start in range(32, len(wal) - 24 - page_size + 1, 24 + page_size):
        frame = wal[start : start + 24 + page_size]
        if frame[8:16] != salt:
            break
        current += frame[24:]
        if struct.unpack(">I", frame[4:8])[0]:  # a commit frame: the transaction ends here
            transactions.append(current)
            current = b""
    return transactions


def test_a_burst_of_votes_is_one_transaction_in_sqlites_log(
    database: Database, burst_ballot: tuple[Ballot, list[int]]
) -> None:
    """A reader of the write-ahead log (kept whole while any reader holds a snapshot) sees
    the voters' marks and their trackers arrive together, in one transaction, the board in
    tracker order: nothing pairs one voter with one tracker."""
    if not database.is_sqlite:
        pytest.skip("SQLite's write-ahead log")
    ballot, voters = burst_ballot
    wal = Path(f"{sqlite_file(database)}-wal")
    paper = first_ranked(database, ballot)
    with reader_holding_a_snapshot(database):
        trackers = burst_of_votes_with(database, ballot, voters, paper)
        transactions = wal_transactions(wal.read_bytes())
    first_written = {
        tracker: next(n for n, t in enumerate(transactions) if tracker.encode() in t)
        for tracker in trackers
    }
    assert len(set(first_written.values())) == 1, "each vote's tracker in a transaction of its own"


def test_a_burst_of_votes_shares_one_transaction_id_on_postgresql(
    database: Database, burst_ballot: tuple[Ballot, list[int]]
) -> None:
    """PostgreSQL stamps each row version with its transaction (``xmin``): the burst's marks
    and board entries all carry one, so it pairs no voter with a tracker."""
    if database.is_sqlite:
        pytest.skip("PostgreSQL's row versions")
    ballot, voters = burst_ballot
    trackers = burst_of_votes_with(database, ballot, voters, first_ranked(database, ballot))
    with database.engine.connect() as connection:
        marks = connection.execute(
            text("SELECT xmin::text FROM roll_entry WHERE has_voted")
        ).scalars()
        entries = connection.execute(text("SELECT xmin::text, tracker FROM board_entry")).all()
    assert {tracker for _, tracker in entries} == set(trackers)
    assert len(set(marks) | {xmin for xmin, _ in entries}) == 1
