"""Forum rules, pure: how much support a proposal needs, what status it is in, and who may see
and do what to it when.

The service checks them before it changes anything, and the read models (``views``) ask the
same questions to decide what a page or the API shows and offers, so the two cannot drift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from coopvote.ballots import rules as ballot_rules
from coopvote.ballots.models import Ballot
from coopvote.cooperative.models import CooperativeSettings
from coopvote.errors import YES, Conflict, InvalidInput, NotAllowed, NotFound, Verdict
from coopvote.forum.models import Comment, Proposal, ProposalStatus
from coopvote.members.models import Member, MemberStatus, Role
from coopvote.tally.types import Outcome

P = ProposalStatus

#: How long a member may correct a comment after posting it: long enough to fix a typo,
#: short enough that replies are not left answering words that have changed.
COMMENT_EDIT_WINDOW = timedelta(minutes=15)
TITLE_MAX = 200
BODY_MAX = 19_000
COMMENT_MAX = 5_000
REASON_MAX = 1_000
ALREADY_SUPPORTED = "You support this proposal already."


@dataclass(frozen=True)
class Viewer:
    """Who is looking or acting, as far as the forum's rules need to know: governors moderate
    and put proposals to ballots, and see what they hid; authors see their own hidden work."""

    member_id: int
    is_governor: bool
    #: Holds a membership (office holders who are not members have no ballot papers).
    is_member: bool = True


def support_needed(settings: CooperativeSettings, active_in_scope: int) -> int:
    """Supporters a proposal needs: the fixed number when the co-operative set one, otherwise
    the percentage of active members in the proposal's scope, rounded up, but at least the
    minimum. Integer arithmetic, so 5 % of 40 is exactly 2."""
    if settings.support_threshold_count is not None:
        return settings.support_threshold_count
    share = -(-active_in_scope * settings.support_threshold_percent // 100)
    return max(settings.support_threshold_minimum, share)


def status(
    proposal: Proposal,
    *,
    supporters: int,
    needed: int,
    outcome: Outcome | None,
    ballot_cancelled: bool = False,
) -> ProposalStatus:
    """The status members see, from the stored one, the live support and the ballot's outcome.

    A proposal whose ballot was cancelled was never decided: it is open again (or ready for a
    new ballot, if its support still reaches the threshold)."""
    reopened = proposal.status is P.BALLOTED and ballot_cancelled
    if (proposal.status is P.OPEN or reopened) and supporters >= needed:
        return P.READY_FOR_BALLOT
    if reopened:
        return P.OPEN
    if proposal.status is P.BALLOTED and outcome is Outcome.CARRIED:
        return P.CARRIED
    if proposal.status is P.BALLOTED and outcome in {Outcome.NOT_CARRIED, Outcome.VOID}:
        # A void ballot (quorum not met) decided nothing: the proposal was not carried.
        return P.NOT_CARRIED
    return proposal.status


def in_scope(member: Member, organisation_id: int | None) -> bool:
    """A whole-trust proposal concerns every member; an organisation's, only its members."""
    return organisation_id is None or member.organisation_id == organisation_id


def _active(member: Member, doing: str) -> Verdict:
    if member.status is not MemberStatus.ACTIVE:
        return Verdict(NotAllowed(f"Only active members can {doing}."))
    return YES


def _governor(viewer: Viewer, doing: str) -> Verdict:
    if not viewer.is_governor:
        return Verdict(NotAllowed(f"Only governors can {doing}."))
    return YES


def _author_or_governor(author_id: int, viewer: Viewer) -> bool:
    return viewer.is_governor or viewer.member_id == author_id


def can_see(proposal: Proposal, viewer: Viewer) -> Verdict:
    """A hidden proposal exists only for its author and the governors: anyone else is told
    that there is no such proposal, not that it was hidden."""
    if proposal.status is P.HIDDEN and not _author_or_governor(proposal.author_id, viewer):
        return Verdict(NotFound("No such proposal."))
    return YES


