"""Students' age band and parents' or carers' consent (issue 18)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlmodel import Session, select

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.errors import Conflict, InvalidInput
from coopvote.members import service as members
from coopvote.members.models import AgeBand, Member, MemberStatus, Role
from coopvote.members.rules import Transition
from coopvote.members.service import Application
from coopvote.members.views import get_member
from tests.factories import PASSWORD, ensure_organisation, make_member
from tests.web.helpers import form, sign_in


def student(**overrides: str) -> Application:
    fields = {
        "name": "Sam Student",
        "email": "sam@example.org",
        "password": PASSWORD,
        "constituency": "students",
        "organisation": "the-grange",
        "agrees_to_rules": True,
        "age_band": "under_13",
    } | overrides
    return Application(**fields)  # type: ignore[arg-type]


def test_an_under_13_applicant_without_recorded_consent_cannot_be_admitted(
    session: Session,
) -> None:
    ensure_organisation(session)
    governor = make_member(session, roles=(Role.GOVERNOR,))
    applicant = get_member(session, members.apply_for_membership(session, student(), utcnow()))
    assert applicant.age_band is AgeBand.UNDER_13
    with pytest.raises(Conflict, match="consent"):
        members.change_status(
            session,
            member=applicant,
            transition=Transition.ADMITTED,
            actor_id=governor.id,
            now=utcnow(),
        )
    session.refresh(applicant)
    assert applicant.status is MemberStatus.PENDING
    members.record_guardian_consent(
        session, member=applicant, guardian="Pat Parent", actor_id=governor.id, now=utcnow()
    )
    members.change_status(
        session,
        member=applicant,
        transition=Transition.ADMITTED,
        actor_id=governor.id,
        now=utcnow(),
    )
    assert str(applicant.status) == MemberStatus.ACTIVE


def test_consent_given_on_the_application_lets_the_student_be_admitted(
    session: Session,
) -> None:
    ensure_organisation(session)
    public_id = members.apply_for_membership(
        session, student(guardian_consent_by="Pat Parent"), utcnow()
    )
    applicant = get_member(session, public_id)
    assert applicant.guardian_consent_by == "Pat Parent"
    members.change_status(
        session, member=applicant, transition=Transition.ADMITTED, actor_id=None, now=utcnow()
    )


@pytest.mark.parametrize(
    ("band", "field"),
    [("below_minimum", "age_band"), ("", "age_band"), ("twelve", "age_band")],
)
def test_students_must_give_an_age_band_at_or_above_the_minimum(
    session: Session, band: str, field: str
) -> None:
    ensure_organisation(session)
    with pytest.raises(InvalidInput) as refused:
        members.apply_for_membership(session, student(age_band=band), utcnow())
    assert field in refused.value.field_errors


def test_nothing_about_age_is_asked_of_anyone_but_students(session: Session) -> None:
    ensure_organisation(session)
    public_id = members.apply_for_membership(
        session, student(constituency="parents-carers", age_band=""), utcnow()
    )
    assert get_member(session, public_id).age_band is None


def test_the_registration_page_asks_students_their_band_and_governors_record_consent(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
        make_member(session, roles=(Role.GOVERNOR,), email="gov@example.org")
    page = client.get("/register")
    assert 'name="age_band"' in page.text
    refused = client.post(
        "/register",
        data=form(
            client,
            name="Sam Student",
            email="sam@example.org",
            password=PASSWORD,
            constituency="students",
            organisation="the-grange",
            agrees_to_rules="on",
            age_band="below_minimum",
        ),
    )
    assert refused.status_code == 422
    assert "Students can join from the age of 11." in refused.text
    applied = client.post(
        "/register",
        data=form(
            client,
            name="Sam Student",
            email="sam@example.org",
            password=PASSWORD,
            constituency="students",
            organisation="the-grange",
            agrees_to_rules="on",
            age_band="under_13",
        ),
    )
    assert applied.status_code == 200
    sign_in(client, "gov@example.org")
    with database.reading() as session:
        sam = session.exec(select(Member).where(Member.email == "sam@example.org")).one()
    record = client.get(f"/governance/members/{sam.public_id}")
    assert "record a parent" in record.text
    assert client.post(f"/api/v1/members/{sam.public_id}/approve").status_code == 409
    recorded = client.post(
        f"/register/members/{sam.public_id}/consent", data=form(client, guardian="Pat Parent")
    )
    assert "Consent recorded." in recorded.text
    assert client.post(f"/api/v1/members/{sam.public_id}/approve").status_code == 200
