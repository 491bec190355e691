from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from coopvote.audit.models import AuditEvent
from coopvote.clock import utcnow
from coopvote.errors import Conflict, InvalidInput
from coopvote.members import service as members
from coopvote.members.models import Member, MemberStatus
from coopvote.members.rules import Transition
from coopvote.members.service import Application
from coopvote.members.views import RegisterQuery, get_member, history, search_register
from tests.factories import PASSWORD, ensure_organisation, make_member


def application(**overrides: object) -> Application:
    fields: dict[str, object] = {
        "name": "Pat Parent",
        "email": "Pat@Example.org",
        "password": PASSWORD,
        "constituency": "parents-carers",
        "organisation": "the-grange",
        "agrees_to_rules": True,
    }
    fields.update(overrides)
    return Application(**fields)  # type: ignore[arg-type]


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).order_by(col(AuditEvent.seq))))


def test_an_application_is_pending_and_recorded(session: Session) -> None:
    ensure_organisation(session)
    public_id = members.apply_for_membership(session, application(), utcnow())
    member = get_member(session, public_id)
    assert member.status is MemberStatus.PENDING
    assert member.email == "pat@example.org"
    assert member.member_number is None
    assert member.agreed_to_rules_at is not None
    assert [h.to_status for h in history(session, member)] == [MemberStatus.PENDING]
    assert actions(session)[-1] == "member.applied"


def test_an_application_marks_every_problem(session: Session) -> None:
    with pytest.raises(InvalidInput) as raised:
        members.apply_for_membership(
            session,
            application(
                name="",
                email="nope",
                password="short",
                constituency="x",
                organisation="y",
                agrees_to_rules=False,
            ),
            utcnow(),
        )
    assert set(raised.value.field_errors) == {
        "name",
        "email",
        "password",
        "constituency",
        "organisation",
        "agrees_to_rules",
    }


def test_a_taken_email_stores_nothing_but_answers_alike(session: Session) -> None:
    ensure_organisation(session)
    first = members.apply_for_membership(session, application(), utcnow())
    second = members.apply_for_membership(session, application(name="Someone Else"), utcnow())
    assert first != second
    assert len(session.exec(select(Member)).all()) == 1


def test_admission_assigns_sequential_numbers_never_reused(session: Session) -> None:
    first = make_member(session, status=MemberStatus.PENDING)
    second = make_member(session, status=MemberStatus.PENDING)
    third = make_member(session, status=MemberStatus.PENDING)
    now = utcnow()
    for member in (first, second):
        members.change_status(
            session, member=member, transition=Transition.ADMITTED, actor_id=None, now=now
        )
    members.change_status(
        session,
        member=first,
        transition=Transition.CEASED,
        actor_id=None,
        now=now,
        reason="moved away",
    )
    members.change_status(
        session, member=third, transition=Transition.ADMITTED, actor_id=None, now=now
    )
    assert (first.member_number, second.member_number, third.member_number) == (1, 2, 3)


def test_the_whole_lifecycle_is_kept_in_history_with_who_and_why(session: Session) -> None:
    governor = make_member(session)
    member = make_member(session, status=MemberStatus.PENDING)
    now = utcnow()
    steps = [
        (Transition.ADMITTED, ""),
        (Transition.SUSPENDED, "unpaid"),
        (Transition.REINSTATED, ""),
        (Transition.CEASED, "left the school"),
    ]
    for offset, (transition, reason) in enumerate(steps):
        members.change_status(
            session,
            member=member,
            transition=transition,
            actor_id=governor.id,
            now=now + timedelta(minutes=offset),
            reason=reason,
        )
    trail = history(session, member)
    assert [h.to_status for h in trail] == [
        MemberStatus.PENDING,
        MemberStatus.ACTIVE,
        MemberStatus.SUSPENDED,
        MemberStatus.ACTIVE,
        MemberStatus.CEASED,
    ]
    assert trail[2].reason == "unpaid"
    assert trail[2].actor_name == governor.name
    assert actions(session)[-4:] == [
        "member.admitted",
        "member.suspended",
        "member.reinstated",
        "member.ceased",
    ]


@pytest.mark.parametrize(
    ("status", "transition"),
    [
        (MemberStatus.PENDING, Transition.SUSPENDED),
        (MemberStatus.ACTIVE, Transition.ADMITTED),
        (MemberStatus.ACTIVE, Transition.REINSTATED),
        (MemberStatus.CEASED, Transition.REINSTATED),
        (MemberStatus.CEASED, Transition.WITHDREW),
        (MemberStatus.REJECTED, Transition.ADMITTED),
    ],
)
def test_a_transition_that_does_not_fit_is_a_conflict(
    session: Session, status: MemberStatus, transition: Transition
) -> None:
    member = make_member(session, status=status)
    with pytest.raises(Conflict):
        members.change_status(
            session,
            member=member,
            transition=transition,
            actor_id=None,
            now=utcnow(),
            reason="because",
        )
    assert member.status is status


@pytest.mark.parametrize(
    "transition", [Transition.REJECTED, Transition.SUSPENDED, Transition.CEASED]
)
def test_governors_must_give_a_reason(session: Session, transition: Transition) -> None:
    member = make_member(
        session,
        status=MemberStatus.PENDING if transition is Transition.REJECTED else MemberStatus.ACTIVE,
    )
    with pytest.raises(InvalidInput):
        members.change_status(
            session, member=member, transition=transition, actor_id=None, now=utcnow(), reason="  "
        )


def test_members_can_withdraw_themselves(session: Session) -> None:
    member = make_member(session)
    members.change_status(
        session, member=member, transition=Transition.WITHDREW, actor_id=member.id, now=utcnow()
    )
    assert member.status is MemberStatus.CEASED
    assert actions(session)[-1] == "member.withdrew"


def test_the_register_searches_filters_and_pages(session: Session) -> None:
    for i in range(30):
        make_member(session, name=f"Pupil {i}", constituency="students")
    make_member(session, name="Sally Staff", constituency="staff")
    make_member(session, name="Pending Person", status=MemberStatus.PENDING)
    query = RegisterQuery
    assert search_register(session, query(search="sally")).total == 1
    assert search_register(session, query(constituency="students")).total == 30
    assert search_register(session, query(status=MemberStatus.PENDING)).total == 1
    page_two = search_register(session, query(constituency="students", page=2, per_page=25))
    assert (len(page_two.items), page_two.pages) == (5, 2)
    assert search_register(session, query(organisation="nowhere")).total == 0
