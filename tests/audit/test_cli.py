"""`coopvote audit verify`: exit 0 when the chain holds, 1 when it is broken."""

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import text

from coopvote.audit.service import current_head
from coopvote.cli import main
from coopvote.db import Database
from coopvote.members.models import Role
from tests.audit.chains import TAMPERINGS, append, as_owner, rewrite_after
from tests.factories import make_member
from tests.web.helpers import form, sign_in


@pytest.fixture
def cli(database: Database, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv(
        "COOPVOTE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    with database.transaction() as session:
        append(session, 5)
    return CliRunner()


def test_an_untouched_chain_holds_and_its_head_is_printed(
    cli: CliRunner, database: Database
) -> None:
    with database.transaction() as session:
        head = current_head(session)
    result = cli.invoke(main, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "holds: 5 events" in result.output
    assert f"Head: 5:{head.hash}" in result.output


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_tampering_exits_1_naming_the_first_bad_event(
    cli: CliRunner, database: Database, name: str
) -> None:
    tampering = TAMPERINGS[name]
    with as_owner(database) as connection:
        tampering.change(connection)
    result = cli.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {tampering.first_bad_seq}:" in result.output


def test_a_kept_head_still_on_the_chain_holds(cli: CliRunner, database: Database) -> None:
    with database.transaction() as session:
        kept = current_head(session)
        append(session, 2)
    result = cli.invoke(main, ["audit", "verify", "--head", str(kept)])
    assert result.exit_code == 0, result.output
    assert "The head you kept (5) is on the chain." in result.output


def test_a_rewritten_history_fails_against_a_kept_head(cli: CliRunner, database: Database) -> None:
    with database.transaction() as session:
        kept = current_head(session)
    with as_owner(database) as connection:
        rewrite_after(connection, 3)
    assert cli.invoke(main, ["audit", "verify"]).exit_code == 0  # consistent in itself …
    result = cli.invoke(main, ["audit", "verify", "--head", str(kept)])
    assert result.exit_code == 1  # … but the head kept before is gone
    assert "broken at event 5: the head you kept is no longer there" in result.output


def test_a_different_hash_at_the_kept_seq_fails(cli: CliRunner) -> None:
    result = cli.invoke(main, ["audit", "verify", "--head", "4:" + "a" * 64])
    assert result.exit_code == 1
    assert "broken at event 4: differs from the head you kept" in result.output


def test_a_malformed_head_exits_2(cli: CliRunner) -> None:
    result = cli.invoke(main, ["audit", "verify", "--head", "five"])
    assert result.exit_code == 2
    assert "sequence number, a colon" in result.output


def test_a_database_without_an_audit_log_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPVOTE_DATABASE_URL", f"sqlite:///{tmp_path}/empty.db")
    result = CliRunner().invoke(main, ["audit", "verify"])
    assert result.exit_code == 2
    assert "Could not read the audit log" in result.output


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("at", "2026-02-30 10:00:00.000000", "day is out of range"),
        ("at", "yesterday", "Invalid isoformat"),
        ("data", "{not json", "Expecting property name"),
        ("prev_hash", b"\x00\x01", "prev_hash is not text"),
    ],
)
def test_a_malformed_event_is_named_not_a_crash(
    cli: CliRunner, database: Database, column: str, value: object, problem: str
) -> None:
    if not database.is_sqlite:
        pytest.skip("PostgreSQL's column types refuse these values")
    with as_owner(database) as connection:
        connection.execute(
            text(f"UPDATE audit_event SET {column} = :value WHERE seq = 2"),  # noqa: S608 - a test's own column names
            {"value": value},
        )
    result = cli.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert "broken at event 2: it cannot be read:" in result.output
    assert problem in result.output


@pytest.mark.parametrize(
    ("column", "value"), [("at", "2026-02-30 10:00:00.000000"), ("data", "{not json")]
)
def test_a_malformed_event_is_a_clear_409_when_browsing_not_a_500(
    client: TestClient[Any], database: Database, column: str, value: str
) -> None:
    """Browsing, exporting and the API read whole events: one written behind the app's back
    used to be a 500 on each, while verification named it."""
    if not database.is_sqlite:
        pytest.skip("PostgreSQL's column types refuse these values")
    with database.transaction() as session:
        make_member(session, email="aud@example.org", roles=(Role.AUDITOR,))
    with as_owner(database) as connection:
        connection.execute(
            text(f"UPDATE audit_event SET {column} = :value WHERE seq = 1"),  # noqa: S608 - a test's own column names
            {"value": value},
        )
    sign_in(client, "aud@example.org")
    for answer in (
        client.get("/audit/log"),
        client.get("/api/v1/audit/"),
        client.post("/audit/log.csv", data=form(client)),
    ):
        assert answer.status_code == 409, answer.text
        assert "cannot be read" in answer.text
    assert client.get("/audit").status_code == 200
