from typing import Any

from litestar.testing import TestClient
from sqlmodel import select

from coopvote.audit.models import AuditEvent
from coopvote.ballots import service as ballots
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Member, MemberStatus, Role
from coopvote.results import service as results
from coopvote.results import views as result_views
from tests.factories import make_ballot, make_member
from tests.web.helpers import form, sign_in


def test_a_governor_admits_from_the_queue_and_the_member_sees_their_number(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        applicant = make_member(session, email="new@example.org", status=MemberStatus.PENDING)
    sign_in(client, "gov@example.org")
    queue = client.get("/governance/applications")
    assert "new@example.org" in queue.text
    admitted = client.post(
        f"/governance/members/{applicant.public_id}/approve",
        data=form(client, back="applications"),
        follow_redirects=False,
    )
    assert admitted.status_code == 303
    assert admitted.headers["location"] == "/governance/applications"
    sign_in(client, "new@example.org")
    mine = client.get("/membership")
    with database.transaction() as session:
        number = session.get(Member, applicant.id).member_number  # type: ignore[union-attr]
    assert number is not None
    assert f'class="member-number">{number}<' in mine.text


def test_suspending_without_a_reason_reshows_the_page_with_the_problem(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        member = make_member(session)
    sign_in(client, "gov@example.org")
    response = client.post(
        f"/governance/members/{member.public_id}/suspend", data=form(client, reason="")
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert "Give a reason" in response.text


def test_the_register_exports_csv_and_the_export_is_audited(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        make_member(session, email="someone@example.org", constituency="staff")
    sign_in(client, "gov@example.org")
    response = client.post("/governance/members.csv?constituency=staff", data=form(client))
    assert response.headers["content-type"].startswith("text/csv")
    assert "someone@example.org" in response.text
    assert "gov@example.org" not in response.text
    with database.transaction() as session:
        exported = session.exec(
            select(AuditEvent).where(AuditEvent.action == "members.exported")
        ).one()
    assert exported.data == {"rows": 1}
    assert client.get("/governance/members.csv").status_code == 405, "a read records nothing"


def test_admins_grant_and_revoke_offices_but_keep_one_admin(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        admin = make_member(session, email="admin@example.org", roles=(Role.ADMIN,))
        other = make_member(session, email="other@example.org")
    sign_in(client, "admin@example.org")
    client.post("/admin/roles", data=form(client, email="other@example.org", role="governor"))
    sign_in(client, "other@example.org")
    assert "governor" in client.get("/api/v1/me").json()["roles"]
    sign_in(client, "admin@example.org")
    client.post(f"/admin/roles/{other.public_id}/governor/revoke", data=form(client))
    # Issue 11: nobody acts on their own record, so the last admin's own revocation is refused
    # on that ground first (the last-admin rule is checked in tests/members).
    last = client.post(f"/admin/roles/{admin.public_id}/admin/revoke", data=form(client))
    assert "own record" in last.text
    assert "admin" in client.get("/api/v1/me").json()["roles"]
    unknown = client.post(
        "/admin/roles", data=form(client, email="nobody@example.org", role="auditor")
    )
    assert unknown.status_code == 422


def test_a_correction_that_changes_nothing_is_refused_from_the_page(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        ballot = make_ballot(session)
        ballots.close_ballot(session, ballot, actor_id=None, now=utcnow())
        results.publish_result(session, ballot, actor_id=None, now=utcnow())
    sign_in(client, "gov@example.org")
    page = client.get(f"/governance/ballots/{ballot.public_id}")
    assert "Correct the published result" in page.text
    refused = client.post(
        f"/governance/ballots/{ballot.public_id}/correct", data=form(client, reason="Checking")
    )
    assert "nothing to correct" in refused.text
    with database.transaction() as session:
        assert len(result_views.declarations(session, ballot)) == 1
