"""Organisations as members (issue 18): one named representative acts and votes for the
organisation, governors replace them, and the organisation votes once whoever represents it."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlmodel import select

from coopvote.audit.models import AuditEvent
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members import service as members
from coopvote.members.accounts import set_password
from coopvote.members.models import Member, Role
from coopvote.members.rules import Transition
from coopvote.security.passwords import hash_password
from tests.factories import PASSWORD, ensure_organisation, make_ballot, make_member
from tests.web.helpers import sign_in

COLLEGE = {
    "name": "The Co-operative College",
    "email": "rep@college.example.org",
    "password": PASSWORD,
    "constituency": "partners",
    "organisation": "the-grange",
    "representative": "Rita Representative",
}


def test_an_organisation_votes_once_through_its_representative_whoever_that_is(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
        make_member(session, roles=(Role.GOVERNOR,), email="gov@example.org")
    applied = client.post("/api/v1/members", json=COLLEGE)
    assert applied.status_code == 201
    assert applied.json()["representative"] == "Rita Representative"
    with database.transaction() as session:
        college = session.exec(select(Member).where(Member.email == COLLEGE["email"])).one()
        members.change_status(
            session, member=college, transition=Transition.ADMITTED, actor_id=None, now=utcnow()
        )
        college.email_confirmed = True  # as its confirmation link does (issue 13)
        session.add(college)
        ballot_id = make_ballot(session).public_id
        college_id = college.public_id
    sign_in(client, COLLEGE["email"])
    me = client.get("/api/v1/me").json()
    assert (me["name"], me["representative"]) == ("The Co-operative College", "Rita Representative")
    vote = f"/api/v1/ballots/{ballot_id}/votes"
    assert client.post(vote, json={"choice": "for"}).status_code == 201
    assert client.post(vote, json={"choice": "for"}).status_code == 409
    client.delete("/api/v1/session")

    sign_in(client, "gov@example.org")
    person = client.get("/api/v1/me").json()["id"]
    assert client.post(
        f"/api/v1/members/{person}/representative", json={"name": "X", "email": "x@example.org"}
    ).status_code in {403, 409}  # one's own record, and no organisation
    replaced = client.post(
        f"/api/v1/members/{college_id}/representative",
        json={"name": "Sam Successor", "email": "sam@college.example.org"},
    )
    assert replaced.status_code == 200
    assert replaced.json()["representative"] == "Sam Successor"
    client.delete("/api/v1/session")

    # The old representative can no longer sign in; the new one can, once given a password.
    old = client.post("/api/v1/session", json={"email": COLLEGE["email"], "password": PASSWORD})
    assert old.status_code == 401
    with database.transaction() as session:
        set_password(
            session,
            email="sam@college.example.org",
            password_hash=hash_password(PASSWORD),
            now=utcnow(),
        )
    sign_in(client, "sam@college.example.org")
    assert client.post(vote, json={"choice": "against"}).status_code == 409
    with database.reading() as session:
        (event,) = session.exec(
            select(AuditEvent).where(AuditEvent.action == "member.representative_replaced")
        ).all()
    assert "Sam" not in str(event.data)
