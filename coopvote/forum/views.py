"""The forum's read models and queries: proposals and their discussion as pages and the API
show them, to a viewer, as the rules let that viewer see them. What each page offers the
viewer besides is in ``page_views``.

Nothing here writes: no ``add``, ``flush`` or row lock (a test keeps it so). Statuses such as
"ready for ballot" and "carried" are derived from live support and from the published result
of a proposal's ballot each time they are read, never stored by a read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from coopvote.ballots.models import Ballot, BallotStatus
from coopvote.ballots.rules import status_at
from coopvote.cooperative import views as cooperative
from coopvote.errors import NotFound
from coopvote.forum import rules
from coopvote.forum.models import Comment, Proposal, ProposalStatus, Support
from coopvote.forum.rules import Viewer as Viewer  # who is looking, re-exported for callers
from coopvote.members.models import (
    IN_OFFICE,
    Member,
    MemberRole,
    MemberStatus,
    Organisation,
    Role,
)
from coopvote.members.views import organisations
from coopvote.paging import Page
from coopvote.results import views as results
from coopvote.tally.types import Outcome

P = ProposalStatus
#: The scope filter's value for proposals that concern the whole trust.
WHOLE_TRUST = "whole-trust"


@dataclass(frozen=True)
class ProposalView:
    """A proposal as pages and the API show it, with everything derived from live data."""

    proposal: Proposal
    status: ProposalStatus
    author: Member
    organisation: Organisation | None
    #: Supporters who are active members now.
    supporters: int
    support_needed: int
    ballot: Ballot | None
    ballot_status: BallotStatus | None
    outcome: Outcome | None
    #: Whether the viewer it was described for supports it (false when described for nobody).
    supported: bool = False
    #: Why the governors hid it, for a viewer who may know (``rules.can_see_hiding_reason``).
    hiding_reason: str | None = None


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    author: Member
    #: Why the governors hid it, for a viewer who may know.
    hiding_reason: str | None = None


@dataclass(frozen=True)
class ProposalQuery:
    search: str = ""
    status: ProposalStatus | None = None
    #: ``""`` for any scope, ``WHOLE_TRUST``, or an organisation's slug.
    scope: str = ""
    page: int = 1
    per_page: int = 20


# Who is looking


def viewer_of(session: Session, member_id: int) -> Viewer:
    """The viewer a member is, from the offices they hold while in office (the web layer
    builds the same from the signed-in principal)."""
    governs = session.exec(
        select(MemberRole.member_id)
        .join(Member, col(Member.id) == MemberRole.member_id)
        .where(
            MemberRole.member_id == member_id,
            MemberRole.role == Role.GOVERNOR,
            col(Member.status).in_(IN_OFFICE),
        )
    ).first()
    return Viewer(member_id, is_governor=governs is not None)


def member(session: Session, member_id: int) -> Member:
    """The member with this internal id; raises ``NotFound``."""
    found = session.get(Member, member_id)
    if found is None:
        raise NotFound("No such member.")
    return found


# Finding what the path names


def get_proposal(session: Session, public_id: str, viewer: Viewer) -> Proposal:
    """A proposal the viewer may see: a hidden one exists only for its author and governors."""
    proposal = session.exec(select(Proposal).where(Proposal.public_id == public_id)).first()
    if proposal is None or not rules.can_see(proposal, viewer):
        # A fresh error rather than the verdict's own: raising an exception that a verdict
        # holds ties it to its traceback in a reference cycle, and the web layer finds the
        # proposal while it resolves a request's dependencies, where such a cycle would keep
        # the request's transaction open until the garbage collector ran.
        raise NotFound("No such proposal.")
    return proposal


def get_comment(session: Session, proposal: Proposal, comment_id: str, viewer: Viewer) -> Comment:
    """A comment on the proposal, by the id in its URL, if the viewer may see it."""
    comment = (
        session.get(Comment, int(comment_id))
        if comment_id.isascii() and comment_id.isdigit() and len(comment_id) < 19
        else None
    )
    if comment is None or comment.proposal_id != proposal.id:
        raise NotFound("No such comment.")
    rules.can_see_comment(comment, viewer).ensure()
    return comment


# Support


def has_supported(session: Session, proposal: Proposal, member_id: int) -> bool:
    found = session.exec(
        select(Support.id).where(Support.proposal_id == proposal.id, Support.member_id == member_id)
    ).first()
    return found is not None


def has_any_support(session: Session, proposal: Proposal) -> bool:
    """Whether anyone, active now or not, has supported it: they backed the words they read."""
    found = session.exec(select(Support.id).where(Support.proposal_id == proposal.id)).first()
    return found is not None


def support_count(session: Session, proposal: Proposal) -> int:
    return _support_counts(session, [proposal]).get(proposal.id or 0, 0)


def _support_counts(session: Session, proposals: Sequence[Proposal]) -> dict[int, int]:
    """Live support: only supporters who are active members now count."""
    rows = session.exec(
        select(Support.proposal_id, func.count())
        .join(Member, col(Member.id) == Support.member_id)
        .where(
            col(Support.proposal_id).in_([p.id for p in proposals]),
            Member.status == MemberStatus.ACTIVE,
        )
        .group_by(col(Support.proposal_id))
    ).all()
    return dict(rows)


def _supported_among(session: Session, proposals: Sequence[Proposal], member_id: int) -> set[int]:
    rows = session.exec(
        select(Support.proposal_id).where(
            Support.member_id == member_id,
            col(Support.proposal_id).in_([p.id for p in proposals]),
        )
    ).all()
    return set(rows)


def _active_members_by_organisation(session: Session) -> dict[int | None, int]:
    rows = session.exec(
        select(Member.organisation_id, func.count())
        .where(Member.status == MemberStatus.ACTIVE)
        .group_by(col(Member.organisation_id))
    ).all()
    return dict(rows)


# Describing proposals


def published_outcome(session: Session, ballot: Ballot) -> Outcome | None:
    """The outcome of the proposal's ballot once its result is published; ``None`` before."""
    if ballot.status is not BallotStatus.PUBLISHED:
        return None
    return Outcome(results.published(session, ballot).result["outcome"])


