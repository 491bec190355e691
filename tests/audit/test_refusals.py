"""Refused governing actions are written to the audit log as ``<noun>.refused``, with the
actor, the action and the reason, although the refused request's own work is rolled back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.testing import TestClient
from sqlmodel import col, select

from coopvote.audit.models import AuditEvent
from coopvote.audit.service import verify_chain
from coopvote.audit.views import notes_of
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Role
from coopvote.web.refusals import noun_of
from tests.factories import make_ballot, make_member
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
