"""Refused governing actions are written to the audit log as ``<noun>.refused``, with the
actor, the action and the reason, although the refused request's own work is rolled back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlmodel import col, select

from coopvote.audit.models import AuditEvent
from coopvote.audit.service import verify_chain
from coopvote.audit.views import notes_of
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Role
from coopvote.web.refusals import noun_of
from tests.factories import make_ballot, make_member, make_proposal
from tests.web.helpers import form, sign_in

Client = TestClient[Any]


def refusals(database: Database) -> list[AuditEvent]:
    with database.reading() as session:
        query = select(AuditEvent).where(col(AuditEvent.action).endswith(".refused"))
        return list(session.exec(query.order_by(col(AuditEvent.seq))).all())


def ballot_body() -> dict[str, object]:
    return {
        "title": "Orchard",
        "method": "resolution",
        "threshold": "simple",
        "closes_at": (utcnow() + timedelta(days=7)).isoformat(),
    }


def test_acting_without_the_right_is_recorded(client: Client, database: Database) -> None:
    with database.transaction() as session:
        member = make_member(session, email="member@example.org")
    sign_in(client, "member@example.org")
    assert client.post("/api/v1/ballots", json=ballot_body()).status_code == 403
    [event] = refusals(database)
    assert event.action == "ballot.refused"
    assert event.actor == f"member:{member.id}"
    assert event.data["action"] == "POST /api/v1/ballots"
    assert event.data["status"] == 403
    assert "reason" in event.data["kept_apart"]  # apart from the chain: it may name someone
    with database.reading() as session:
        assert verify_chain(session).ok


def test_editing_an_open_ballot_is_recorded(client: Client, database: Database) -> None:
    with database.transaction() as session:
        governor = make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        ballot = make_ballot(session)
    sign_in(client, "gov@example.org")
    response = client.put(f"/api/v1/ballots/{ballot.public_id}", json=ballot_body())
    assert response.status_code == 409
    [event] = refusals(database)
    assert event.action == "ballot.refused"
    assert event.actor == f"member:{governor.id}"
    assert event.subject == f"ballot:{ballot.public_id}"
    assert event.data["action"] == "PUT /api/v1/ballots/{ballot_id}"
    with database.reading() as session:
        assert notes_of(session, [event.seq])[event.seq]["reason"] == response.json()["detail"]


def test_a_refused_page_action_is_recorded(client: Client, database: Database) -> None:
    with database.transaction() as session:
        make_member(session, email="member@example.org")
    sign_in(client, "member@example.org")
    response = client.post("/admin/settings", data=form(client, results_public="on"))
    assert response.status_code == 403
    assert [e.action for e in refusals(database)] == ["settings.refused"]


@pytest.mark.parametrize(
    ("action", "draft"),
    [("open", False), ("close", True), ("publish", False)],
)
def test_a_ballot_action_refused_on_a_page_with_a_message_is_recorded(
    client: Client, database: Database, action: str, draft: bool
) -> None:
    """The page redirects with the refusal as a message: the request succeeds, so only
    ``deps.attempt`` sees the refusal."""
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        ballot = make_ballot(session, open_now=not draft)
    sign_in(client, "gov@example.org")
    path = f"/governance/ballots/{ballot.public_id}/{action}"
    # As sent from the step's confirmation page (issue 17): unconfirmed, it only asks.
    answer = client.post(
        path, data=form(client, reason="a reason", confirmed="yes"), follow_redirects=False
    )
    assert answer.status_code in (302, 303)
    [event] = refusals(database)
    assert event.action == "ballot.refused"
    assert event.subject == f"ballot:{ballot.public_id}"
    assert event.data["action"] == "POST /governance/ballots/{ballot_id}/{action}"
    assert event.data["status"] == 409


def test_hiding_refused_on_a_page_is_recorded(client: Client, database: Database) -> None:
    with database.transaction() as session:
        governor = make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        proposal = make_proposal(session, make_member(session))
    sign_in(client, "gov@example.org")
    hide = f"/forum/{proposal.public_id}/hide"
    for _ in range(2):  # the second time, it is hidden already
        answer = client.post(hide, data=form(client, reason="Off topic"), follow_redirects=False)
        assert answer.status_code in (302, 303)
    [event] = refusals(database)
    assert (event.action, event.actor) == ("proposal.refused", f"member:{governor.id}")
    assert event.data["status"] == 409


def test_revoking_refused_on_a_page_is_recorded(client: Client, database: Database) -> None:
    with database.transaction() as session:
        admin = make_member(session, email="admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, "admin@example.org")
    revoke = f"/admin/roles/{admin.public_id}/admin/revoke"  # nobody acts on their own record
    assert client.post(revoke, data=form(client), follow_redirects=False).status_code in (302, 303)
    [event] = refusals(database)
    assert (event.action, event.subject) == ("role.refused", f"role:{admin.public_id}")
    assert event.data["status"] == 403


def test_a_form_shown_again_for_a_refused_action_is_recorded(
    client: Client, database: Database
) -> None:
    """``reshow`` answers with the refusal's status but raises nothing."""
    with database.transaction() as session:
        governor = make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
    sign_in(client, "gov@example.org")
    path = f"/governance/members/{governor.public_id}/suspend"
    assert client.post(path, data=form(client, reason="Testing")).status_code == 403
    [event] = refusals(database)
    assert (event.action, event.subject) == ("member.refused", f"member:{governor.public_id}")


def test_reads_and_bad_input_are_not_refusals(client: Client, database: Database) -> None:
    with database.transaction() as session:
        make_member(session, email="member@example.org")
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
    sign_in(client, "member@example.org")
    assert client.get("/governance/members").status_code == 403
    sign_in(client, "gov@example.org")
    assert client.post("/api/v1/ballots", json={"title": ""}).status_code in (400, 422)
    assert refusals(database) == []


def test_a_routes_noun_comes_from_its_path() -> None:
    assert noun_of("/api/v1/ballots/{ballot_id:str}/open") == "ballot"
    assert noun_of("/api/v1/members/{member_id:str}/cease") == "member"
    assert noun_of("/admin/roles/{member_id:str}/{role:str}/revoke") == "role"
    assert noun_of("/forum/{proposal_id:str}/hide") == "proposal"
    assert noun_of("/governance/members.csv") == "member"
    assert noun_of("/admin/settings") == "settings"