def describe(
    session: Session, proposal: Proposal, now: datetime, viewer: Viewer | None = None
) -> ProposalView:
    return describe_many(session, [proposal], now, viewer)[0]


def describe_many(
    session: Session,
    proposals: Sequence[Proposal],
    now: datetime,
    viewer: Viewer | None = None,
) -> list[ProposalView]:
    """Views of many proposals in a handful of queries, whatever their number. For a
    ``viewer``, each also says whether they support it and, if they may know, why it was
    hidden; for nobody, neither."""
    if not proposals:
        return []
    settings = cooperative.current(session)
    active = _active_members_by_organisation(session)
    supporters = _support_counts(session, proposals)
    supported = _supported_among(session, proposals, viewer.member_id) if viewer else set()
    authors = {
        m.id: m
        for m in session.exec(
            select(Member).where(col(Member.id).in_({p.author_id for p in proposals}))
        )
    }
    by_id = {o.id: o for o in organisations(session)}
    linked = {
        b.id: b
        for b in session.exec(
            select(Ballot).where(col(Ballot.id).in_({p.ballot_id for p in proposals}))
        )
    }
    views = []
    for p in proposals:
        in_scope = (
            sum(active.values()) if p.organisation_id is None else active.get(p.organisation_id, 0)
        )
        needed = rules.support_needed(settings, in_scope)
        count = supporters.get(p.id or 0, 0)
        ballot = linked.get(p.ballot_id) if p.ballot_id else None
        outcome = published_outcome(session, ballot) if ballot else None
        views.append(
            ProposalView(
                proposal=p,
                status=rules.status(
                    p,
                    supporters=count,
                    needed=needed,
                    outcome=outcome,
                    ballot_cancelled=ballot is not None and ballot.status is BallotStatus.CANCELLED,
                ),
                author=authors[p.author_id],
                organisation=by_id.get(p.organisation_id) if p.organisation_id else None,
                supporters=count,
                support_needed=needed,
                ballot=ballot,
                ballot_status=status_at(ballot, now) if ballot else None,
                outcome=outcome,
                supported=p.id in supported,
                hiding_reason=_hiding_reason(p, viewer),
            )
        )
    return views


