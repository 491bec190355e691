"""Ballot trustees: a ballot that opens while three trustees hold keys has its own key, split
2 of 3; its box stays sealed at close until two trustees open it together."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from nacl.public import PrivateKey, SealedBox
from sqlalchemy import text
from sqlmodel import Session, select

from coopvote.audit.models import AuditEvent
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


def answer(private_key: PrivateKey, challenge: str) -> str:
    """What `coopvote trustee answer` prints for this challenge."""
    return SealedBox(private_key).decrypt(bytes.fromhex(challenge)).hex()


def register(session: Session, member_id: int) -> str:
    """A key made as on the trustee's machine, registered by answering its challenge; the
    private key, hex."""
    key = PrivateKey.generate()
    public = bytes(key.public_key).hex()
    sealed = trustees.challenge(session, member_id, public).sealed
    trustees.register_public_key(session, member_id, public, answer(key, sealed), now=utcnow())
    return bytes(key).hex()


def trustee_keys(session: Session, count: int = 3) -> list[str]:
    keys = []
    for _ in range(count):
        member = make_member(session)
        assert member.id is not None
        trustees.name_trustee(session, member, actor_id=None, now=utcnow())
        keys.append(register(session, member.id))
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


def test_only_trustees_register_a_key_once_and_only_by_answering_its_challenge(
    session: Session,
) -> None:
    member = make_member(session)
    assert member.id is not None
    key = PrivateKey.generate()
    public = bytes(key.public_key).hex()
    with pytest.raises(NotFound):
        trustees.challenge(session, member.id, public)
    trustees.name_trustee(session, member, actor_id=None, now=utcnow())
    with pytest.raises(Conflict):
        trustees.name_trustee(session, member, actor_id=None, now=utcnow())
    with pytest.raises(InvalidInput, match="64 hexadecimal digits"):
        trustees.challenge(session, member.id, "not a key")
    sealed = trustees.challenge(session, member.id, public).sealed
    # Someone else's key: its holder could answer, not this member (the challenge differs).
    other = PrivateKey.generate()
    other_public = bytes(other.public_key).hex()
    with pytest.raises(InvalidInput, match="not the challenge's answer"):
        trustees.register_public_key(
            session, member.id, other_public, answer(key, sealed), now=utcnow()
        )
    with pytest.raises(InvalidInput, match="not the challenge's answer"):
        trustees.register_public_key(session, member.id, public, "00" * 32, now=utcnow())
    trustees.register_public_key(session, member.id, public, answer(key, sealed), now=utcnow())
    assert trustees.keyed(session)[0].public_key == public
    with pytest.raises(Conflict):
        trustees.challenge(session, member.id, public)


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


def test_an_admin_names_trustees_on_a_page(client: TestClient[Any], database: Database) -> None:
    with database.transaction() as session:
        make_member(session, email="admin@example.org", roles=(Role.ADMIN,))
        make_member(session, email="trustee@example.org", name="Tess Trustee")
    sign_in(client, "trustee@example.org")
    assert client.get("/admin/trustees").status_code == 403
    assert client.post("/api/v1/ballots/trustees", json={"member": "x"}).status_code == 403
    sign_in(client, "admin@example.org")
    unknown = client.post("/admin/trustees", data=form(client, email="nobody@example.org"))
    assert unknown.status_code == 422
    assert "Nobody has this email address here." in unknown.text
    named = client.post("/admin/trustees", data=form(client, email="trustee@example.org"))
    assert named.status_code == 200
    assert "Tess Trustee is a ballot trustee" in named.text
    assert "not yet registered" in named.text
    again = client.post("/admin/trustees", data=form(client, email="trustee@example.org"))
    assert again.status_code == 409


def test_a_trustee_makes_a_key_offline_and_registers_it_on_a_page(
    client: TestClient[Any], database: Database, tmp_path: Path
) -> None:
    """The server never sees the private key: the trustee proves they hold it by decrypting a
    challenge sealed to its public half, with the offline command line."""
    with database.transaction() as session:
        trustee = make_member(session, email="trustee@example.org")
        trustees.name_trustee(session, trustee, actor_id=None, now=utcnow())
    key_file = tmp_path / "trustee-key.txt"
    runner = CliRunner()
    made = runner.invoke(main, ["trustee", "keygen", str(key_file)])
    assert made.exit_code == 0, made.output
    public = made.output.split()[-1]
    private = key_file.read_text().strip()
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert runner.invoke(main, ["trustee", "keygen", str(key_file)]).exit_code == 1
    sign_in(client, "trustee@example.org")
    assert "coopvote trustee keygen" in client.get("/ballots/trustee/key").text
    step = client.post("/ballots/trustee/key", data=form(client, public_key=public))
    assert step.status_code == 200
    challenge = re.search(r'<textarea id="challenge"[^>]*>([0-9a-f]+)<', step.text)
    assert challenge is not None
    wrong = client.post(
        "/ballots/trustee/key", data=form(client, public_key=public, answer="ab" * 32)
    )
    assert wrong.status_code == 422
    answered = runner.invoke(main, ["trustee", "answer", str(key_file)], input=challenge[1])
    assert answered.exit_code == 0, answered.output
    done = client.post(
        "/ballots/trustee/key",
        data=form(client, public_key=public, answer=answered.output.strip()),
    )
    assert done.status_code == 201
    assert "Your key is registered" in done.text
    assert private not in done.text
    with database.reading() as session:
        assert [t.public_key for t in trustees.keyed(session)] == [public]
    with database.transaction() as session:
        assert session.exec(
            select(AuditEvent).where(AuditEvent.action == "trustee.key_registered")
        ).one().data == {"public_key": public}


def test_a_trustee_registers_a_key_through_the_api(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        trustee = make_member(session, email="trustee@example.org")
        trustees.name_trustee(session, trustee, actor_id=None, now=utcnow())
    key = PrivateKey.generate()
    public = bytes(key.public_key).hex()
    sign_in(client, "trustee@example.org")
    asked = client.post("/api/v1/ballots/trustees/challenge", json={"public_key": public})
    assert asked.status_code == 200
    body = {"public_key": public, "answer": answer(key, asked.json()["challenge"])}
    assert client.post("/api/v1/ballots/trustees/key", json=body).status_code == 201
    assert client.post("/api/v1/ballots/trustees/key", json=body).status_code == 409


def test_the_trustee_commands_touch_neither_the_database_nor_the_web(tmp_path: Path) -> None:
    """They run on the trustee's own, perhaps offline, machine: no settings, no database."""
    script = (
        "import json, sys\n"
        "from coopvote.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})), file=sys.stderr)\n"
    )
    key_file = tmp_path / "key"
    command = [sys.executable, "-c", script, "trustee", "keygen", str(key_file)]
    env = {"PATH": os.environ.get("PATH", ""), "COOPVOTE_DATABASE_URL": "postgresql://nowhere/x"}
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    imported = set(json.loads(done.stderr.splitlines()[-1]))
    assert not imported & {"litestar", "sqlalchemy", "sqlmodel", "alembic", "uvicorn", "jinja2"}
    assert key_file.exists()


def test_pages_that_take_private_keys_are_never_cached(
    client: TestClient[Any], sealed_ballot: tuple[str, list[str]]
) -> None:
    ballot_id, (first, second, _) = sealed_ballot
    sign_in(client, "gov@example.org")
    path = f"/ballots/{ballot_id}/open-box"
    refused = client.post(path, data=form(client, key_1=first, key_2="0" * 64))
    assert refused.headers["cache-control"] == "no-store"
    opened = client.post(path, data=form(client, key_1=first, key_2=second))
    assert opened.headers["cache-control"] == "no-store"


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
