from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from coopvote.audit.models import AuditEvent
from coopvote.audit.views import notes_of
from coopvote.ballots import service as ballots
from coopvote.ballots.models import BallotStatus, Method, Threshold
from coopvote.clock import utcnow
from coopvote.cooperative import service as cooperative
from coopvote.cooperative.service import SettingsChange
from coopvote.db import Database
from coopvote.errors import Conflict, InvalidInput, NotAllowed, NotFound
from coopvote.forum import service as forum
from coopvote.forum import views
from coopvote.forum.models import Proposal, ProposalStatus, Support
from coopvote.members import service as members
from coopvote.members.models import Member, MemberStatus, Role
from coopvote.members.rules import Transition
from coopvote.results import service as results
from tests.factories import make_member, make_proposal

P = ProposalStatus


def mid(member: Member) -> int:
    assert member.id is not None
    return member.id


def actions(session: Session) -> list[str]:
    events = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all()
    return [e.action for e in events]


def status(session: Session, proposal: Proposal) -> ProposalStatus:
    return views.describe(session, proposal, utcnow()).status


def test_a_member_supports_once_and_may_take_support_back(session: Session) -> None:
    proposal = make_proposal(session, make_member(session))
    supporter = make_member(session)
    forum.support(session, proposal, member_id=mid(supporter), now=utcnow())
    with pytest.raises(Conflict):
        forum.support(session, proposal, member_id=mid(supporter), now=utcnow())
    assert views.support_count(session, proposal) == 1
    forum.withdraw_support(session, proposal, member_id=mid(supporter), now=utcnow())
    assert views.support_count(session, proposal) == 0
    with pytest.raises(Conflict):
        forum.withdraw_support(session, proposal, member_id=mid(supporter), now=utcnow())
    forum.support(session, proposal, member_id=mid(supporter), now=utcnow())
    assert views.support_count(session, proposal) == 1
    assert actions(session)[-3:] == ["support.given", "support.withdrawn", "support.given"]


def test_the_database_itself_refuses_a_second_support(database: Database) -> None:
    with database.transaction() as session:
        make_proposal(session, make_member(session), supporters=1)
        given = session.exec(select(Support)).one()
        proposal_id, member_id = given.proposal_id, given.member_id

    def support_again() -> None:
        with database.transaction() as session:
            session.add(Support(proposal_id=proposal_id, member_id=member_id, at=utcnow()))

    with pytest.raises(IntegrityError):
        support_again()


def test_the_author_cannot_support_their_own_proposal(session: Session) -> None:
    author = make_member(session)
    proposal = make_proposal(session, author)
    with pytest.raises(NotAllowed):
        forum.support(session, proposal, member_id=mid(author), now=utcnow())


def test_only_active_members_propose_and_support(session: Session) -> None:
    suspended = make_member(session, status=MemberStatus.SUSPENDED)
    with pytest.raises(NotAllowed):
        make_proposal(session, suspended)
    proposal = make_proposal(session, make_member(session))
    with pytest.raises(NotAllowed):
        forum.support(session, proposal, member_id=mid(suspended), now=utcnow())


def test_support_from_a_suspended_member_stops_counting(session: Session) -> None:
    proposal = make_proposal(session, make_member(session), supporters=2)
    assert status(session, proposal) is P.READY_FOR_BALLOT
    supporter = session.exec(
        select(Member).join(Support, col(Support.member_id) == Member.id)
    ).first()
    assert supporter is not None
    members.change_status(
        session,
        member=supporter,
        transition=Transition.SUSPENDED,
        actor_id=None,
        now=utcnow(),
        reason="test",
    )
    view = views.describe(session, proposal, utcnow())
    assert (view.supporters, view.status) == (1, P.OPEN)


def test_a_fixed_support_threshold(session: Session) -> None:
    cooperative.change(session, SettingsChange(False, 3, 5, 2), actor_id=None, now=utcnow())
    proposal = make_proposal(session, make_member(session), supporters=2)
    view = views.describe(session, proposal, utcnow())
    assert (view.support_needed, view.status) == (3, P.OPEN)
    forum.support(session, proposal, member_id=mid(make_member(session)), now=utcnow())
    assert status(session, proposal) is P.READY_FOR_BALLOT


def test_a_percentage_threshold_counts_active_members_in_the_proposals_scope(
    session: Session,
) -> None:
    cooperative.change(session, SettingsChange(False, None, 10, 2), actor_id=None, now=utcnow())
    for _ in range(30):
        make_member(session, organisation="ashmead")
    for _ in range(10):
        make_member(session, organisation="the-grange")
    make_member(session, organisation="the-grange", status=MemberStatus.SUSPENDED)
    author = make_member(session, organisation="the-grange")  # the 41st active member
    trust_wide = make_proposal(session, author)
    grange_only = make_proposal(session, author, organisation="the-grange")
    assert views.describe(session, trust_wide, utcnow()).support_needed == 5  # 10 % of 41
    assert views.describe(session, grange_only, utcnow()).support_needed == 2  # 10 % of 11


