from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlmodel import func, select

from coopvote.audit.models import AuditEvent
from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot, BallotStatus, Method
from coopvote.ballots.rules import Definition
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Role
from tests.factories import make_member
from tests.web.helpers import sign_in

Client = TestClient[Any]


def election(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "title": "Parent governors",
        "method": "stv",
        "options": ["Ann", "Bob", "Cat", "Dan"],
        "seats": 2,
        "closes_at": (utcnow() + timedelta(days=7)).isoformat(),
        "quorum": 0.2,
        "eligible": {"constituencies": ["parents-carers"], "organisations": []},
    }
    body.update(overrides)
    return body


@pytest.fixture
def governor(client: Client, database: Database) -> Client:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,), constituency="staff")
        make_member(session, email="voter@example.org", constituency="parents-carers")
    sign_in(client, "gov@example.org")
    return client


def test_a_governor_creates_edits_and_opens_a_ballot(governor: Client) -> None:
    created = governor.post("/api/v1/ballots", json=election())
    assert created.status_code == 201, created.text
    ballot = created.json()
    assert ballot["status"] == "draft"
    assert [o["label"] for o in ballot["options"]] == ["Ann", "Bob", "Cat", "Dan"]
    assert ballot["quorum"] == 0.2
    edited = governor.put(f"/api/v1/ballots/{ballot['id']}", json=election(title="Parent seats"))
    assert edited.json()["title"] == "Parent seats"
    opened = governor.post(f"/api/v1/ballots/{ballot['id']}/open")
    assert opened.status_code == 200
    assert opened.json()["status"] == "open"
    assert opened.json()["roll_size"] == 1
    assert governor.post(f"/api/v1/ballots/{ballot['id']}/open").status_code == 409
    assert governor.put(f"/api/v1/ballots/{ballot['id']}", json=election()).status_code == 409


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"seats": 4}, "seats"),
        ({"options": ["Solo"]}, "options"),
        ({"closes_at": "2020-01-01T00:00:00+00:00"}, "closes_at"),
    ],
)
def test_bad_ballots_get_422_naming_the_field(
    governor: Client, overrides: dict[str, object], field: str
) -> None:
    response = governor.post("/api/v1/ballots", json=election(**overrides))
    assert response.status_code == 422
    assert field in response.json()["extra"]


def test_a_ballot_of_the_wrong_shape_is_a_400(governor: Client) -> None:
    assert (
        governor.post("/api/v1/ballots", json={"title": "x", "method": "dice"}).status_code == 400
    )
    naive = election(closes_at=(utcnow() + timedelta(days=2)).replace(tzinfo=None).isoformat())
    assert governor.post("/api/v1/ballots", json=naive).status_code in {400, 422}


def test_voting_through_the_api(governor: Client, client: Client) -> None:
    ballot = governor.post("/api/v1/ballots", json=election()).json()
    governor.post(f"/api/v1/ballots/{ballot['id']}/open")
    sign_in(client, "voter@example.org")
    seen = client.get(f"/api/v1/ballots/{ballot['id']}").json()
    assert (seen["on_roll"], seen["has_voted"], seen["votes_cast"]) == (True, False, None)
    first, second = (o["id"] for o in seen["options"][:2])
    assert (
        client.post(
            f"/api/v1/ballots/{ballot['id']}/votes", json={"ranking": [first, first]}
        ).status_code
        == 422
    )
    cast = client.post(f"/api/v1/ballots/{ballot['id']}/votes", json={"ranking": [second, first]})
    assert cast.status_code == 201
    tracker = cast.json()["receipt"]
    assert len(tracker) == 64
    again = client.post(f"/api/v1/ballots/{ballot['id']}/votes", json={"ranking": [first]})
    assert again.status_code == 409
    assert client.get(f"/api/v1/ballots/{ballot['id']}").json()["has_voted"] is True
    # The receipt is the tracker of a sealed paper on the public board, and nothing more.
    board = client.get(f"/api/v1/ballots/{ballot['id']}/board").json()
    assert board == {"trackers": [tracker], "count": 1, "head": board["head"]}
    assert len(board["head"]) == 64
    assert governor.get(f"/api/v1/ballots/{ballot['id']}/board").json() == board


def test_the_board_is_for_whoever_may_see_the_ballot(governor: Client, client: Client) -> None:
    draft = governor.post("/api/v1/ballots", json=election()).json()
    assert governor.get(f"/api/v1/ballots/{draft['id']}/board").json()["count"] == 0
    sign_in(client, "voter@example.org")
    assert client.get(f"/api/v1/ballots/{draft['id']}/board").status_code == 404
    sign_in(client, "gov@example.org")  # the same client as ``governor``
    assert governor.post(f"/api/v1/ballots/{draft['id']}/open").status_code == 200
    sign_in(client, "voter@example.org")
    assert client.get(f"/api/v1/ballots/{draft['id']}/board").status_code == 200
    page = client.get(f"/ballots/{draft['id']}/board")
    assert page.status_code == 200
    assert "Bulletin board" in page.text


