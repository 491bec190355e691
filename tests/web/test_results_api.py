"""The results API: nobody reads a result before it is published; after, signed-in members
do (everyone, where the co-operative chooses); governors publish; receipts are checked."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from litestar.testing import TestClient

from coopvote.ballots import service as ballots
from coopvote.ballots.models import Method
from coopvote.clock import utcnow
from coopvote.cooperative import service as cooperative
from coopvote.cooperative.views import current as current_settings
from coopvote.db import Database
from coopvote.members.models import Role
from coopvote.results.summary import CSV_HEADER
from tests.factories import make_ballot, make_member
from tests.results.helpers import closed_ballot, published_ballot, random_papers
from tests.web.helpers import sign_in

Client = TestClient[Any]
READS = ["results", "results.csv", "cast-votes", "cast-votes.blt", "recount"]
ROLES: dict[str, tuple[Role, ...]] = {
    "member": (),
    "governor": (Role.GOVERNOR,),
    "auditor": (Role.AUDITOR,),
    "admin": (Role.ADMIN,),
}


def make_public(database: Database, public: bool) -> None:
    with database.transaction() as session:
        current = current_settings(session)
        cooperative.change(
            session,
            cooperative.SettingsChange(
                results_public=public,
                support_threshold_count=current.support_threshold_count,
                support_threshold_percent=current.support_threshold_percent,
                support_threshold_minimum=current.support_threshold_minimum,
            ),
            actor_id=None,
            now=utcnow(),
        )


@pytest.mark.parametrize("role", list(ROLES))
def test_no_role_reads_a_result_before_publication(
    client: Client, database: Database, role: str
) -> None:
    with database.transaction() as session:
        make_member(session, email="reader@example.org", roles=ROLES[role])
        running = make_ballot(session, method=Method.IRV)
        closed = closed_ballot(session, Method.IRV, random_papers(Method.IRV, 3, seed=2))
        ids = [running.public_id, closed.public_id]
    sign_in(client, "reader@example.org")
    for ballot_id in ids:
        for read in READS:
            response = client.get(f"/api/v1/ballots/{ballot_id}/{read}")
            assert response.status_code == 404, (role, read, response.text)
        assert client.get(f"/results/{ballot_id}").status_code == 404
    preview = client.get(f"/api/v1/ballots/{closed.public_id}/results/preview")
    assert preview.status_code == (200 if role == "governor" else 403)
    running_preview = client.get(f"/api/v1/ballots/{running.public_id}/results/preview")
    assert running_preview.status_code == (409 if role == "governor" else 403)


def test_a_governor_publishes_once_after_close(client: Client, database: Database) -> None:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        running = make_ballot(session)
        closed = closed_ballot(session, Method.RESOLUTION, [{"choice": "for"}])
    sign_in(client, "gov@example.org")
    assert client.post(f"/api/v1/ballots/{running.public_id}/publish").status_code == 409
    published = client.post(f"/api/v1/ballots/{closed.public_id}/publish")
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert client.post(f"/api/v1/ballots/{closed.public_id}/publish").status_code == 409
    assert client.get(f"/api/v1/ballots/{closed.public_id}/results/preview").status_code == 409
    result = client.get(f"/api/v1/ballots/{closed.public_id}/results").json()
    assert result["outcome"] == "carried"


def test_members_may_not_publish(client: Client, database: Database) -> None:
    with database.transaction() as session:
        make_member(session, email="member@example.org", roles=(Role.AUDITOR,))
        closed = closed_ballot(session, Method.RESOLUTION, [{"choice": "for"}])
    sign_in(client, "member@example.org")
    assert client.post(f"/api/v1/ballots/{closed.public_id}/publish").status_code == 403


def test_the_result_has_the_documented_shape(client: Client, database: Database) -> None:
    ballot_id = published_ballot(database, Method.STV, random_papers(Method.STV, 10, seed=4))
    with database.transaction() as session:
        make_member(session, email="reader@example.org")
    sign_in(client, "reader@example.org")
    result = client.get(f"/api/v1/ballots/{ballot_id}/results").json()
    documented = {
        "method",
        "seats",
        "electorate",
        "votes_cast",
        "turnout",
        "quorum_met",
        "outcome",
        "elected",
        "rounds",
        "tallies",
        "results_sha256",
    }
    assert documented <= set(result)
    assert (result["method"], result["seats"], result["votes_cast"]) == ("stv", 2, 10)
    assert len(result["elected"]) == 2


def test_results_are_for_signed_in_members_unless_the_cooperative_makes_them_public(
    client: Client, database: Database
) -> None:
    ballot_id = published_ballot(database, Method.RESOLUTION, [{"choice": "against"}])
    assert client.get(f"/api/v1/ballots/{ballot_id}/results").status_code == 401
    assert client.post("/api/v1/receipts/check", json={"receipt": "a" * 64}).status_code == 401
    page = client.get(f"/results/{ballot_id}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/sign-in")
    make_public(database, True)
    assert client.get(f"/api/v1/ballots/{ballot_id}/results").json()["outcome"] == "not_carried"
    assert client.get(f"/api/v1/ballots/{ballot_id}/cast-votes").status_code == 200
    assert client.get(f"/results/{ballot_id}").status_code == 200
    assert client.get("/results").status_code == 200
    # Public reading is reading: publishing still needs a governor.
    assert client.post(f"/api/v1/ballots/{ballot_id}/publish").status_code == 401
    make_public(database, False)
    assert client.get(f"/api/v1/ballots/{ballot_id}/results").status_code == 401


def test_a_receipt_confirms_its_paper_and_nothing_else(client: Client, database: Database) -> None:
    with database.transaction() as session:
        voter = make_member(session, email="voter@example.org")
        ballot = make_ballot(session)
        assert voter.id is not None
        receipt = ballots.cast_vote(
            session, ballot, member_id=voter.id, paper={"choice": "for"}, now=utcnow()
        )
    sign_in(client, "voter@example.org")
    found = client.post("/api/v1/receipts/check", json={"receipt": receipt.upper()})
    assert found.status_code == 200
    assert found.json() == {"ballot_id": ballot.public_id, "recorded": True}
    missing = client.post("/api/v1/receipts/check", json={"receipt": "a" * 64})
    assert missing.status_code == 404
    assert receipt not in missing.text
    # Receipts never travel in a URL: the old route is gone.
    assert client.get(f"/api/v1/receipts/{receipt}").status_code in (404, 405)


def test_downloads(client: Client, database: Database) -> None:
    ranked = published_ballot(database, Method.IRV, random_papers(Method.IRV, 8, seed=7))
    marked = published_ballot(database, Method.APPROVAL, random_papers(Method.APPROVAL, 8, seed=7))
    with database.transaction() as session:
        make_member(session, email="reader@example.org")
    sign_in(client, "reader@example.org")

    votes = client.get(f"/api/v1/ballots/{ranked}/cast-votes").json()
    assert len(votes) == 8
    assert all(set(vote) == {"paper"} for vote in votes)
    assert all(set(vote["paper"]) == {"ranking"} for vote in votes)

    table = client.get(f"/api/v1/ballots/{ranked}/results.csv")
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0] == CSV_HEADER
    assert {row[0] for row in rows[1:]} == {"tally", "round"}

    blt = client.get(f"/api/v1/ballots/{ranked}/cast-votes.blt")
    assert blt.status_code == 200
    assert blt.text.splitlines()[0] == "5 1"
    assert client.get(f"/api/v1/ballots/{marked}/cast-votes.blt").status_code == 404
    recount = client.get(f"/api/v1/ballots/{marked}/recount").json()
    assert recount["cast_votes"] == client.get(f"/api/v1/ballots/{marked}/cast-votes").json()