def test_members_of_another_organisation_cannot_support_its_proposal(session: Session) -> None:
    proposal = make_proposal(session, make_member(session), organisation="the-grange")
    outsider = make_member(session, organisation="ashmead")
    with pytest.raises(NotAllowed):
        forum.support(session, proposal, member_id=mid(outsider), now=utcnow())


def test_the_author_edits_until_the_first_support_and_may_withdraw(session: Session) -> None:
    author = make_member(session)
    proposal = make_proposal(session, author)
    edited = forum.ProposalText("Plant orchards", "Apples, pears and plums.")
    forum.edit_proposal(session, proposal, edited, actor_id=mid(author), now=utcnow())
    assert proposal.title == "Plant orchards"
    with pytest.raises(InvalidInput):
        forum.edit_proposal(
            session, proposal, forum.ProposalText(" ", ""), actor_id=mid(author), now=utcnow()
        )
    forum.support(session, proposal, member_id=mid(make_member(session)), now=utcnow())
    with pytest.raises(Conflict):
        forum.edit_proposal(session, proposal, edited, actor_id=mid(author), now=utcnow())
    with pytest.raises(NotAllowed):
        forum.withdraw_proposal(session, proposal, actor_id=mid(make_member(session)), now=utcnow())
    forum.withdraw_proposal(session, proposal, actor_id=mid(author), now=utcnow())
    assert status(session, proposal) is P.WITHDRAWN
    with pytest.raises(Conflict):
        forum.support(session, proposal, member_id=mid(make_member(session)), now=utcnow())
    assert {"proposal.created", "proposal.edited", "proposal.withdrawn"} <= set(actions(session))


def test_comments_can_be_edited_within_a_short_window(session: Session) -> None:
    proposal = make_proposal(session, make_member(session))
    commenter = make_member(session)
    posted = utcnow()
    comment = forum.add_comment(session, proposal, "I agree!", author_id=mid(commenter), now=posted)
    forum.edit_comment(
        session,
        proposal,
        comment,
        "I agree.",
        actor_id=mid(commenter),
        now=posted + timedelta(minutes=5),
    )
    assert comment.body == "I agree."
    with pytest.raises(Conflict):
        forum.edit_comment(
            session,
            proposal,
            comment,
            "Later",
            actor_id=mid(commenter),
            now=posted + timedelta(minutes=16),
        )
    assert actions(session)[-2:] == ["comment.added", "comment.edited"]


def test_comments_by_members_no_longer_active_are_not_shown(session: Session) -> None:
    proposal = make_proposal(session, make_member(session))
    leaver = make_member(session)
    forum.add_comment(session, proposal, "Bye", author_id=mid(leaver), now=utcnow())
    viewer = views.Viewer(mid(make_member(session)), is_governor=False)
    assert len(views.comments(session, proposal, viewer)) == 1
    members.change_status(
        session,
        member=leaver,
        transition=Transition.CEASED,
        actor_id=None,
        now=utcnow(),
        reason="left",
    )
    assert views.comments(session, proposal, viewer) == []


def test_governors_hide_with_a_reason_the_author_sees(session: Session) -> None:
    author = make_member(session)
    governor = make_member(session, roles=(Role.GOVERNOR,))
    proposal = make_proposal(session, author)
    comment = forum.add_comment(session, proposal, "Rude", author_id=mid(author), now=utcnow())
    with pytest.raises(InvalidInput):
        forum.hide_proposal(session, proposal, reason=" ", actor_id=mid(governor), now=utcnow())
    forum.hide_comment(
        session, proposal, comment, reason="Be kind.", actor_id=mid(governor), now=utcnow()
    )
    forum.hide_proposal(
        session, proposal, reason="Personal data.", actor_id=mid(governor), now=utcnow()
    )
    other = views.Viewer(mid(make_member(session)), is_governor=False)
    with pytest.raises(NotFound):
        views.get_proposal(session, proposal.public_id, other)
    seen = views.get_proposal(session, proposal.public_id, views.Viewer(mid(author), False))
    assert (seen.status, seen.hidden_reason) == (P.HIDDEN, "Personal data.")
    assert (
        views.comments(session, proposal, views.Viewer(mid(author), False))[0].comment.hidden_reason
        == "Be kind."
    )
    assert views.comments(session, proposal, other) == []
    hidden = session.exec(
        select(AuditEvent).where(col(AuditEvent.action).in_(["proposal.hidden", "comment.hidden"]))
    ).all()
    # Free text about a member is kept apart from the hashed log, to be erased with them.
    notes = notes_of(session, [e.seq for e in hidden])
    assert [notes[e.seq]["reason"] for e in hidden] == ["Be kind.", "Personal data."]
    assert all("reason" not in e.data for e in hidden)


def schedule() -> forum.BallotSchedule:
    return forum.BallotSchedule(
        closes_at=utcnow() + timedelta(days=14), threshold=Threshold.TWO_THIRDS
    )