def can_see_comment(comment: Comment, viewer: Viewer) -> Verdict:
    """Likewise a hidden comment, for its author and the governors only."""
    if comment.hidden_at is not None and not _author_or_governor(comment.author_id, viewer):
        return Verdict(NotFound("No such comment."))
    return YES


def can_see_hiding_reason(hidden: Proposal | Comment, viewer: Viewer) -> Verdict:
    """The reason governors give for hiding something is told to its author, so they know
    why, and to the governors; to nobody else."""
    if not _author_or_governor(hidden.author_id, viewer):
        return Verdict(NotAllowed("Only its author and the governors see why it was hidden."))
    return YES


def can_take_part(member: Member) -> Verdict:
    """Members, whatever their status, have proposals and supports of their own to look back
    on; an officer who holds no membership only reads the forum."""
    if member.status is MemberStatus.NON_MEMBER:
        return Verdict(NotAllowed("Only members take part in the forum."))
    return YES


def can_moderate(viewer: Viewer) -> Verdict:
    """Governors moderate the forum: they hide proposals and comments, and see all they hid."""
    return _governor(viewer, "moderate the forum")


def can_call_ballots(viewer: Viewer) -> Verdict:
    """Governors put proposals with enough support to the members in a ballot."""
    return _governor(viewer, "put proposals to a ballot")


def can_see_ballot(ballot: Ballot, viewer: Viewer, now: datetime) -> Verdict:
    """A proposal's ballot is linked for those who may open its page: members (the page is
    a member's paper), subject to the ballots' own rule on drafts."""
    if not viewer.is_member:
        return Verdict(NotAllowed("A ballot's page is for members."))
    return ballot_rules.can_see(ballot, {Role.GOVERNOR} if viewer.is_governor else set(), now)


def can_propose(member: Member, organisation_id: int | None) -> Verdict:
    if not (verdict := _active(member, "make proposals")):
        return verdict
    if not in_scope(member, organisation_id):
        return Verdict(NotAllowed("You can make proposals for your own organisation only."))
    return YES


def can_edit(proposal: Proposal, member: Member, *, has_support: bool) -> Verdict:
    """Only until the first support: supporters backed the words they read."""
    if member.id != proposal.author_id:
        return Verdict(NotAllowed("Only the author can edit a proposal."))
    if not (verdict := _active(member, "edit proposals")):
        return verdict
    if proposal.status is not P.OPEN:
        return Verdict(Conflict(f"This proposal is {proposal.status.value}: it cannot be edited."))
    if has_support:
        return Verdict(Conflict("This proposal has support already: it can no longer be edited."))
    return YES


def can_withdraw(proposal: Proposal, member: Member) -> Verdict:
    if member.id != proposal.author_id:
        return Verdict(NotAllowed("Only the author can withdraw a proposal."))
    if proposal.status is not P.OPEN:
        return Verdict(
            Conflict(f"This proposal is {proposal.status.value}: it cannot be withdrawn.")
        )
    return YES


def can_support(
    proposal: Proposal, member: Member, current: ProposalStatus, *, has_supported: bool = False
) -> Verdict:
    """``current`` is the status members see (``status``), not only the stored one: a proposal
    whose ballot was cancelled gathers support again. Once per member: the database's unique
    constraint keeps that when two requests race, ``has_supported`` says it beforehand."""
    if not (verdict := _active(member, "support proposals")):
        return verdict
    if member.id == proposal.author_id:
        return Verdict(NotAllowed("Support comes from other members, not from the author."))
    if not in_scope(member, proposal.organisation_id):
        return Verdict(NotAllowed("This proposal is for another organisation's members."))
    if current not in {P.OPEN, P.READY_FOR_BALLOT}:
        shown = current.value.replace("_", " ")
        return Verdict(Conflict(f"This proposal is {shown}: support is closed."))
    if has_supported:
        return Verdict(Conflict(ALREADY_SUPPORTED))
    return YES


