"""What a hostile or careless user found in the register's rights and duties (issue 18, review):
a refused action changes nothing, bounds hold, names hold no control characters, a member
accepts only the notice they read, and an admin reaches the record they must erase."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlmodel import Session, select

from coopvote.cli import main
from coopvote.clock import utcnow
from coopvote.cooperative import service as cooperative
from coopvote.db import Database
from coopvote.errors import InvalidInput
from coopvote.forum.models import ProposalStatus
from coopvote.members import lapsing, privacy, retention
from coopvote.members import service as members
from coopvote.members.models import AgeBand, Member, MemberStatus, Role
from coopvote.members.rules import Transition, name_problem
from tests.factories import ensure_organisation, make_member, make_proposal
from tests.web.helpers import form, sign_in


def status_of(database: Database, email: str) -> MemberStatus:
    with database.reading() as session:
        return session.exec(select(Member).where(Member.email == email)).one().status


def test_a_refused_admission_on_the_record_page_leaves_the_applicant_pending(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, roles=(Role.GOVERNOR,), email="gov@example.org")
        student = make_member(
            session, status=MemberStatus.PENDING, constituency="students", email="kid@example.org"
        )
        student.age_band = AgeBand.UNDER_13
        session.add(student)
        student_id = student.public_id
    sign_in(client, "gov@example.org")
    refused = client.post(
        f"/governance/members/{student_id}/approve", data=form(client, back="applications")
    )
    assert refused.status_code == 409
    assert "consent" in refused.text
    assert status_of(database, "kid@example.org") is MemberStatus.PENDING


@pytest.mark.parametrize(
    ("leavers", "problem"),
    [
        (
            "email\nleaver@example.org\nother@example.org\nleaver@example.org\n",
            "line 4: &#39;leaver@example.org&#39; is on line 2 already",
        ),
        # The governor's own line is refused only as its turn comes: the lines before it must
        # not lapse either.
        ("email\nleaver@example.org\nother@example.org\ngov@example.org\n", "own record"),
    ],
)
def test_a_leavers_file_with_a_refused_line_lapses_nobody(
    client: TestClient[Any], database: Database, leavers: str, problem: str
) -> None:
    with database.transaction() as session:
        make_member(session, roles=(Role.GOVERNOR,), email="gov@example.org")
        make_member(session, email="leaver@example.org")
        make_member(session, email="other@example.org")
    sign_in(client, "gov@example.org")
    refused = client.post("/register/leavers", data=form(client, leavers=leavers))
    assert refused.status_code in (403, 409, 422)
    assert problem in refused.text
    for email in ("leaver@example.org", "other@example.org", "gov@example.org"):
        assert status_of(database, email) is MemberStatus.ACTIVE, email


def test_a_leavers_file_may_begin_with_a_byte_order_mark(session: Session) -> None:
    leaver = make_member(session, email="leaver@example.org")
    assert lapsing.read_leavers(session, "\ufeffemail\nleaver@example.org\n") == [
        (leaver, lapsing.LEFT)
    ]


def test_a_term_lasts_at_most_ten_years(session: Session) -> None:
    lapsing.set_term(session, slug="parents-carers", days=lapsing.MAXIMUM_TERM_DAYS, now=utcnow())
    with pytest.raises(InvalidInput, match="ten years"):
        lapsing.set_term(
            session, slug="parents-carers", days=lapsing.MAXIMUM_TERM_DAYS + 1, now=utcnow()
        )


def test_the_command_line_refuses_a_term_past_the_calendar(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "COOPVOTE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    # Such a term stopped the scheduler's every tick (an OverflowError), so that ballots no
    # longer opened or closed, and answered a member's own page with an error.
    refused = CliRunner().invoke(main, ["register", "term", "students", "99999999999"])
    assert refused.exit_code == 1
    assert "ten years" in refused.output


@pytest.mark.parametrize("name", ["Amira\x07Ahmed", "Amira\u202eAhmed", "Amira\nAhmed", "\x1b[2J"])
def test_a_name_holds_no_control_or_direction_characters(name: str) -> None:
    assert name_problem(name) is not None


def test_a_name_may_hold_any_letters_and_stray_spaces_at_its_ends() -> None:
    assert name_problem(" Zoë O’Brien-Łukasz 名前\n") is None


def test_a_member_cannot_correct_their_name_to_one_with_control_characters(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="amira@example.org", name="Amira Ahmed")
    sign_in(client, "amira@example.org")
    refused = client.post("/membership/data", data=form(client, name="Amira\u202eAhmed"))
    assert refused.status_code == 422
    with database.reading() as session:
        me = session.exec(select(Member).where(Member.email == "amira@example.org")).one()
    assert me.name == "Amira Ahmed"


def test_an_officer_corrects_no_email_on_their_own_record(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        gov = make_member(session, roles=(Role.GOVERNOR,), email="gov@example.org")
        gov_id, name = gov.public_id, gov.name
    sign_in(client, "gov@example.org")
    refused = client.post(
        f"/register/members/{gov_id}/details",
        data=form(client, name=name, email="unconfirmed@example.org"),
    )
    assert refused.status_code == 403
    with database.reading() as session:
        me = session.exec(select(Member).where(Member.public_id == gov_id)).one()
    assert me.email == "gov@example.org"


def test_a_member_accepts_the_notice_they_were_shown_not_a_newer_one(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        me = make_member(session, email="amira@example.org")
        privacy.accept_notice(session, member=me, version=1, now=utcnow())
        privacy.publish_notice(session, text="## Version two", actor_id=None, now=utcnow())
    sign_in(client, "amira@example.org")
    shown = client.get("/privacy/check?next=/forum")
    assert 'name="version" value="2"' in shown.text
    # Version 3 is published while the member reads version 2.
    with database.transaction() as session:
        privacy.publish_notice(session, text="## Version three", actor_id=None, now=utcnow())
    stale = client.post(
        "/privacy/accept", data=form(client, next="/forum", version="2"), follow_redirects=False
    )
    assert stale.status_code == 303
    assert stale.headers["location"].startswith("/privacy/check")
    with database.reading() as session:
        assert (
            session.exec(select(Member).where(Member.email == "amira@example.org"))
            .one()
            .privacy_version
            == 1
        )
    again = client.get(stale.headers["location"])
    assert "Version three" in again.text
    accepted = client.post(
        "/privacy/accept", data=form(client, next="/forum", version="3"), follow_redirects=False
    )
    assert accepted.headers["location"] == "/forum"


def test_the_export_holds_the_membership_term(client: TestClient[Any], database: Database) -> None:
    with database.transaction() as session:
        lapsing.set_term(session, slug="parents-carers", days=365, now=utcnow())
        started = make_member(session, email="amira@example.org").term_started_at
    assert started is not None
    sign_in(client, "amira@example.org")
    details = client.get("/api/v1/me/export").json()["details"]
    assert details["term_started_at"] == started.isoformat()
    assert details["term_ends_at"] > details["term_started_at"]
    assert "Term ends" in client.get("/membership/data").text


def test_an_admin_who_is_no_governor_finds_and_erases_a_former_member(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, roles=(Role.ADMIN,), email="admin@example.org")
        leaver = make_member(session, email="leaver@example.org", name="Lee Leaver")
        members.change_status(
            session,
            member=leaver,
            transition=Transition.CEASED,
            actor_id=None,
            now=utcnow(),
            reason="Moved away",
        )
        leaver_id = leaver.public_id
    sign_in(client, "admin@example.org")
    assert 'href="/governance/members"' in client.get("/membership").text
    assert "Lee Leaver" in client.get("/governance/members").text
    record = client.get(f"/governance/members/{leaver_id}")
    assert record.status_code == 200
    assert "Erase personal data" in record.text
    # A governor's forms are not offered to an admin who is none.
    for governors_only in ("Correct details", "/reinstate", "/invite", "Download as CSV"):
        assert governors_only not in record.text
    erased = client.post(f"/register/members/{leaver_id}/erase", data=form(client, confirm="on"))
    assert "only the register entry remains" in erased.text
    assert status_of(database, f"erased-{leaver.id}@erased.invalid") is MemberStatus.CEASED


def test_the_demo_resets_a_database_that_holds_it(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database.is_sqlite:
        pytest.skip("the PostgreSQL test database is shared by the run: it is not downgraded")
    monkeypatch.setenv(
        "COOPVOTE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    cli = CliRunner()
    assert cli.invoke(main, ["demo"]).exit_code == 0
    # The register's migration went down by copying the member table's parents, which their
    # foreign keys refused once members referred to them.
    again = cli.invoke(main, ["demo", "--reset"])
    assert again.exit_code == 0, again.output
    assert "Demo loaded" in again.output


def test_an_erased_members_open_proposal_is_withdrawn(session: Session) -> None:
    author = make_member(session)
    proposal = make_proposal(session, author)
    members.change_status(
        session,
        member=author,
        transition=Transition.CEASED,
        actor_id=None,
        now=utcnow(),
        reason="Moved away",
    )
    retention.erase(session, member=author, actor_id=None, now=utcnow(), on_request=True)
    session.refresh(proposal)
    # Open, an "(erased)" proposal could still gather support and go to a ballot.
    assert (proposal.title, proposal.status) == ("(erased)", ProposalStatus.WITHDRAWN)
    assert proposal.withdrawn_at is not None


@pytest.mark.parametrize(
    ("minimum_age", "offered", "not_offered"),
    [
        (14, ["Under 14", "14 or over"], ["13 or over"]),  # a 13-year-old is below 14
        (0, ["0 to 12", "13 or over"], ["Under 0"]),
        (11, ["Under 11", "11 to 12", "13 or over"], []),
    ],
)
def test_the_registration_page_puts_each_age_in_one_band(
    client: TestClient[Any],
    database: Database,
    minimum_age: int,
    offered: list[str],
    not_offered: list[str],
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)  # the form is shown once there is one to join
        cooperative.change_register(
            session,
            cooperative.RegisterSettings(erase_after_days=365, minimum_age=minimum_age),
            actor_id=None,
            now=utcnow(),
        )
    page = client.get("/register").text
    for label in offered:
        assert f">{label}</label>" in page, label
    for label in not_offered:
        assert f">{label}</label>" not in page, label


def test_someone_who_never_read_the_notice_is_not_told_it_changed(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="imported@example.org")
    sign_in(client, "imported@example.org")
    shown = client.get("/privacy/check?next=/forum").text
    assert "Please read our privacy notice before you go on" in shown
    assert "changed since you last read it" not in shown


def test_only_an_admin_changes_an_office_holders_email(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, roles=(Role.GOVERNOR,), email="gov@example.org")
        admin = make_member(session, roles=(Role.ADMIN,), email="admin@example.org")
        admin_id, name = admin.public_id, admin.name
    sign_in(client, "gov@example.org")
    # The address is the admin's sign-in: a governor changing it would lock them out.
    refused = client.patch(f"/api/v1/members/{admin_id}", json={"email": "gone@example.org"})
    assert refused.status_code == 403
    renamed = client.patch(f"/api/v1/members/{admin_id}", json={"name": f"{name} Jr"})
    assert renamed.status_code == 200
    with database.reading() as session:
        row = session.exec(select(Member).where(Member.public_id == admin_id)).one()
    assert row.email == "admin@example.org"
