from datetime import UTC, datetime, timedelta

import pytest

from coopvote.ballots.models import Ballot, BallotStatus, Method
from coopvote.clock import utcnow
from coopvote.cooperative.models import CooperativeSettings
from coopvote.errors import Conflict, NotAllowed, NotFound
from coopvote.forum import rules
from coopvote.forum.models import Comment, Proposal, ProposalStatus
from coopvote.members.models import Member, MemberStatus
from coopvote.tally.types import Outcome

P = ProposalStatus


def settings(count: int | None = None, percent: int = 5, minimum: int = 2) -> CooperativeSettings:
    return CooperativeSettings(
        support_threshold_count=count,
        support_threshold_percent=percent,
        support_threshold_minimum=minimum,
    )


@pytest.mark.parametrize(
    ("active", "needed"),
    [(0, 2), (20, 2), (40, 2), (41, 3), (100, 5), (101, 6), (1000, 50)],
)
def test_the_default_threshold_is_five_percent_rounded_up_and_at_least_two(
    active: int, needed: int
) -> None:
    assert rules.support_needed(settings(), active) == needed


def test_a_percentage_threshold_follows_the_setting_and_its_minimum() -> None:
    assert rules.support_needed(settings(percent=10, minimum=3), 25) == 3
    assert rules.support_needed(settings(percent=10, minimum=3), 45) == 5


def test_a_fixed_count_ignores_the_size_of_the_scope() -> None:
    assert rules.support_needed(settings(count=7), 10) == 7
    assert rules.support_needed(settings(count=7), 10_000) == 7


def proposal(status: ProposalStatus = P.OPEN) -> Proposal:
    return Proposal(
        public_id="p", author_id=1, title="t", body="b", status=status, created_at=utcnow()
    )


@pytest.mark.parametrize(
    ("stored", "supporters", "outcome", "shown"),
    [
        (P.OPEN, 1, None, P.OPEN),
        (P.OPEN, 2, None, P.READY_FOR_BALLOT),
        (P.BALLOTED, 2, None, P.BALLOTED),
        (P.BALLOTED, 2, Outcome.CARRIED, P.CARRIED),
        (P.BALLOTED, 2, Outcome.NOT_CARRIED, P.NOT_CARRIED),
        (P.BALLOTED, 2, Outcome.VOID, P.NOT_CARRIED),
        (P.WITHDRAWN, 5, None, P.WITHDRAWN),
        (P.HIDDEN, 5, None, P.HIDDEN),
    ],
)
def test_the_status_members_see(
    stored: ProposalStatus, supporters: int, outcome: Outcome | None, shown: ProposalStatus
) -> None:
    assert rules.status(proposal(stored), supporters=supporters, needed=2, outcome=outcome) is shown


def member(member_id: int, status: MemberStatus = MemberStatus.ACTIVE, org: int = 1) -> Member:
    return Member(
        id=member_id,
        public_id=str(member_id),
        name="m",
        email=f"{member_id}@example.org",
        password_hash="x",
        status=status,
        organisation_id=org,
        applied_at=utcnow(),
    )


def test_support_comes_from_other_active_members_in_scope_while_open() -> None:
    p = proposal()
    p.organisation_id = 1
    assert rules.can_support(p, member(2), p.status)
    assert not rules.can_support(p, member(1), p.status)  # the author
    assert not rules.can_support(p, member(2, MemberStatus.SUSPENDED), p.status)
    assert not rules.can_support(p, member(2, org=9), p.status)
    assert not rules.can_support(proposal(P.WITHDRAWN), member(2), P.WITHDRAWN)


def test_the_author_edits_only_until_the_first_support() -> None:
    assert rules.can_edit(proposal(), member(1), has_support=False)
    assert not rules.can_edit(proposal(), member(1), has_support=True)
    assert not rules.can_edit(proposal(), member(2), has_support=False)


def test_comments_can_be_edited_within_the_window_only() -> None:
    posted = utcnow()
    comment = Comment(proposal_id=1, author_id=2, body="hi", created_at=posted)
    assert rules.can_edit_comment(comment, member(2), posted + rules.COMMENT_EDIT_WINDOW)
    late = posted + rules.COMMENT_EDIT_WINDOW + timedelta(seconds=1)
    assert not rules.can_edit_comment(comment, member(2), late)
    assert not rules.can_edit_comment(comment, member(3), posted)


