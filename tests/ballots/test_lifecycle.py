from datetime import timedelta

import pytest
from sqlmodel import Session, select

from coopvote.audit.models import AuditEvent
from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import BallotStatus, Method, RollEntry, Threshold
from coopvote.ballots.rules import Definition, status_at
from coopvote.clock import utcnow
from coopvote.errors import Conflict, InvalidInput
from coopvote.members import service as members
from coopvote.members.models import MemberStatus
from coopvote.members.rules import Transition
from tests.factories import make_ballot, make_member


def definition(**overrides: object) -> Definition:
    fields: dict[str, object] = {
        "title": "Adopt the values statement",
        "method": Method.RESOLUTION,
        "closes_at": utcnow() + timedelta(days=3),
        "threshold": Threshold.THREE_QUARTERS,
    }
    fields.update(overrides)
    return Definition(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": " "}, "title"),
        ({"method": Method.STV, "options": ["Only one"], "threshold": None}, "options"),
        ({"method": Method.STV, "options": ["A", "A"], "threshold": None}, "options"),
        ({"method": Method.STV, "options": ["Alpha", "alpha ", "B"], "threshold": None}, "options"),
        ({"method": Method.STV, "options": ["Ａlpha", "alpha", "B"], "threshold": None}, "options"),
        ({"opens_at": utcnow() - timedelta(minutes=5)}, "opens_at"),
        ({"opens_at": utcnow() + timedelta(days=3 * 365)}, "opens_at"),
        ({"closes_at": utcnow() + timedelta(days=3 * 365)}, "closes_at"),
        ({"method": Method.STV, "options": ["A", "B"], "seats": 2, "threshold": None}, "seats"),
        (
            {"method": Method.IRV, "options": ["A", "B", "C"], "seats": 2, "threshold": None},
            "seats",
        ),
        (
            {"method": Method.APPROVAL, "options": ["A", "B"], "max_choices": 3, "threshold": None},
            "max_choices",
        ),
        ({"options": ["A", "B"]}, "options"),
        ({"quorum_bp": 12_000}, "quorum"),
        ({"closes_at": utcnow() - timedelta(minutes=1)}, "closes_at"),
        ({"opens_at": utcnow() + timedelta(days=5)}, "closes_at"),
        ({"eligible_constituencies": ["martians"]}, "eligible_constituencies"),
        ({"eligible_organisations": ["nowhere"]}, "eligible_organisations"),
    ],
)
def test_bad_definitions_are_refused_naming_the_field(
    session: Session, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        ballots.create_ballot(session, definition(**overrides), actor_id=None, now=utcnow())
    assert field in raised.value.field_errors


def test_opening_freezes_the_roll_of_active_eligible_members(session: Session) -> None:
    parent = make_member(session, constituency="parents-carers")
    make_member(session, constituency="staff")
    make_member(session, constituency="parents-carers", status=MemberStatus.PENDING)
    make_member(session, constituency="parents-carers", status=MemberStatus.SUSPENDED)
    ballot = make_ballot(session, eligible_constituencies=["parents-carers"])
    assert ballot.status is BallotStatus.OPEN
    assert ballot.roll_size == 1
    assert ballot.roll_hash is not None
    assert len(ballot.roll_hash) == 64
    assert ballot_views.roll_entry(session, ballot, parent.id or 0) is not None


def test_the_roll_does_not_change_after_opening(session: Session) -> None:
    staying = make_member(session)
    leaving = make_member(session)
    ballot = make_ballot(session)
    late = make_member(session)
    members.change_status(
        session,
        member=leaving,
        transition=Transition.SUSPENDED,
        actor_id=None,
        now=utcnow(),
        reason="test",
    )
    entries = session.exec(
        select(RollEntry.member_id).where(RollEntry.ballot_id == ballot.id)
    ).all()
    assert set(entries) == {staying.id, leaving.id}
    assert late.id not in entries


def test_a_ballot_opens_by_the_clock_with_the_roll_as_at_its_opening(session: Session) -> None:
    now = utcnow()
    early = make_member(session, at=now - timedelta(days=5))
    ballot = ballots.create_ballot(
        session, definition(opens_at=now + timedelta(hours=1)), actor_id=None, now=now
    )
    # Admitted after the scheduled opening, but before anyone looks at the ballot:
    make_member(session, at=now + timedelta(hours=2))
    assert status_at(ballot, now) is BallotStatus.DRAFT
    later = now + timedelta(hours=3)
    touched = ballots.get_ballot(session, ballot.public_id, later)
    assert touched.status is BallotStatus.OPEN
    assert touched.opened_at == now + timedelta(hours=1)
    assert touched.roll_size == 1
    assert ballot_views.roll_entry(session, touched, early.id or 0) is not None


def test_a_ballot_closes_by_the_clock(session: Session) -> None:
    ballot = make_ballot(session)
    after = ballot.closes_at + timedelta(seconds=1)
    assert ballots.get_ballot(session, ballot.public_id, after).status is BallotStatus.CLOSED
    actions = session.exec(select(AuditEvent.action)).all()
    assert actions.count("ballot.closed") == 1


def test_an_open_ballot_cannot_be_edited_or_opened_again(session: Session) -> None:
    ballot = make_ballot(session)
    with pytest.raises(Conflict):
        ballots.update_ballot(
            session, ballot, definition(title="Changed"), actor_id=None, now=utcnow()
        )
    with pytest.raises(Conflict):
        ballots.open_ballot(session, ballot, actor_id=None, now=utcnow())


def test_cancelling_needs_a_reason_and_is_final(session: Session) -> None:
    ballot = make_ballot(session)
    with pytest.raises(InvalidInput):
        ballots.cancel_ballot(session, ballot, reason="", actor_id=None, now=utcnow())
    ballots.cancel_ballot(session, ballot, reason="Wrong question", actor_id=None, now=utcnow())
    assert ballot.status is BallotStatus.CANCELLED
    with pytest.raises(Conflict):
        ballots.close_ballot(session, ballot, actor_id=None, now=utcnow())


def test_opening_is_audited_with_the_roll_size_and_hash(session: Session) -> None:
    make_member(session)
    ballot = make_ballot(session)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "ballot.opened")).one()
    assert event.data["roll_size"] == 1
    assert event.data["roll_hash"] == ballot.roll_hash