def test_promotion_is_refused_before_the_threshold(session: Session) -> None:
    governor = make_member(session, roles=(Role.GOVERNOR,))
    proposal = make_proposal(session, make_member(session), supporters=1)
    with pytest.raises(Conflict):
        forum.promote_to_ballot(session, proposal, schedule(), actor_id=mid(governor), now=utcnow())
    assert proposal.ballot_id is None


def test_promotion_creates_a_linked_resolution_carrying_the_proposal(session: Session) -> None:
    governor = make_member(session, roles=(Role.GOVERNOR,))
    proposal = make_proposal(session, make_member(session), organisation="the-grange", supporters=2)
    ballot = forum.promote_to_ballot(
        session, proposal, schedule(), actor_id=mid(governor), now=utcnow()
    )
    assert (ballot.method, ballot.status, ballot.threshold) == (
        Method.RESOLUTION,
        BallotStatus.DRAFT,
        Threshold.TWO_THIRDS,
    )
    assert ballot.title == proposal.title
    assert ballot.description.startswith(proposal.body)
    assert ballot.eligible_organisations == ["the-grange"]
    assert proposal.ballot_id == ballot.id
    assert status(session, proposal) is P.BALLOTED
    with pytest.raises(Conflict):
        forum.promote_to_ballot(session, proposal, schedule(), actor_id=mid(governor), now=utcnow())
    assert actions(session)[-2:] == ["ballot.created", "proposal.balloted"]


@pytest.mark.parametrize(
    ("choices", "shown"),
    [(["for", "for", "against"], P.CARRIED), (["for", "against", "against"], P.NOT_CARRIED)],
)
def test_the_outcome_follows_the_published_result_of_its_ballot(
    session: Session, choices: list[str], shown: ProposalStatus
) -> None:
    governor = make_member(session, roles=(Role.GOVERNOR,))
    proposal = make_proposal(session, make_member(session), supporters=2)
    ballot = forum.promote_to_ballot(
        session, proposal, schedule(), actor_id=mid(governor), now=utcnow()
    )
    ballots.open_ballot(session, ballot, actor_id=mid(governor), now=utcnow())
    voters = session.exec(select(Member).where(Member.status == MemberStatus.ACTIVE)).all()
    for voter, choice in zip(voters, choices, strict=False):
        ballots.cast_vote(
            session, ballot, member_id=mid(voter), paper={"choice": choice}, now=utcnow()
        )
    ballots.close_ballot(session, ballot, actor_id=mid(governor), now=utcnow())
    assert status(session, proposal) is P.BALLOTED  # closed, but not yet published
    results.publish_result(session, ballot, actor_id=mid(governor), now=utcnow())
    view = views.describe(session, proposal, utcnow())
    assert view.status is shown
    assert view.outcome is not None


def test_a_proposal_whose_ballot_is_cancelled_can_go_to_a_new_ballot(session: Session) -> None:
    governor = make_member(session, roles=(Role.GOVERNOR,))
    proposal = make_proposal(session, make_member(session), supporters=2)
    first = forum.promote_to_ballot(
        session, proposal, schedule(), actor_id=mid(governor), now=utcnow()
    )
    assert status(session, proposal) is P.BALLOTED
    ballots.cancel_ballot(session, first, reason="Wrong date", actor_id=mid(governor), now=utcnow())
    assert status(session, proposal) is P.READY_FOR_BALLOT
    second = forum.promote_to_ballot(
        session, proposal, schedule(), actor_id=mid(governor), now=utcnow()
    )
    assert second.id != first.id
    assert proposal.ballot_id == second.id
    assert status(session, proposal) is P.BALLOTED


def test_every_problem_with_a_proposal_is_reported_at_once(session: Session) -> None:
    author = make_member(session)
    with pytest.raises(InvalidInput) as refused:
        forum.create_proposal(
            session, forum.ProposalText(" ", "", "nowhere"), author_id=mid(author), now=utcnow()
        )
    assert set(refused.value.field_errors) == {"title", "body", "organisation"}


def test_only_governors_hide_and_put_proposals_to_a_ballot(session: Session) -> None:
    member = make_member(session)
    proposal = make_proposal(session, make_member(session), supporters=2)
    comment = forum.add_comment(session, proposal, "Hm", author_id=mid(member), now=utcnow())
    with pytest.raises(NotAllowed):
        forum.hide_proposal(session, proposal, reason="No", actor_id=mid(member), now=utcnow())
    with pytest.raises(NotAllowed):
        forum.hide_comment(
            session, proposal, comment, reason="No", actor_id=mid(member), now=utcnow()
        )
    with pytest.raises(NotAllowed):
        forum.promote_to_ballot(session, proposal, schedule(), actor_id=mid(member), now=utcnow())
    assert (proposal.status, proposal.ballot_id, comment.hidden_at) == (P.OPEN, None, None)
