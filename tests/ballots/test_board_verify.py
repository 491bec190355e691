"""`coopvote audit verify` checks every ballot's board and box as well as the audit chain:
exit 1, naming the ballot and what broke, when either was changed behind the app's back."""

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from coopvote.ballots import service as ballots
from coopvote.cli import main
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.schema.migrate import alembic_config, upgrade
from tests.ballots.tampering import stuff_properly, unguarded
from tests.factories import make_ballot, make_member

#: The migration that seals the board's entries.
SEALS = "8d2f6a41c7e3"


@pytest.fixture
def cli(database: Database, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv(
        "COOPVOTE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    return CliRunner()


@pytest.fixture
def ballot_id(database: Database) -> str:
    """A closed ballot with two papers, opened at close."""
    with database.transaction() as session:
        voters = [make_member(session) for _ in range(3)]
        ballot = make_ballot(session)
        for voter in voters[:2]:
            assert voter.id is not None
            ballots.cast_vote(
                session, ballot, member_id=voter.id, paper={"choice": "for"}, now=utcnow()
            )
        ballots.close_ballot(session, ballot, actor_id=None, now=utcnow())
        return ballot.public_id


def test_an_untouched_board_verifies(cli: CliRunner, ballot_id: str) -> None:
    result = cli.invoke(main, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Every ballot's board, box, roll and marks agree (1 ballots)." in result.output


@pytest.mark.parametrize(
    ("tampering", "named"),
    [
        (
            # Another first digit, whatever the tracker's was.
            "UPDATE board_entry SET tracker = CASE WHEN tracker LIKE 'f%' THEN '0' ELSE 'f' END"
            " || substr(tracker, 2) WHERE position = 1",
            "the board's chain is broken at entry 1",
        ),
        ("DELETE FROM board_entry WHERE position = 1", "the board's entry 1 is missing"),
        ("DELETE FROM paper WHERE id = (SELECT MIN(id) FROM paper)", "Opened papers: 1"),
    ],
    ids=["edited", "removed", "opened-paper-removed"],
)
def test_a_changed_board_or_box_fails_verification_naming_it(
    cli: CliRunner, database: Database, ballot_id: str, tampering: str, named: str
) -> None:
    with unguarded(database) as connection:
        connection.execute(text(tampering))
    result = cli.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"Ballot {ballot_id}: " in result.output
    assert named in result.output


def test_stuffing_while_the_ballot_is_open_is_named(cli: CliRunner, database: Database) -> None:
    """A mark, a sealed paper and a correctly chained board entry, added while voting is open:
    every count agrees and the chain holds, so before the board's seals this was seen only at
    close."""
    with database.transaction() as session:
        voters = [make_member(session) for _ in range(3)]
        ballot = make_ballot(session)
        assert voters[0].id is not None
        ballots.cast_vote(
            session, ballot, member_id=voters[0].id, paper={"choice": "for"}, now=utcnow()
        )
    assert cli.invoke(main, ["audit", "verify"]).exit_code == 0
    position = stuff_properly(database, ballot.public_id, {"choice": "against"})
    result = cli.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert (
        f"Ballot {ballot.public_id}: Board entries not appended by coopvote (no valid seal): 1, "
        f"at position {position}." in result.output
    )


def test_the_upgrade_seals_the_entries_already_on_a_board(
    cli: CliRunner, database: Database, ballot_id: str
) -> None:
    if not database.is_sqlite:
        pytest.skip("the PostgreSQL test database is shared by the run: it is not downgraded")
    config = alembic_config()
    seals = ScriptDirectory.from_config(config).get_revision(SEALS)
    assert seals is not None
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, str(seals.down_revision))  # before the seals
    upgrade(database.engine)
    result = cli.invoke(main, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM board_entry")).scalar_one() == 2
    with pytest.raises(DBAPIError, match="append-only"), database.engine.begin() as connection:
        connection.execute(text("UPDATE board_entry SET seal = NULL"))
