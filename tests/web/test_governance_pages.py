from typing import Any

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from coopvote.audit.models import AuditEvent
from coopvote.ballots import service as ballots
from coopvote.ballots import views
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
        f"/governance/ballots/{ballot.public_id}/correct",
        data=form(client, reason="Checking", confirmed="yes"),
    )
    assert "nothing to correct" in refused.text
    with database.transaction() as session:
        assert len(result_views.declarations(session, ballot)) == 1


Browser = dict[str, str]


def signed_in(client: TestClient[Any], email: str) -> Browser:
    """Sign in from a fresh browser and return its cookies, to come back to it later."""
    client.cookies.delete("coopvote_session")  # signing in again would end that session
    sign_in(client, email)
    return {name: str(client.cookies[name]) for name in ("coopvote_session", "csrftoken")}


def use(client: TestClient[Any], browser: Browser) -> TestClient[Any]:
    """Act in this browser."""
    for name, value in browser.items():
        client.cookies.set(name, value, domain="testserver.local")
    client.headers["x-csrftoken"] = browser["csrftoken"]
    return client


def test_a_suspended_governor_loses_their_session_and_their_powers(
    client: TestClient[Any], database: Database
) -> None:
    """Issue 11: a suspended governor kept approving members, live and after signing in."""
    with database.transaction() as session:
        make_member(session, email="admin@example.org", roles=(Role.ADMIN, Role.GOVERNOR))
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        applicant = make_member(session, email="new@example.org", status=MemberStatus.PENDING)
    admin = signed_in(client, "admin@example.org")
    governor = signed_in(client, "gov@example.org")
    gov_id = client.get("/api/v1/me").json()["id"]
    suspended = use(client, admin).post(
        f"/api/v1/members/{gov_id}/suspend", json={"reason": "inquiry"}
    )
    assert suspended.status_code == 200, suspended.text
    approve = f"/api/v1/members/{applicant.public_id}/approve"
    assert use(client, governor).post(approve).status_code == 401, "the live session has ended"
    sign_in(client, "gov@example.org")
    assert client.post(approve).status_code == 403, "a suspended governor holds no powers"
    assert client.get("/governance/applications", follow_redirects=False).status_code == 403


def test_a_governor_cannot_suspend_or_cease_an_office_holder(
    client: TestClient[Any], database: Database
) -> None:
    """Issue 11: a governor ceased the only admin, locking the co-operative out for good."""
    with database.transaction() as session:
        admin = make_member(session, email="admin@example.org", roles=(Role.ADMIN,))
        auditor = make_member(session, email="aud@example.org", roles=(Role.AUDITOR,))
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
    sign_in(client, "gov@example.org")
    for target in (admin, auditor):
        for action in ("cease", "suspend"):
            response = client.post(
                f"/api/v1/members/{target.public_id}/{action}", json={"reason": "coup"}
            )
            assert response.status_code == 403, (action, response.text)
    page = client.post(
        f"/governance/members/{admin.public_id}/cease",
        data=form(client, reason="coup", confirmed="yes"),
    )
    assert "Only an admin" in page.text
    with database.transaction() as session:
        assert session.get(Member, admin.id).status is MemberStatus.ACTIVE  # type: ignore[union-attr]


def test_an_admin_cannot_cease_the_last_admin_nor_anyone_their_own_record(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="admin@example.org", roles=(Role.ADMIN, Role.GOVERNOR))
        other = make_member(session, email="other@example.org")
    sign_in(client, "admin@example.org")
    me = client.get("/api/v1/me").json()["id"]
    for action in ("suspend", "cease"):
        own = client.post(f"/api/v1/members/{me}/{action}", json={"reason": "r"})
        assert own.status_code == 403
        assert "own record" in own.json()["detail"]
    own_office = client.post(
        "/admin/roles", data=form(client, email="admin@example.org", role="auditor")
    )
    assert "own record" in own_office.text
    assert (
        client.post(f"/api/v1/members/{other.public_id}/suspend", json={"reason": "r"}).status_code
        == 200
    )