AUTHOR, OTHER, GOVERNOR = rules.Viewer(1, False), rules.Viewer(2, False), rules.Viewer(3, True)


def test_a_hidden_proposal_exists_only_for_its_author_and_the_governors() -> None:
    assert rules.can_see(proposal(), OTHER)
    hidden = proposal(P.HIDDEN)
    assert rules.can_see(hidden, AUTHOR)
    assert rules.can_see(hidden, GOVERNOR)
    refused = rules.can_see(hidden, OTHER)
    assert not refused
    assert isinstance(refused.refusal, NotFound)  # as if there were none


def test_a_hidden_comment_and_every_hiding_reason_are_for_the_author_and_governors() -> None:
    comment = Comment(proposal_id=1, author_id=1, body="hi", created_at=utcnow())
    assert rules.can_see_comment(comment, OTHER)
    comment.hidden_at, comment.hidden_reason = utcnow(), "Tone"
    assert [bool(rules.can_see_comment(comment, v)) for v in (AUTHOR, OTHER, GOVERNOR)] == [
        True,
        False,
        True,
    ]
    hidden = proposal(P.HIDDEN)
    assert [bool(rules.can_see_hiding_reason(hidden, v)) for v in (AUTHOR, OTHER, GOVERNOR)] == [
        True,
        False,
        True,
    ]
    assert not rules.can_see_hiding_reason(comment, OTHER)


def test_only_governors_moderate_and_only_what_can_still_be_hidden() -> None:
    assert rules.can_hide(proposal(), GOVERNOR)
    assert rules.can_hide(proposal(P.WITHDRAWN), GOVERNOR)
    refused = rules.can_hide(proposal(), AUTHOR)
    assert isinstance(refused.refusal, NotAllowed)
    assert isinstance(rules.can_hide(proposal(P.BALLOTED), GOVERNOR).refusal, Conflict)
    comment = Comment(proposal_id=1, author_id=1, body="hi", created_at=utcnow())
    assert rules.can_hide_comment(comment, GOVERNOR)
    assert not rules.can_hide_comment(comment, OTHER)
    comment.hidden_at = utcnow()
    assert isinstance(rules.can_hide_comment(comment, GOVERNOR).refusal, Conflict)
    assert rules.can_moderate(GOVERNOR)
    assert not rules.can_moderate(AUTHOR)


def test_only_governors_put_a_proposal_with_enough_support_to_a_ballot() -> None:
    assert rules.can_promote(P.READY_FOR_BALLOT, GOVERNOR)
    assert isinstance(rules.can_promote(P.READY_FOR_BALLOT, OTHER).refusal, NotAllowed)
    assert isinstance(rules.can_promote(P.OPEN, GOVERNOR).refusal, Conflict)
    assert rules.can_call_ballots(GOVERNOR)
    assert not rules.can_call_ballots(OTHER)


def ballot(status: BallotStatus, now: datetime) -> Ballot:
    return Ballot(
        public_id="b",
        title="A resolution",
        method=Method.RESOLUTION,
        status=status,
        created_at=now,
        closes_at=now + timedelta(days=7),
    )


def test_a_draft_ballot_is_shown_to_governors_only() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    draft, opened = ballot(BallotStatus.DRAFT, now), ballot(BallotStatus.OPEN, now)
    assert rules.can_see_ballot(draft, GOVERNOR, now)
    assert not rules.can_see_ballot(draft, OTHER, now)
    assert rules.can_see_ballot(opened, OTHER, now)


def test_a_ballot_is_linked_only_for_members_whose_page_it_is() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    opened = ballot(BallotStatus.OPEN, now)
    auditor = rules.Viewer(4, is_governor=False, is_member=False)
    assert isinstance(rules.can_see_ballot(opened, auditor, now).refusal, NotAllowed)


def test_support_is_once_per_member() -> None:
    p = proposal()
    assert rules.can_support(p, member(2), p.status, has_supported=False)
    refused = rules.can_support(p, member(2), p.status, has_supported=True)
    assert isinstance(refused.refusal, Conflict)


def test_officers_who_hold_no_membership_only_read_the_forum() -> None:
    assert rules.can_take_part(member(2))
    assert rules.can_take_part(member(2, MemberStatus.SUSPENDED))
    assert not rules.can_take_part(member(2, MemberStatus.NON_MEMBER))
