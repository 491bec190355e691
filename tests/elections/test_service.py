"""The rules of issue 15, through the elections service on a real session."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from coopvote.audit.models import AuditEvent
from coopvote.audit.service import verify_chain
from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Ballot, BallotStatus, Method
from coopvote.clock import utcnow
from coopvote.elections import service as elections
from coopvote.elections import views
from coopvote.elections.models import CandidateOrder, NominationStatus, Outcome
from coopvote.elections.rules import ContestDefinition, ElectionStatus
from coopvote.errors import Conflict, InvalidInput, NotAllowed
from coopvote.members import service as members
from coopvote.members.models import Role
from coopvote.members.rules import Transition
from coopvote.results import service as results
from tests.elections.helpers import STATEMENT, first_contest, make_election, stand
from tests.factories import make_member


def test_a_member_outside_the_contest_cannot_nominate_second_or_vote(session: Session) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    parent, other_parent = make_member(session), make_member(session)
    staff = make_member(session, constituency="staff")
    assert staff.id is not None
    assert parent.id is not None
    now = utcnow()
    with pytest.raises(NotAllowed):
        elections.nominate(
            session,
            election,
            contest,
            nominator_id=staff.id,
            nominee_id=None,
            statement=STATEMENT,
            now=now,
        )
    with pytest.raises(NotAllowed):  # nor put an outsider forward
        elections.nominate(
            session,
            election,
            contest,
            nominator_id=parent.id,
            nominee_id=staff.id,
            statement=STATEMENT,
            now=now,
        )
    nomination = stand(session, election, contest, parent, approve=False)
    with pytest.raises(NotAllowed):
        elections.second(session, election, contest, nomination, member_id=staff.id, now=now)
    # Three candidates for two seats: a ballot whose roll is the parents only.
    for nominee in (parent, other_parent, make_member(session)):
        if nominee is not parent:
            stand(session, election, contest, nominee, approve=False)
    for n in (
        views.election_view(session, election, member_id=None, roles={Role.GOVERNOR}, now=now)
        .contests[0]
        .nominations
    ):
        elections.second(
            session,
            election,
            contest,
            n.nomination,
            member_id=make_member(session).id or 0,
            now=now,
        )
        elections.approve(session, election, n.nomination, actor_id=None, now=now)
    elections.close_nominations(session, election, actor_id=None, now=now)
    ballot = session.get(Ballot, first_contest(session, election).ballot_id)
    assert ballot is not None
    ballots.open_ballot(session, ballot, actor_id=None, now=utcnow())
    assert ballot_views.roll_entry(session, ballot, staff.id) is None
    with pytest.raises(NotAllowed):
        ballots.cast_vote(session, ballot, member_id=staff.id, paper={"ranking": []}, now=utcnow())
    assert ballot_views.roll_entry(session, ballot, parent.id) is not None


def test_a_nomination_after_the_window_is_refused(session: Session) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    parent = make_member(session)
    assert parent.id is not None
    late = election.nominations_close_at + timedelta(minutes=1)
    with pytest.raises(Conflict, match="closed"):
        elections.nominate(
            session,
            election,
            contest,
            nominator_id=parent.id,
            nominee_id=None,
            statement=STATEMENT,
            now=late,
        )
    early = election.nominations_open_at - timedelta(minutes=1)
    with pytest.raises(Conflict, match="not opened"):
        elections.nominate(
            session,
            election,
            contest,
            nominator_id=parent.id,
            nominee_id=None,
            statement=STATEMENT,
            now=early,
        )


def test_withdrawal_until_close_and_refused_after(session: Session) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    first, second, seconder = make_member(session), make_member(session), make_member(session)
    assert first.id is not None
    assert second.id is not None
    withdrawn = stand(session, election, contest, first, seconder)
    elections.withdraw(session, election, withdrawn, member_id=first.id, now=utcnow())
    assert withdrawn.status is NominationStatus.WITHDRAWN
    kept = stand(session, election, contest, second, seconder)
    elections.close_nominations(session, election, actor_id=None, now=utcnow())
    with pytest.raises(Conflict, match="closed"):
        elections.withdraw(session, election, kept, member_id=second.id, now=utcnow())
    # Only the candidate who stayed is elected (unopposed).
    result = views.results(session, election)
    assert result.contests[0].elected == [second.name]


def test_no_more_candidates_than_seats_are_declared_elected_unopposed(session: Session) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    one = make_member(session, name="Zoe Adams")
    stand(session, election, contest, one, make_member(session))
    assert elections.close_nominations(session, election, actor_id=None, now=utcnow())
    contest = first_contest(session, election)
    assert contest.outcome is Outcome.UNOPPOSED
    assert contest.ballot_id is None
    declared = json.loads(contest.declaration or "")
    assert declared["elected"] == ["Zoe Adams"]
    assert declared["vacant"] == 1
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "contest.declared")).all()
    assert event.data["declaration_sha256"] == contest.declaration_sha256


def test_a_contest_with_no_candidate_is_declared_vacant(session: Session) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    # A nomination never approved is no candidate.
    stand(session, election, contest, make_member(session), approve=False)
    elections.close_nominations(session, election, actor_id=None, now=utcnow())
    result = views.results(session, election).contests[0]
    assert (result.outcome, result.elected, result.vacant, result.declared) == (
        "vacant",
        [],
        2,
        True,
    )


def test_contested_seats_become_a_ballot_with_candidates_by_surname(session: Session) -> None:
    now = utcnow()
    election = make_election(session, now=now)
    contest = first_contest(session, election)
    for name in ("Yusuf Ahmed", "Anna Zed", "Bea Clarke"):
        stand(session, election, contest, make_member(session, name=name), make_member(session))
    elections.close_nominations(session, election, actor_id=None, now=now)
    contest = first_contest(session, election)
    assert contest.outcome is Outcome.BALLOTED
    ballot = session.get(Ballot, contest.ballot_id)
    assert ballot is not None
    assert [o.label for o in ballot_views.options(session, ballot)] == [
        "Yusuf Ahmed",
        "Bea Clarke",
        "Anna Zed",
    ]
    assert (ballot.method, ballot.seats, ballot.eligible_constituencies) == (
        Method.STV,
        2,
        ["parents-carers"],
    )
    assert ballot.opens_at == election.voting_opens_at
    assert ballot.closes_at == election.voting_closes_at
    assert ballot.status is BallotStatus.DRAFT  # its roll is frozen when it opens


def test_seconding_is_once_each_and_never_ones_own(session: Session) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    nominee, seconder = make_member(session), make_member(session)
    assert nominee.id is not None
    assert seconder.id is not None
    nomination = stand(session, election, contest, nominee, approve=False)
    with pytest.raises(NotAllowed):
        elections.second(session, election, contest, nomination, member_id=nominee.id, now=utcnow())
    elections.second(session, election, contest, nomination, member_id=seconder.id, now=utcnow())
    with pytest.raises(Conflict):
        elections.second(
            session, election, contest, nomination, member_id=seconder.id, now=utcnow()
        )
    assert views.seconds(session, nomination) == 1


def test_a_governor_accepts_only_with_enough_seconders(session: Session) -> None:
    election = make_election(session, seconders=2)
    contest = first_contest(session, election)
    nomination = stand(
        session, election, contest, make_member(session), make_member(session), approve=False
    )
    with pytest.raises(Conflict, match="1 of the 2 seconders"):
        elections.approve(session, election, nomination, actor_id=None, now=utcnow())
    member = make_member(session)
    elections.second(session, election, contest, nomination, member_id=member.id or 0, now=utcnow())
    elections.approve(session, election, nomination, actor_id=None, now=utcnow())
    assert nomination.status is NominationStatus.APPROVED


def test_nominating_another_member_needs_their_consent(session: Session) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    nominator, nominee, seconder = make_member(session), make_member(session), make_member(session)
    assert nominator.id is not None
    assert nominee.id is not None
    nomination = elections.nominate(
        session,
        election,
        contest,
        nominator_id=nominator.id,
        nominee_id=nominee.id,
        statement=STATEMENT,
        now=utcnow(),
    )
    assert nomination.status is NominationStatus.AWAITING_CONSENT
    elections.second(
        session, election, contest, nomination, member_id=seconder.id or 0, now=utcnow()
    )
    with pytest.raises(Conflict):
        elections.approve(session, election, nomination, actor_id=None, now=utcnow())
    with pytest.raises(NotAllowed):
        elections.consent(session, election, nomination, member_id=nominator.id, now=utcnow())
    elections.consent(session, election, nomination, member_id=nominee.id, now=utcnow())
    approved = elections.approve(session, election, nomination, actor_id=None, now=utcnow())
    assert approved.status is NominationStatus.APPROVED


def test_a_rejection_needs_a_reason_which_the_nominee_sees(session: Session) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    nominee = make_member(session)
    nomination = stand(session, election, contest, nominee, approve=False)
    with pytest.raises(InvalidInput):
        elections.reject(session, election, nomination, reason=" ", actor_id=None, now=utcnow())
    elections.reject(
        session,
        election,
        nomination,
        reason="Not a parent at the trust's schools.",
        actor_id=None,
        now=utcnow(),
    )
    seen = views.election_view(
        session, election, member_id=nominee.id, roles={Role.MEMBER}, now=utcnow()
    )
    [shown] = seen.contests[0].nominations
    assert shown.nomination.reason == "Not a parent at the trust's schools."
    other = views.election_view(
        session, election, member_id=make_member(session).id, roles={Role.MEMBER}, now=utcnow()
    )
    assert other.contests[0].nominations == []


def test_a_statement_is_at_most_500_words(session: Session) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    parent = make_member(session)
    with pytest.raises(InvalidInput, match="500 words"):
        elections.nominate(
            session,
            election,
            contest,
            nominator_id=parent.id or 0,
            nominee_id=None,
            statement="word " * 501,
            now=utcnow(),
        )
    elections.nominate(
        session,
        election,
        contest,
        nominator_id=parent.id or 0,
        nominee_id=None,
        statement="word " * 500,
        now=utcnow(),
    )


def test_every_step_is_audited(session: Session) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    nominee, seconder = make_member(session), make_member(session)
    nomination = stand(session, election, contest, nominee, seconder)
    elections.close_nominations(session, election, actor_id=None, now=utcnow())
    actions = set(session.exec(select(AuditEvent.action)).all())
    assert {
        "election.created",
        "nomination.made",
        "nomination.seconded",
        "nomination.approved",
        "election.nominations_closed",
        "contest.declared",
    } <= actions
    subjects = set(session.exec(select(AuditEvent.subject)).all())
    assert elections.nomination_subject(nomination) in subjects
    assert verify_chain(session)


def test_closing_twice_declares_once(session: Session) -> None:
    election = make_election(session)
    stand(
        session,
        election,
        first_contest(session, election),
        make_member(session),
        make_member(session),
    )
    assert elections.close_nominations(session, election, actor_id=None, now=utcnow())
    assert not elections.close_nominations(session, election, actor_id=None, now=utcnow())
    declared = session.exec(
        select(AuditEvent).where(
            col(AuditEvent.action).in_(["contest.declared", "election.nominations_closed"])
        )
    ).all()
    assert len(declared) == 2


def test_the_scheduler_closes_nominations_on_time(session: Session) -> None:
    election = make_election(session)
    stand(
        session,
        election,
        first_contest(session, election),
        make_member(session),
        make_member(session),
    )
    elections.close_due(session, utcnow())
    assert election.nominations_closed_at is None
    later = election.nominations_close_at + timedelta(seconds=1)
    elections.close_due(session, later)
    session.refresh(election)
    assert election.nominations_closed_at == election.nominations_close_at
    assert first_contest(session, election).outcome is Outcome.UNOPPOSED


def test_a_confirmatory_vote_when_the_election_asks_for_one(session: Session) -> None:
    election = make_election(session, confirmatory_vote=True)
    stand(
        session,
        election,
        first_contest(session, election),
        make_member(session, name="Una Lone"),
        make_member(session),
    )
    elections.close_nominations(session, election, actor_id=None, now=utcnow())
    contest = first_contest(session, election)
    ballot = session.get(Ballot, contest.ballot_id)
    assert contest.outcome is Outcome.CONFIRMATORY
    assert ballot is not None
    assert ballot.method is Method.RESOLUTION
    assert "Una Lone" in ballot.description


def test_random_order_shuffles_each_paper_and_stores_only_option_ids(session: Session) -> None:
    now = utcnow()
    election = make_election(
        session,
        now=now,
        candidate_order=CandidateOrder.RANDOM,
        contests=(ContestDefinition("Everyone", 1, Method.PLURALITY),),
    )
    contest = first_contest(session, election)
    names = [f"Candidate {letter}" for letter in "ABCDEFGH"]
    for name in names:
        stand(session, election, contest, make_member(session, name=name), make_member(session))
    elections.close_nominations(session, election, actor_id=None, now=now)
    ballot = session.get(Ballot, first_contest(session, election).ballot_id)
    assert ballot is not None
    assert ballot.shuffle_options
    voter = make_member(session)
    ballots.open_ballot(session, ballot, actor_id=None, now=utcnow())
    orders = {
        tuple(o.label for o in ballot_views.paper(session, ballot, voter.id or 0, utcnow()).options)
        for _ in range(20)
    }
    assert len(orders) > 1  # 8! orders: twenty alike would be a 1 in 10^90 chance
    assert [o.label for o in ballot_views.options(session, ballot)] == sorted(names)


def test_results_gather_every_contest(session: Session) -> None:
    now = utcnow()
    election = make_election(
        session,
        now=now,
        contests=(
            ContestDefinition("Staff", 1, Method.PLURALITY, eligible_constituencies=("staff",)),
            ContestDefinition(
                "Community", 1, Method.PLURALITY, eligible_constituencies=("community",)
            ),
        ),
    )
    staff, community = views.contests(session, election)
    a = make_member(session, constituency="staff", name="Ann Able")
    b = make_member(session, constituency="staff", name="Ben Best")
    for member in (a, b):
        stand(session, election, staff, member, make_member(session, constituency="staff"))
    elections.close_nominations(session, election, actor_id=None, now=now)
    assert views.status_of(session, election, utcnow()) is ElectionStatus.VOTING
    ballot = session.get(Ballot, first_contest(session, election).ballot_id)
    assert ballot is not None
    ballots.open_ballot(session, ballot, actor_id=None, now=utcnow())
    options = {o.label: o.id for o in ballot_views.options(session, ballot)}
    ballots.cast_vote(
        session, ballot, member_id=a.id or 0, paper={"choices": [options["Ben Best"]]}, now=utcnow()
    )
    ballots.close_ballot(session, ballot, actor_id=None, now=utcnow())
    partial = views.results(session, election)
    assert [c.declared for c in partial.contests] == [False, True]
    results.publish_result(session, ballot, actor_id=None, now=utcnow())
    found = views.results(session, election)
    assert found.declared
    assert found.contests[0].elected == ["Ben Best"]
    assert found.contests[0].turnout is not None
    assert (found.contests[1].outcome, found.contests[1].vacant) == ("vacant", 1)
    assert views.status_of(session, election, utcnow()) is ElectionStatus.DECLARED
    del community


def test_a_candidate_no_longer_a_member_when_nominations_close_is_not_elected(
    session: Session,
) -> None:
    election = make_election(session)
    contest = first_contest(session, election)
    leaver, stayer = make_member(session, name="Lee Leaver"), make_member(session, name="Sam Stay")
    for nominee in (leaver, stayer):
        stand(session, election, contest, nominee, make_member(session))
    members.change_status(
        session,
        member=leaver,
        transition=Transition.CEASED,
        actor_id=None,
        now=utcnow(),
        reason="moved away",
    )
    elections.close_nominations(session, election, actor_id=None, now=utcnow())
    assert views.results(session, election).contests[0].elected == ["Sam Stay"]
