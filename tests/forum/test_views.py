"""The forum's read models: what each viewer is shown and offered, decided by the rules."""

from datetime import timedelta

import pytest
from sqlmodel import Session

from coopvote.clock import utcnow
from coopvote.errors import Conflict, NotAllowed, NotFound
from coopvote.forum import service as forum
from coopvote.forum import views
from coopvote.forum.models import Proposal, ProposalStatus
from coopvote.forum.views import ProposalQuery, Viewer
from coopvote.members.models import Member, MemberStatus, Role
from tests.factories import make_member, make_proposal

P = ProposalStatus


def mid(member: Member) -> int:
    assert member.id is not None
    return member.id


def as_viewer(session: Session, member: Member) -> Viewer:
    return views.viewer_of(session, mid(member))


def hidden_proposal(session: Session, author: Member, governor: Member) -> Proposal:
    proposal = make_proposal(session, author, title="A hidden one")
    forum.hide_proposal(
        session, proposal, reason="Names a child", actor_id=mid(governor), now=utcnow()
    )
    return proposal


def test_the_viewer_of_a_member_knows_whether_they_govern(session: Session) -> None:
    assert views.viewer_of(session, mid(make_member(session))).is_governor is False
    governor = make_member(session, roles=(Role.GOVERNOR,))
    assert views.viewer_of(session, mid(governor)) == Viewer(mid(governor), is_governor=True)


def test_the_list_shows_a_hidden_proposal_to_its_author_and_governors_only(
    session: Session,
) -> None:
    author, governor, other = (
        make_member(session),
        make_member(session, roles=(Role.GOVERNOR,)),
        make_member(session),
    )
    hidden = hidden_proposal(session, author, governor)
    make_proposal(session, author, title="An open one")

    def titles(who: Member) -> list[str]:
        found = views.browse(session, ProposalQuery(), as_viewer(session, who), utcnow())
        return sorted(v.proposal.title for v in found.items)

    assert titles(other) == ["An open one"]
    assert titles(author) == titles(governor) == ["A hidden one", "An open one"]
    with pytest.raises(NotFound):
        views.get_proposal(session, hidden.public_id, as_viewer(session, other))


def test_the_hiding_reason_is_shown_to_the_author_and_governors_only(session: Session) -> None:
    author, governor = make_member(session), make_member(session, roles=(Role.GOVERNOR,))
    hidden = hidden_proposal(session, author, governor)
    for who in (author, governor):
        view = views.describe(session, hidden, utcnow(), as_viewer(session, who))
        assert view.hiding_reason == "Names a child"
    # Nobody else can reach a hidden proposal; were they shown one, no reason would come.
    stranger = Viewer(mid(make_member(session)), is_governor=False)
    assert views.describe(session, hidden, utcnow(), stranger).hiding_reason is None
    assert views.describe(session, hidden, utcnow()).hiding_reason is None


def test_a_view_for_a_viewer_says_whether_they_support_it(session: Session) -> None:
    proposal = make_proposal(session, make_member(session))
    supporter, other = make_member(session), make_member(session)
    forum.support(session, proposal, member_id=mid(supporter), now=utcnow())
    assert views.describe(session, proposal, utcnow(), as_viewer(session, supporter)).supported
    assert not views.describe(session, proposal, utcnow(), as_viewer(session, other)).supported


def test_a_proposal_page_offers_each_viewer_what_the_rules_allow(session: Session) -> None:
    author, other = make_member(session), make_member(session)
    governor = make_member(session, roles=(Role.GOVERNOR,))
    proposal = make_proposal(session, author)
    posted = forum.add_comment(session, proposal, "Yes", author_id=mid(other), now=utcnow())

    def can(who: Member) -> views.Permissions:
        return views.proposal_page(session, proposal, as_viewer(session, who), utcnow()).can

    mine, theirs, governing = can(author), can(other), can(governor)
    assert (mine.edit, mine.withdraw, mine.support, mine.hide) == (True, True, False, False)
    assert (theirs.edit, theirs.withdraw, theirs.support, theirs.hide) == (
        False,
        False,
        True,
        False,
    )
    assert theirs.editable_comments == {posted.id}
    assert mine.editable_comments == frozenset()
    assert governing.hide
    assert governing.hidable_comments == {posted.id}
    assert not theirs.hidable_comments
    assert not governing.promote  # not enough support yet
    forum.support(session, proposal, member_id=mid(other), now=utcnow())
    theirs = can(other)
    assert (theirs.support, theirs.withdraw_support) == (False, True)
    assert not can(author).edit  # supporters backed the words they read