def test_an_office_is_granted_only_to_an_admitted_member(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="admin@example.org", roles=(Role.ADMIN,))
        make_member(session, email="new@example.org", status=MemberStatus.PENDING)
        make_member(session, email="out@example.org", status=MemberStatus.SUSPENDED)
    sign_in(client, "admin@example.org")
    for email in ("new@example.org", "out@example.org"):
        response = client.post("/admin/roles", data=form(client, email=email, role="governor"))
        assert "only an admitted member holds office" in response.text, email
    with database.transaction() as session:
        assert session.exec(select(Member)).all()
    roles = client.get("/admin/roles").text
    assert "new@example.org" not in roles


def test_a_change_of_office_or_standing_ends_the_members_sessions(
    client: TestClient[Any], database: Database
) -> None:
    """ASVS 7.2.4: a privilege change gets a new session id; here the old sessions end."""
    with database.transaction() as session:
        make_member(session, email="admin@example.org", roles=(Role.ADMIN, Role.GOVERNOR))
        other = make_member(session, email="other@example.org")
    admin = signed_in(client, "admin@example.org")
    steps = [
        ("/admin/roles", {"email": "other@example.org", "role": "auditor"}),
        (f"/admin/roles/{other.public_id}/auditor/revoke", {}),
        (f"/governance/members/{other.public_id}/suspend", {"reason": "inquiry"}),
        (f"/governance/members/{other.public_id}/reinstate", {}),
    ]
    for path, fields in steps:
        member = signed_in(client, "other@example.org")
        assert client.get("/api/v1/me").status_code == 200
        done = use(client, admin).post(path, data=form(client, **fields), follow_redirects=False)
        assert done.status_code == 303, path
        assert use(client, member).get("/api/v1/me").status_code == 401, path


@pytest.mark.parametrize("action", ["open", "close", "cancel"])
def test_an_irreversible_step_on_a_ballot_is_confirmed_on_a_page_that_says_what_it_does(
    client: TestClient[Any], database: Database, action: str
) -> None:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        ballot = make_ballot(session, open_now=action != "open")
    sign_in(client, "gov@example.org")
    here = f"/governance/ballots/{ballot.public_id}"
    shown = client.get(here)
    assert f'href="{here}/{action}/confirm"' in shown.text
    assert f'action="{here}/{action}"' not in shown.text  # no button acts at once
    # A post that did not come from the confirmation page is sent to it, and changes nothing.
    asked = client.post(f"{here}/{action}", data=form(client), follow_redirects=False)
    assert asked.headers["location"] == f"{here}/{action}/confirm"
    confirm = client.get(f"{here}/{action}/confirm")
    assert "What will happen" in confirm.text
    assert "cannot be undone" in confirm.text
    with database.transaction() as session:
        before = views.find_ballot(session, ballot.public_id).status
    if action == "cancel":
        refused = client.post(f"{here}/cancel", data=form(client, confirmed="yes", reason=" "))
        assert refused.status_code == 422
        assert "What will happen" in refused.text  # asked again
    done = client.post(
        f"{here}/{action}", data=form(client, confirmed="yes", reason="A mistake in the notice")
    )
    assert done.status_code == 200
    with database.transaction() as session:
        assert views.find_ballot(session, ballot.public_id).status != before


def test_ceasing_a_membership_is_confirmed_on_a_page_that_says_what_it_does(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        member = make_member(session, email="leaving@example.org")
    sign_in(client, "gov@example.org")
    here = f"/governance/members/{member.public_id}"
    asked = client.post(f"{here}/cease", data=form(client, reason="Moved away"))
    assert "What will happen" in asked.text
    assert "cannot be undone" in asked.text
    assert 'value="Moved away"' in asked.text
    with database.transaction() as session:
        assert session.get(Member, member.id).status is MemberStatus.ACTIVE  # type: ignore[union-attr]
    client.post(f"{here}/cease", data=form(client, reason="Moved away", confirmed="yes"))
    with database.transaction() as session:
        assert session.get(Member, member.id).status is MemberStatus.CEASED  # type: ignore[union-attr]
