"""Ballot trustees: a ballot that opens while three trustees hold keys has its own key, split
2 of 3; its box stays sealed at close until two trustees open it together."""

from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from coopvote.ballots import service as ballots
from coopvote.ballots import trustees
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Ballot, KeyShare, Paper
from coopvote.cli import main
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.errors import Conflict, InvalidInput, NotFound
from coopvote.members.models import Role
from coopvote.results import service as results
from coopvote.results.reconcile import reconcile_ballots
from tests.ballots.tampering import unguarded
from tests.factories import make_ballot, make_member
from tests.web.helpers import form, sign_in


def trustee_keys(session: Session, count: int = 3) -> list[str]:
    keys = []
    for _ in range(count):
        member = make_member(session)
        assert member.id is not None
        trustees.name_trustee(session, member, actor_id=None, now=utcnow())
        keys.append(trustees.generate_key(session, member.id, now=utcnow()).private_key)
    return keys


def closed_with_votes(session: Session, choices: list[str]) -> Ballot:
    voters = [make_member(session) for _ in choices]
    ballot = make_ballot(session)
    for voter, choice in zip(voters, choices, strict=True):
        assert voter.id is not None
        ballots.cast_vote(
            session, ballot, member_id=voter.id, paper={"choice": choice}, now=utcnow()
        )
    ballots.close_ballot(session, ballot, actor_id=None, now=utcnow())
    return ballot


def test_with_three_keyed_trustees_a_ballot_gets_its_own_key_split_two_of_three(
    session: Session,
) -> None:
    trustee_keys(session)
    ballot = make_ballot(session)
    assert ballot.box_public_key is not None
    assert ballot.trustees_needed == 2
    assert len(session.exec(select(KeyShare)).all()) == 3


def test_the_box_stays_sealed_at_close_until_two_trustees_open_it(session: Session) -> None:
    first, second, third = trustee_keys(session)
    ballot = closed_with_votes(session, ["for", "for", "against"])
    assert ballot.box_opened_at is None
    assert session.exec(select(Paper)).all() == []
    with pytest.raises(Conflict, match="box has not been opened"):
        results.publish_result(session, ballot, actor_id=None, now=utcnow())
    with pytest.raises(InvalidInput, match="2 trustees' keys are needed"):
        trustees.open_with_trustees(
            session, ballot, [first, first, "not a key"], actor_id=None, now=utcnow()
        )
    assert (
        trustees.open_with_trustees(session, ballot, [third, first], actor_id=None, now=utcnow())
        == 3
    )
    published = results.publish_result(session, ballot, actor_id=None, now=utcnow()).result
    assert published["outcome"] == "carried"
    assert [r.problems for r in reconcile_ballots(session)] == [[]]
    with pytest.raises(Conflict):
        trustees.open_with_trustees(session, ballot, [first, second], actor_id=None, now=utcnow())


def test_with_fewer_than_three_keyed_trustees_ballots_run_in_server_key_mode(
    session: Session,
) -> None:
    trustee_keys(session, 2)
    ballot = closed_with_votes(session, ["for"])
    assert ballot.box_public_key is None
    assert ballot.box_opened_at is not None
    assert ballot_views.board(session, ballot).count == 1


def test_only_trustees_make_a_key_and_only_once(session: Session) -> None:
    member = make_member(session)
    assert member.id is not None
    with pytest.raises(NotFound):
        trustees.generate_key(session, member.id, now=utcnow())
    trustees.name_trustee(session, member, actor_id=None, now=utcnow())
    with pytest.raises(Conflict):
        trustees.name_trustee(session, member, actor_id=None, now=utcnow())
    made = trustees.generate_key(session, member.id, now=utcnow())
    assert len(made.private_key) == len(made.public_key) == 64
    with pytest.raises(Conflict):
        trustees.generate_key(session, member.id, now=utcnow())


@pytest.fixture
def sealed_ballot(database: Database) -> tuple[str, list[str]]:
    """A closed trustee-mode ballot with three papers, and its trustees' keys."""
    with database.transaction() as session:
        keys = trustee_keys(session)
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        return closed_with_votes(session, ["for", "against", "for"]).public_id, keys


