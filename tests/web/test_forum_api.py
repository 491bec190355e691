from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Role
from tests.factories import make_member
from tests.forum.writes import read_without_writing
from tests.web.helpers import sign_in

Client = TestClient[Any]


@pytest.fixture
def people(database: Database) -> None:
    with database.transaction() as session:
        make_member(session, email="author@example.org")
        make_member(session, email="ann@example.org")
        make_member(session, email="bob@example.org")
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))


def as_(client: Client, who: str) -> Client:
    client.delete("/api/v1/session")
    sign_in(client, f"{who}@example.org")
    return client


def propose(client: Client, **fields: object) -> dict[str, Any]:
    body: dict[str, object] = {"title": "Solar panels", "body": "On *every* roof."}
    body.update(fields)
    response = as_(client, "author").post("/api/v1/proposals", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def schedule() -> dict[str, str]:
    return {"closes_at": (utcnow() + timedelta(days=14)).isoformat(), "threshold": "simple"}


@pytest.mark.usefixtures("people")
def test_a_proposal_gathers_support_once_per_member_and_goes_to_a_ballot(client: Client) -> None:
    created = propose(client)
    assert created["status"] == "open"
    assert (created["supporters"], created["support_needed"]) == (0, 2)
    assert created["author"]["name"]
    pid = created["id"]
    assert (
        as_(client, "gov").post(f"/api/v1/proposals/{pid}/ballot", json=schedule()).status_code
        == 409
    )
    assert as_(client, "ann").post(f"/api/v1/proposals/{pid}/support").status_code == 201
    assert client.post(f"/api/v1/proposals/{pid}/support").status_code == 409
    assert client.get(f"/api/v1/proposals/{pid}").json()["supported"] is True
    supported = as_(client, "bob").post(f"/api/v1/proposals/{pid}/support").json()
    assert (supported["supporters"], supported["status"]) == (2, "ready_for_ballot")
    assert client.post(f"/api/v1/proposals/{pid}/ballot", json=schedule()).status_code == 403
    ballot = as_(client, "gov").post(f"/api/v1/proposals/{pid}/ballot", json=schedule())
    assert ballot.status_code == 201, ballot.text
    assert (ballot.json()["title"], ballot.json()["method"], ballot.json()["status"]) == (
        "Solar panels",
        "resolution",
        "draft",
    )
    assert "On *every* roof." in ballot.json()["description"]
    shown = client.get(f"/api/v1/proposals/{pid}").json()
    assert (shown["status"], shown["ballot"]) == ("balloted", ballot.json()["id"])
    listed = client.get("/api/v1/proposals", params={"status": "balloted"}).json()
    assert [p["id"] for p in listed] == [pid]


@pytest.mark.usefixtures("people")
def test_support_can_be_taken_back(client: Client) -> None:
    pid = propose(client)["id"]
    as_(client, "ann")
    assert client.delete(f"/api/v1/proposals/{pid}/support").status_code == 409
    client.post(f"/api/v1/proposals/{pid}/support")
    taken_back = client.delete(f"/api/v1/proposals/{pid}/support")
    assert taken_back.status_code == 200
    assert taken_back.json()["supporters"] == 0


@pytest.mark.usefixtures("people")
def test_comments_withdrawal_and_moderation(client: Client) -> None:
    pid = propose(client)["id"]
    comment = as_(client, "ann").post(f"/api/v1/proposals/{pid}/comments", json={"body": "Yes!"})
    assert comment.status_code == 201
    cid = comment.json()["id"]
    edited = client.put(f"/api/v1/proposals/{pid}/comments/{cid}", json={"body": "Yes."})
    assert edited.json()["body"] == "Yes."
    assert client.post(f"/api/v1/proposals/{pid}/withdraw").status_code == 403
    as_(client, "gov")
    assert client.post(f"/api/v1/proposals/{pid}/hide", json={"reason": ""}).status_code == 422
    hidden = client.post(f"/api/v1/proposals/{pid}/comments/{cid}/hide", json={"reason": "Tone"})
    assert hidden.json()["hidden"] is True
    hidden = client.post(f"/api/v1/proposals/{pid}/hide", json={"reason": "Off topic"})
    assert (hidden.json()["status"], hidden.json()["hidden_reason"]) == ("hidden", "Off topic")
    assert as_(client, "bob").get(f"/api/v1/proposals/{pid}").status_code == 404
    assert client.get("/api/v1/proposals").json() == []
    seen = as_(client, "author").get(f"/api/v1/proposals/{pid}").json()
    assert seen["hidden_reason"] == "Off topic"
    assert client.post(f"/api/v1/proposals/{pid}/withdraw").status_code == 409


@pytest.mark.usefixtures("people")
def test_the_author_edits_before_support_and_withdraws(client: Client) -> None:
    pid = propose(client, organisation="the-grange")["id"]
    edited = client.put(
        f"/api/v1/proposals/{pid}", json={"title": "Solar", "body": "Panels.", "organisation": None}
    )
    assert (edited.json()["title"], edited.json()["organisation"]) == ("Solar", None)
    withdrawn = client.post(f"/api/v1/proposals/{pid}/withdraw")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")


@pytest.mark.usefixtures("people")
def test_bad_proposals_get_422_naming_the_field(client: Client) -> None:
    as_(client, "author")
    response = client.post("/api/v1/proposals", json={"title": " ", "body": "x"})
    assert response.status_code == 422
    assert "title" in response.json()["extra"]
    unknown = client.post(
        "/api/v1/proposals", json={"title": "t", "body": "b", "organisation": "x"}
    )
    assert unknown.status_code == 422


@pytest.mark.usefixtures("people")
def test_reading_proposals_never_writes(client: Client, database: Database) -> None:
    pid = propose(client)["id"]
    as_(client, "ann").post(f"/api/v1/proposals/{pid}/comments", json={"body": "Yes"})
    hidden = propose(client, title="Hidden")["id"]
    as_(client, "gov").post(f"/api/v1/proposals/{hidden}/hide", json={"reason": "Privacy"})
    reads = {
        "ann": [
            ("/api/v1/proposals", 200),
            ("/api/v1/proposals?status=open&scope=whole-trust&q=solar", 200),
            (f"/api/v1/proposals/{pid}", 200),
            (f"/api/v1/proposals/{pid}/comments", 200),
            (f"/api/v1/proposals/{hidden}", 404),
            (f"/api/v1/proposals/{hidden}/comments", 404),
            ("/api/v1/proposals", 200),
        ],
        "gov": [("/api/v1/proposals?status=hidden", 200), (f"/api/v1/proposals/{hidden}", 200)],
    }
    for who, paths in reads.items():
        answered, writes = read_without_writing(as_(client, who), database, paths)
        assert answered == paths, who
        assert writes == [], who


@pytest.mark.usefixtures("people")
def test_the_hiding_reason_goes_to_the_author_and_governors(client: Client) -> None:
    pid = propose(client)["id"]
    as_(client, "gov").post(f"/api/v1/proposals/{pid}/hide", json={"reason": "Off topic"})
    listed = client.get("/api/v1/proposals", params={"status": "hidden"}).json()
    assert [(p["id"], p["hidden_reason"]) for p in listed] == [(pid, "Off topic")]
    mine = as_(client, "author").get("/api/v1/proposals").json()
    assert [(p["id"], p["hidden_reason"]) for p in mine] == [(pid, "Off topic")]
    assert as_(client, "ann").get("/api/v1/proposals").json() == []


@pytest.mark.usefixtures("people")
def test_times_without_an_offset_are_refused_naming_each_field(client: Client) -> None:
    pid = propose(client)["id"]
    refused = as_(client, "gov").post(
        f"/api/v1/proposals/{pid}/ballot",
        json={"opens_at": "2099-01-01T09:00:00", "closes_at": "2099-01-08T09:00:00"},
    )
    assert refused.status_code == 422
    assert set(refused.json()["extra"]) == {"opens_at", "closes_at"}


@pytest.mark.usefixtures("people")
def test_members_cannot_moderate_or_promote_through_the_api(client: Client) -> None:
    pid = propose(client)["id"]
    as_(client, "ann")
    assert client.post(f"/api/v1/proposals/{pid}/hide", json={"reason": "x"}).status_code == 403
    assert client.get(f"/api/v1/proposals/{pid}").json()["status"] == "open"