def test_a_comment_stays_editable_for_a_short_while(session: Session) -> None:
    proposal = make_proposal(session, make_member(session))
    commenter = make_member(session)
    forum.add_comment(
        session, proposal, "Old", author_id=mid(commenter), now=utcnow() - timedelta(hours=1)
    )
    shown = views.proposal_page(session, proposal, as_viewer(session, commenter), utcnow())
    assert shown.can.editable_comments == frozenset()
    assert shown.comment_edit_minutes == 15


def test_a_balloted_proposal_links_its_draft_ballot_for_governors_only(session: Session) -> None:
    governor = make_member(session, roles=(Role.GOVERNOR,))
    proposal = make_proposal(session, make_member(session), supporters=2)
    forum.promote_to_ballot(
        session,
        proposal,
        forum.BallotSchedule(closes_at=utcnow() + timedelta(days=7)),
        actor_id=mid(governor),
        now=utcnow(),
    )
    member = make_member(session)
    for who, manage, see in [(governor, True, True), (member, False, False)]:
        can = views.proposal_page(session, proposal, as_viewer(session, who), utcnow()).can
        assert (can.manage_ballot, can.see_ballot) == (manage, see)


def test_a_hidden_comment_cannot_be_reached_by_other_members(session: Session) -> None:
    author, governor = make_member(session), make_member(session, roles=(Role.GOVERNOR,))
    proposal = make_proposal(session, make_member(session))
    comment = forum.add_comment(session, proposal, "Rude", author_id=mid(author), now=utcnow())
    forum.hide_comment(
        session, proposal, comment, reason="Tone", actor_id=mid(governor), now=utcnow()
    )
    cid = str(comment.id)
    with pytest.raises(NotFound):
        views.get_comment(session, proposal, cid, as_viewer(session, make_member(session)))
    seen = views.get_comment(session, proposal, cid, as_viewer(session, author))
    assert views.comment_view(session, seen, as_viewer(session, author)).hiding_reason == "Tone"
    with pytest.raises(NotFound):
        views.get_comment(session, proposal, "²", as_viewer(session, author))
    with pytest.raises(NotFound):
        views.get_comment(session, proposal, "9" * 30, as_viewer(session, author))


def test_the_forms_open_only_for_who_may_use_them(session: Session) -> None:
    author, other = make_member(session), make_member(session)
    governor = make_member(session, roles=(Role.GOVERNOR,))
    proposal = make_proposal(session, author)
    now = utcnow()
    assert views.editing(session, proposal, as_viewer(session, author), now).editing is not None
    with pytest.raises(NotAllowed):
        views.editing(session, proposal, as_viewer(session, other), now)
    with pytest.raises(Conflict):  # not enough support yet
        views.promotion(session, proposal, as_viewer(session, governor), now)
    suspended = make_member(session, status=MemberStatus.SUSPENDED)
    with pytest.raises(NotAllowed):
        views.new_proposal(session, as_viewer(session, suspended), now)
    assert views.new_proposal(session, as_viewer(session, other), now).editing is None


def test_the_index_offers_links_by_the_rules(session: Session) -> None:
    member = make_member(session)
    governor = make_member(session, roles=(Role.GOVERNOR,))
    suspended = make_member(session, status=MemberStatus.SUSPENDED)

    def can(who: Member) -> views.ForumPermissions:
        return views.index(session, ProposalQuery(), as_viewer(session, who), utcnow()).can

    assert can(member) == views.ForumPermissions(
        propose=True, see_own=True, see_ready=False, filter_hidden=False
    )
    assert (can(governor).see_ready, can(governor).filter_hidden) == (True, True)
    assert (can(suspended).propose, can(suspended).see_own) == (False, True)


def test_my_forum_lists_my_proposals_and_what_i_support_as_i_may_see_them(
    session: Session,
) -> None:
    me, governor = make_member(session), make_member(session, roles=(Role.GOVERNOR,))
    mine = make_proposal(session, me, title="Mine")
    theirs = make_proposal(session, make_member(session), title="Theirs")
    forum.support(session, theirs, member_id=mid(me), now=utcnow())
    forum.hide_proposal(session, theirs, reason="Spam", actor_id=mid(governor), now=utcnow())
    shown = views.my_forum(session, as_viewer(session, me), utcnow())
    assert [v.proposal.id for v in shown.proposed] == [mine.id]
    assert shown.supported == []  # hidden from me now
