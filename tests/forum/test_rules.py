from datetime import timedelta

import pytest

from coopvote.clock import utcnow
from coopvote.cooperative.models import CooperativeSettings
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
