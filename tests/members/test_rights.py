"""Members' rights over their data through the API and the pages (issue 18): subject access,
correcting details, erasure on request."""

from __future__ import annotations

import json
from typing import Any

from litestar.testing import TestClient
from sqlmodel import col, select

from coopvote.audit.models import AuditEvent
from coopvote.ballots import service as ballots
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.forum import service as forum
from coopvote.members import service as members
from coopvote.members.models import Member, MemberStatus, Role
from coopvote.members.rules import Transition
from tests.factories import make_ballot, make_member, make_proposal
from tests.web.helpers import form, sign_in


def test_the_export_holds_all_of_a_members_data_and_nothing_of_others_or_votes(
    client: TestClient[Any], database: Database
) -> None:
    now = utcnow()
    with database.transaction() as session:
        me = make_member(session, name="Priya Export", email="priya@example.org")
        other = make_member(session, name="Olu Other", email="olu@example.org")
        assert me.id is not None
        assert other.id is not None
        members.change_status(
            session,
            member=me,
            transition=Transition.SUSPENDED,
            actor_id=None,
            now=now,
            reason="Missed three meetings",
        )
        members.change_status(
            session, member=me, transition=Transition.REINSTATED, actor_id=None, now=now
        )
        mine = make_proposal(session, me, title="A bike shed", body="Covered, please.")
        theirs = make_proposal(session, other, title="Olu's orchard", body="Apples.")
        forum.support(session, theirs, member_id=me.id, now=now)
        forum.add_comment(session, theirs, "Pears too?", author_id=me.id, now=now)
        forum.add_comment(session, mine, "Olu's secret remark", author_id=other.id, now=now)
        ballot = make_ballot(session)
        ballots.cast_vote(session, ballot, member_id=me.id, paper={"choice": "against"}, now=now)
        ballot_id = ballot.public_id
    sign_in(client, "priya@example.org")
    response = client.get("/api/v1/me/export")
    assert response.status_code == 200
    export = response.json()
    text = json.dumps(export)
    for held in [
        "Priya Export",
        "priya@example.org",
        "Missed three meetings",
        "A bike shed",
        "Covered, please.",
        "Pears too?",
        "Olu's orchard",  # the proposal she supports, by its title
        "Parents and carers",
    ]:
        assert held in text, held
    for other_data in ["olu@example.org", "Olu Other", "Olu's secret remark", "Apples."]:
        assert other_data not in text, other_data
    assert ballot_id not in text
    assert "against" not in text
    assert export["sessions"]
    page = client.get("/membership/data")
    assert page.status_code == 200
    assert "Missed three meetings" in page.text
    download = client.get("/membership/data/download")
    assert download.headers["content-disposition"].startswith("attachment")
    assert json.loads(download.text)["details"]["email"] == "priya@example.org"


def test_a_member_corrects_their_name_and_the_log_names_only_the_field(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, name="Jon Smiht", email="jon@example.org")
    sign_in(client, "jon@example.org")
    assert client.patch("/api/v1/me", json={"name": "  "}).status_code == 422
    response = client.patch("/api/v1/me", json={"name": "Jon Smith"})
    assert response.status_code == 200
    assert response.json()["name"] == "Jon Smith"
    refused = client.post("/membership/data", data=form(client, name=""))
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    with database.reading() as session:
        (event,) = session.exec(
            select(AuditEvent).where(AuditEvent.action == "member.details_corrected")
        ).all()
    assert event.data == {"fields": ["name"]}
    assert "Smiht" not in json.dumps(event.data)


def test_a_governor_corrects_details_and_only_an_admin_erases_a_former_member(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, roles=(Role.GOVERNOR,), email="gov@example.org")
        make_member(session, roles=(Role.GOVERNOR, Role.ADMIN), email="admin@example.org")
        leaver = make_member(session, email="leaver@example.org", name="Lee Leaver")
        active = make_member(session, email="stays@example.org")
        leaver_id, active_id = leaver.public_id, active.public_id
    sign_in(client, "gov@example.org")
    corrected = client.patch(
        f"/api/v1/members/{leaver_id}", json={"email": "lee.leaver@example.org"}
    )
    assert corrected.status_code == 200
    assert corrected.json()["email"] == "lee.leaver@example.org"
    taken = client.post(
        f"/register/members/{leaver_id}/details",
        data=form(client, name="Lee Leaver", email="stays@example.org"),
    )
    assert taken.status_code == 422
    with database.transaction() as session:
        leaver_row = session.exec(select(Member).where(Member.public_id == leaver_id)).one()
        members.change_status(
            session,
            member=leaver_row,
            transition=Transition.CEASED,
            actor_id=None,
            now=utcnow(),
            reason="Left the area",
        )
    assert client.post(f"/api/v1/members/{leaver_id}/erase").status_code == 403
    client.delete("/api/v1/session")
    sign_in(client, "admin@example.org")
    assert client.post(f"/api/v1/members/{active_id}/erase").status_code == 409
    record = client.get(f"/governance/members/{leaver_id}")
    assert "Erase personal data" in record.text
    erased = client.post(f"/register/members/{leaver_id}/erase", data=form(client, confirm="on"))
    assert erased.status_code == 200  # followed to the record
    assert "only the register entry remains" in erased.text
    with database.reading() as session:
        gone = session.exec(select(Member).where(Member.public_id == leaver_id)).one()
        assert gone.status is MemberStatus.CEASED
        assert gone.email.endswith("@erased.invalid")
        assert gone.name == "Lee Leaver"
        assert session.exec(
            select(AuditEvent.actor)
            .where(AuditEvent.action == "member.erased")
            .order_by(col(AuditEvent.seq))
        ).all()