def test_trustees_open_the_box_through_the_api(
    client: TestClient[Any], sealed_ballot: tuple[str, list[str]]
) -> None:
    ballot_id, (first, second, _) = sealed_ballot
    sign_in(client, "gov@example.org")
    refused = client.post(f"/api/v1/ballots/{ballot_id}/publish")
    assert refused.status_code == 409
    assert "box has not been opened" in refused.text
    # Nothing to preview either: a sealed box has no papers to count.
    assert client.get(f"/api/v1/ballots/{ballot_id}/results/preview").status_code == 409
    assert (
        "still sealed: trustees open it here" in client.get(f"/governance/ballots/{ballot_id}").text
    )
    path = f"/api/v1/ballots/{ballot_id}/open-box"
    assert client.post(path, json={"trustee_keys": [first]}).status_code == 422
    assert client.post(path, json={"trustee_keys": [first, second]}).status_code == 200
    assert client.post(f"/api/v1/ballots/{ballot_id}/publish").status_code == 200


def test_trustees_open_the_box_from_a_page_and_keys_are_never_shown_back(
    client: TestClient[Any], sealed_ballot: tuple[str, list[str]]
) -> None:
    ballot_id, (first, _, third) = sealed_ballot
    sign_in(client, "gov@example.org")
    assert client.get(f"/ballots/{ballot_id}/open-box").text.count('type="password"') == 2
    path = f"/ballots/{ballot_id}/open-box"
    short = client.post(path, data=form(client, key_1=first, key_2="0" * 64))
    assert short.status_code == 422
    assert first not in short.text
    opened = client.post(path, data=form(client, key_1=third, key_2=first))
    assert opened.status_code == 200
    assert "The box is open" in opened.text


def test_trustees_open_the_box_from_the_command_line(
    database: Database, sealed_ballot: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ballot_id, (_, second, third) = sealed_ballot
    monkeypatch.setenv(
        "COOPVOTE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    runner = CliRunner()
    result = runner.invoke(main, ["ballots", "open-box", ballot_id], input=f"{second}\n")
    assert result.exit_code == 1
    assert "2 trustees' keys are needed" in result.output
    result = runner.invoke(main, ["ballots", "open-box", ballot_id], input=f"{second}\n{third}\n")
    assert result.exit_code == 0, result.output
    assert "3 papers" in result.output


def test_an_admin_names_trustees_and_a_trustee_makes_a_key_once(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="admin@example.org", roles=(Role.ADMIN,))
        trustee = make_member(session, email="trustee@example.org").public_id
    sign_in(client, "trustee@example.org")
    assert client.post("/api/v1/ballots/trustees", json={"member": trustee}).status_code == 403
    sign_in(client, "admin@example.org")
    assert client.post("/api/v1/ballots/trustees", json={"member": trustee}).status_code == 201
    sign_in(client, "trustee@example.org")
    made = client.post("/ballots/trustee/key", data=form(client))
    assert made.status_code == 201
    assert "shown only this once" in made.text
    assert client.post("/api/v1/ballots/trustees/key").status_code == 409


def test_an_opened_paper_edited_before_publication_is_seen_in_trustee_mode(
    database: Database,
) -> None:
    """The key is forgotten once trustees open the box, so the papers cannot be decrypted
    again to check them: the digest recorded at opening stands in for it."""
    with database.transaction() as session:
        first, _second, third = trustee_keys(session)
        ballot = closed_with_votes(session, ["for", "for", "against"])
        trustees.open_with_trustees(session, ballot, [first, third], actor_id=None, now=utcnow())
    with unguarded(database) as connection:
        connection.execute(
            text("UPDATE paper SET choice = :c WHERE id = (SELECT MIN(id) FROM paper)"),
            {"c": '{"choice": "abstain"}'},
        )
    with database.reading() as session:
        [found] = reconcile_ballots(session)
    assert found.problems == ["The opened papers are not those recorded when the box was opened."]
