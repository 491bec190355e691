"""Upgrading a database from before the sealed box: papers of counted ballots are kept as
opened papers, and still reconcile; an open ballot's unsealed papers stop the upgrade."""

import json

import pytest
from alembic import command
from sqlalchemy import text

from coopvote.db import Database
from coopvote.results.reconcile import reconcile_ballots
from coopvote.schema.migrate import alembic_config, upgrade
from tests.factories import make_member

BEFORE = "a6b757f38edd"


def before_the_sealed_box(database: Database) -> None:
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, BEFORE)


def legacy_ballot(database: Database, status: str, choices: list[str]) -> None:
    with database.engine.begin() as connection:
        ballot_id = connection.execute(
            text(
                "INSERT INTO ballot (public_id, title, description, method, seats, quorum_bp, "
                "closes_at, eligible_constituencies, eligible_organisations, status, created_at, "
                "opened_at, closed_at, cancel_reason, roll_size, roll_hash) VALUES (:p, 'Old', '', "
                "'resolution', 1, 0, '2026-01-02 00:00:00', '[]', '[]', :s, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-02 00:00:00', '', 0, "
                "'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855') RETURNING id"
            ),
            {"p": f"old-{status}", "s": status},
        ).scalar_one()
        for n, choice in enumerate(choices):
            connection.execute(
                text("INSERT INTO paper (receipt, ballot_id, choice) VALUES (:r, :b, :c)"),
                {"r": f"R{status}{n}", "b": ballot_id, "c": json.dumps({"choice": choice})},
            )


@pytest.fixture
def sqlite(database: Database) -> Database:
    if not database.is_sqlite:
        pytest.skip("the PostgreSQL test database is shared by the run: it is not downgraded")
    return database


def test_a_counted_ballots_papers_are_kept_as_opened_papers(sqlite: Database) -> None:
    before_the_sealed_box(sqlite)
    legacy_ballot(sqlite, "closed", ["for", "against"])
    upgrade(sqlite.engine)
    with sqlite.engine.connect() as connection:
        kept = connection.execute(text("SELECT choice FROM paper")).scalars().all()
    assert sorted(json.loads(c)["choice"] for c in kept) == ["against", "for"]
    with sqlite.transaction() as session:
        [found] = reconcile_ballots(session)
    # Checked as before the sealed box — marks against papers (this roll is empty) — and not
    # flagged for having no board.
    assert (found.sealed, found.papers) == (False, 2)
    assert found.problems == ["0 members marked as having voted, but 2 papers stored."]


def test_an_open_ballot_with_unsealed_papers_stops_the_upgrade(sqlite: Database) -> None:
    before_the_sealed_box(sqlite)
    legacy_ballot(sqlite, "open", ["for"])
    with pytest.raises(RuntimeError, match="Close or cancel these open ballots"):
        upgrade(sqlite.engine)


def test_a_key_two_trustees_registered_stays_with_the_first(sqlite: Database) -> None:
    """Two trustees cannot hold one key from the upgrade on (a unique index); where two did,
    the later one's key is cleared so that they register their own, and the upgrade runs."""
    with sqlite.transaction() as session:
        members = [make_member(session).id for _ in range(2)]
    config = alembic_config()
    with sqlite.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "1bedd5ed99d2")
        for member_id in members:
            connection.execute(
                text(
                    "INSERT INTO ballot_trustee (member_id, public_key, named_at) "
                    "VALUES (:m, :k, '2026-01-01 00:00:00')"
                ),
                {"m": member_id, "k": "ab" * 32},
            )
    upgrade(sqlite.engine)
    with sqlite.engine.connect() as connection:
        keys = connection.execute(
            text("SELECT public_key FROM ballot_trustee ORDER BY id")
        ).scalars()
        assert list(keys) == ["ab" * 32, None]