def test_governors_see_turnout_while_open_members_do_not(
    governor: Client, database: Database
) -> None:
    ballot = governor.post("/api/v1/ballots", json=election()).json()
    governor.post(f"/api/v1/ballots/{ballot['id']}/open")
    assert governor.get(f"/api/v1/ballots/{ballot['id']}").json()["votes_cast"] == 0


def test_members_cannot_see_drafts_or_run_ballots(governor: Client, client: Client) -> None:
    ballot = governor.post("/api/v1/ballots", json=election()).json()
    sign_in(client, "voter@example.org")
    assert client.get(f"/api/v1/ballots/{ballot['id']}").status_code == 404
    assert ballot["id"] not in [b["id"] for b in client.get("/api/v1/ballots").json()]
    assert client.post(f"/api/v1/ballots/{ballot['id']}/open").status_code == 403
    assert client.post("/api/v1/ballots", json=election()).status_code == 403


def test_not_on_the_roll_is_403_and_a_closed_ballot_is_409(
    governor: Client, client: Client
) -> None:
    ballot = governor.post(
        "/api/v1/ballots",
        json=election(eligible={"constituencies": ["staff"], "organisations": []}),
    ).json()
    governor.post(f"/api/v1/ballots/{ballot['id']}/open")
    sign_in(client, "voter@example.org")
    assert (
        client.post(f"/api/v1/ballots/{ballot['id']}/votes", json={"ranking": []}).status_code
        == 403
    )
    sign_in(client, "gov@example.org")
    assert client.post(f"/api/v1/ballots/{ballot['id']}/close").json()["status"] == "closed"
    response = client.post(
        f"/api/v1/ballots/{ballot['id']}/votes", json={"ranking": [ballot["options"][0]["id"]]}
    )
    assert response.status_code == 409


def test_cancelling_needs_a_reason(governor: Client) -> None:
    ballot = governor.post("/api/v1/ballots", json=election()).json()
    assert governor.post(f"/api/v1/ballots/{ballot['id']}/cancel", json={}).status_code == 422
    cancelled = governor.post(
        f"/api/v1/ballots/{ballot['id']}/cancel", json={"reason": "Candidates withdrew"}
    )
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "Candidates withdrew"


def test_reading_a_ballot_past_its_opening_shows_it_open_and_writes_nothing(
    governor: Client, database: Database
) -> None:
    now = utcnow()
    with database.transaction() as session:
        ballot = ballots.create_ballot(
            session,
            Definition(
                title="Opened by the clock",
                method=Method.RESOLUTION,
                opens_at=now - timedelta(minutes=1),
                closes_at=now + timedelta(days=1),
            ),
            actor_id=None,
            now=now - timedelta(minutes=2),
        )
        events_before = session.exec(select(func.count()).select_from(AuditEvent)).one()
    seen = governor.get(f"/api/v1/ballots/{ballot.public_id}").json()
    assert (seen["status"], seen["roll_size"]) == ("open", None)
    assert governor.get("/api/v1/ballots").json()[0]["status"] == "open"
    for path in ["/governance/ballots", f"/governance/ballots/{ballot.public_id}"]:
        assert "Open" in governor.get(path).text
    assert "roll of members is being drawn up" in governor.get(f"/ballots/{ballot.public_id}").text
    with database.transaction() as session:
        assert session.get(Ballot, ballot.id).status is BallotStatus.DRAFT  # type: ignore[union-attr]
        assert session.exec(select(func.count()).select_from(AuditEvent)).one() == events_before


def test_a_vote_retried_with_its_idempotency_key_gets_its_receipt_again(
    governor: Client, client: Client
) -> None:
    """The commit happened, the 201 was lost: the retry of the same attempt is answered with
    the same receipt, and stores nothing more; another attempt is refused as before."""
    ballot = governor.post("/api/v1/ballots", json=election()).json()
    governor.post(f"/api/v1/ballots/{ballot['id']}/open")
    sign_in(client, "voter@example.org")
    first = client.get(f"/api/v1/ballots/{ballot['id']}").json()["options"][0]["id"]
    attempt = {"Idempotency-Key": "attempt-1"}
    votes = f"/api/v1/ballots/{ballot['id']}/votes"
    cast = client.post(votes, json={"ranking": [first]}, headers=attempt)
    retried = client.post(votes, json={"ranking": [first]}, headers=attempt)
    assert (cast.status_code, retried.status_code) == (201, 201)
    assert retried.json() == cast.json()
    assert client.post(votes, json={"ranking": [first]}).status_code == 409
    other = client.post(votes, json={"ranking": [first]}, headers={"Idempotency-Key": "attempt-2"})
    assert other.status_code == 409
    assert client.get(f"/api/v1/ballots/{ballot['id']}/board").json()["count"] == 1