def can_withdraw_support(proposal: Proposal, *, has_supported: bool) -> Verdict:
    if not has_supported:
        return Verdict(Conflict("You do not support this proposal."))
    if proposal.status is not P.OPEN:
        return Verdict(
            Conflict(f"This proposal is {proposal.status.value}: support can no longer change.")
        )
    return YES


def can_comment(proposal: Proposal, member: Member) -> Verdict:
    if not (verdict := _active(member, "comment")):
        return verdict
    if proposal.status not in {P.OPEN, P.BALLOTED}:
        return Verdict(Conflict(f"This proposal is {proposal.status.value}: discussion is closed."))
    return YES


def can_edit_comment(comment: Comment, member: Member, now: datetime) -> Verdict:
    if member.id != comment.author_id:
        return Verdict(NotAllowed("Only its author can edit a comment."))
    if not (verdict := _active(member, "edit comments")):
        return verdict
    if comment.hidden_at is not None:
        return Verdict(Conflict("This comment was hidden: it cannot be edited."))
    if now > comment.created_at + COMMENT_EDIT_WINDOW:
        minutes = COMMENT_EDIT_WINDOW.seconds // 60
        return Verdict(Conflict(f"Comments can be edited for {minutes} minutes after posting."))
    return YES


def can_hide(proposal: Proposal, viewer: Viewer) -> Verdict:
    """A balloted proposal's text is the ballot's notice now: hiding it would hide nothing."""
    if not (verdict := can_moderate(viewer)):
        return verdict
    if proposal.status not in {P.OPEN, P.WITHDRAWN}:
        return Verdict(Conflict(f"This proposal is {proposal.status.value}: it cannot be hidden."))
    return YES


def can_hide_comment(comment: Comment, viewer: Viewer) -> Verdict:
    if not (verdict := can_moderate(viewer)):
        return verdict
    if comment.hidden_at is not None:
        return Verdict(Conflict("This comment is hidden already."))
    return YES


def can_promote(current: ProposalStatus, viewer: Viewer) -> Verdict:
    """``current`` is the status members see: support must have reached the threshold."""
    if not (verdict := can_call_ballots(viewer)):
        return verdict
    if current is not P.READY_FOR_BALLOT:
        return Verdict(
            Conflict(
                f"This proposal is {current.value.replace('_', ' ')}: only a proposal with "
                "enough support can go to a ballot."
            )
        )
    return YES


def text_problems(title: str, body: str) -> dict[str, str]:
    problems = {}
    if not title.strip():
        problems["title"] = "Give the proposal a title."
    elif len(title) > TITLE_MAX:
        problems["title"] = f"Keep the title under {TITLE_MAX} characters."
    if not body.strip():
        problems["body"] = "Say what you propose and why."
    elif len(body) > BODY_MAX:
        problems["body"] = f"Keep the proposal under {BODY_MAX:,} characters."
    return problems


#: A comment identical to the author's last on the same proposal, sent this soon after it, is
#: the same comment sent twice (a double click, a resent form), and is stored once.
REPEAT_WINDOW = timedelta(seconds=30)


def is_repeat(last: Comment, body: str, now: datetime) -> bool:
    """Whether ``body`` repeats ``last`` (the author's latest comment on the proposal)."""
    return last.body == body and now - last.created_at <= REPEAT_WINDOW


def comment_problem(body: str) -> str | None:
    if not body.strip():
        return "Write a comment."
    if len(body) > COMMENT_MAX:
        return f"Keep comments under {COMMENT_MAX:,} characters."
    return None


def moderation_reason(text: str) -> str:
    """A moderation reason: the author is told it, so one is required."""
    if not text.strip():
        raise InvalidInput(
            "Give a reason: the author will see it.", field_errors={"reason": "Give a reason."}
        )
    return text.strip()[:REASON_MAX]