def _hiding_reason(hidden: Proposal | Comment, viewer: Viewer | None) -> str | None:
    if viewer is None or not hidden.hidden_reason:
        return None
    return hidden.hidden_reason if rules.can_see_hiding_reason(hidden, viewer) else None


# Lists


def browse(
    session: Session, query: ProposalQuery, viewer: Viewer, now: datetime
) -> Page[ProposalView]:
    """Proposals matching the filters that the viewer may see, newest first.

    Statuses such as "ready for ballot" depend on live support and on published results, so
    the page is cut after they are derived; a co-operative's forum holds hundreds of
    proposals, which a few grouped queries describe at once.
    """
    statement = select(Proposal)
    if query.scope == WHOLE_TRUST:
        statement = statement.where(col(Proposal.organisation_id).is_(None))
    elif query.scope:
        statement = statement.join(Organisation).where(Organisation.slug == query.scope)
    if query.search.strip():
        pattern = f"%{query.search.strip().lower()}%"
        statement = statement.where(
            or_(func.lower(Proposal.title).like(pattern), func.lower(Proposal.body).like(pattern))
        )
    found = session.exec(
        statement.order_by(col(Proposal.created_at).desc(), col(Proposal.id).desc())
    ).all()
    visible = [p for p in found if rules.can_see(p, viewer)]
    views = [
        v
        for v in describe_many(session, visible, now, viewer)
        if query.status is None or v.status is query.status
    ]
    page = max(1, query.page)
    start = (page - 1) * query.per_page
    return Page(views[start : start + query.per_page], len(views), page, query.per_page)


def ready_for_ballot(session: Session, now: datetime) -> list[ProposalView]:
    """Open proposals whose live support has reached the threshold, oldest first."""
    open_ones = session.exec(
        select(Proposal).where(Proposal.status == P.OPEN).order_by(col(Proposal.created_at))
    ).all()
    return [v for v in describe_many(session, open_ones, now) if v.status is P.READY_FOR_BALLOT]


def proposed_by(
    session: Session, member_id: int, viewer: Viewer, now: datetime
) -> list[ProposalView]:
    """A member's proposals, newest first, as far as the viewer may see them."""
    made = session.exec(
        select(Proposal)
        .where(Proposal.author_id == member_id)
        .order_by(col(Proposal.created_at).desc())
    ).all()
    return describe_many(session, [p for p in made if rules.can_see(p, viewer)], now, viewer)


def supported_by(
    session: Session, member_id: int, viewer: Viewer, now: datetime
) -> list[ProposalView]:
    """What a member supports, most recent support first, as far as the viewer may see it."""
    backed = session.exec(
        select(Proposal)
        .join(Support, col(Support.proposal_id) == Proposal.id)
        .where(Support.member_id == member_id)
        .order_by(col(Support.at).desc())
    ).all()
    return describe_many(session, [p for p in backed if rules.can_see(p, viewer)], now, viewer)


# The discussion


def comments(session: Session, proposal: Proposal, viewer: Viewer) -> list[CommentView]:
    """The discussion, oldest first. Comments by members who are no longer active stop
    counting and are not shown; a hidden comment is shown only to its author and governors."""
    rows = session.exec(
        select(Comment, Member)
        .join(Member, col(Member.id) == Comment.author_id)
        .where(Comment.proposal_id == proposal.id, Member.status == MemberStatus.ACTIVE)
        .order_by(col(Comment.created_at), col(Comment.id))
    ).all()
    return [
        CommentView(comment, author, _hiding_reason(comment, viewer))
        for comment, author in rows
        if rules.can_see_comment(comment, viewer)
    ]


def comment_view(session: Session, comment: Comment, viewer: Viewer) -> CommentView:
    """One comment, as the viewer sees it (the API answers a change to a comment with it)."""
    return CommentView(comment, member(session, comment.author_id), _hiding_reason(comment, viewer))
