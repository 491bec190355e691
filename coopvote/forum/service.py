"""Forum proposals: writing, supporting, discussing, moderating, and promoting one with enough
support to a binding resolution ballot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot, BallotStatus, Method, Threshold
from coopvote.ballots.rules import Definition, status_at
from coopvote.cooperative import views as cooperative
from coopvote.db.types import new_public_id
from coopvote.errors import Conflict, InvalidInput, NotFound
from coopvote.forum import rules
from coopvote.forum.models import Comment, Proposal, ProposalStatus, Support
from coopvote.members.models import Member, MemberStatus, Organisation
from coopvote.members.views import organisation_by_slug, organisations
from coopvote.paging import Page
from coopvote.results import views as result_views
from coopvote.tally.types import Outcome

P = ProposalStatus
#: The scope filter's value for proposals that concern the whole trust.
WHOLE_TRUST = "whole-trust"


@dataclass(frozen=True)
class Viewer:
    """Who is looking: hidden proposals and comments are shown to their authors and governors."""

    member_id: int
    is_governor: bool


@dataclass(frozen=True)
class ProposalText:
    title: str
    body: str
    #: An organisation's slug, or ``None`` for the whole trust.
    organisation: str | None = None


@dataclass(frozen=True)
class BallotSchedule:
    """What a governor adds to a proposal to make it a ballot."""

    closes_at: datetime | None
    opens_at: datetime | None = None
    threshold: Threshold = Threshold.SIMPLE


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


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    author: Member


@dataclass(frozen=True)
class ProposalQuery:
    search: str = ""
    status: ProposalStatus | None = None
    #: ``""`` for any scope, ``WHOLE_TRUST``, or an organisation's slug.
    scope: str = ""
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class Permissions:
    """What the viewer may do on a proposal's page, so templates show only what will work."""

    edit: bool
    withdraw: bool
    support: bool
    withdraw_support: bool
    comment: bool
    hide: bool
    promote: bool
    #: Ids of the comments the viewer may still edit.
    editable_comments: frozenset[int]


def subject(proposal: Proposal) -> str:
    return f"proposal:{proposal.public_id}"


def _audit(
    session: Session,
    proposal: Proposal,
    action: str,
    *,
    actor_id: int,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action=action,
        subject=subject(proposal),
        now=now,
        data=data,
    )


def _member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound("No such member.")
    return member


def _lock(session: Session, proposal: Proposal) -> None:
    """Reload the proposal under a row lock (PostgreSQL; SQLite serialises writers anyway), so
    that an edit and a first support, or two promotions, cannot both pass their checks."""
    session.refresh(proposal, with_for_update=True)


def _organisation_id(session: Session, slug: str | None) -> int | None:
    if not slug:
        return None
    organisation = organisation_by_slug(session, slug)
    if organisation is None:
        raise InvalidInput(
            f"Unknown organisation: {slug}.", field_errors={"organisation": "Choose a scope."}
        )
    return organisation.id


def _check_text(text: ProposalText) -> None:
    problems = rules.text_problems(text.title, text.body)
    if problems:
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)


def create_proposal(
    session: Session, text: ProposalText, *, author_id: int, now: datetime
) -> Proposal:
    author = _member(session, author_id)
    organisation_id = _organisation_id(session, text.organisation)
    rules.can_propose(author, organisation_id).ensure()
    _check_text(text)
    proposal = Proposal(
        public_id=new_public_id(),
        author_id=author_id,
        title=text.title.strip(),
        body=text.body,
        organisation_id=organisation_id,
        status=P.OPEN,
        created_at=now,
    )
    session.add(proposal)
    session.flush()
    _audit(
        session,
        proposal,
        "proposal.created",
        actor_id=author_id,
        now=now,
        data={"title": proposal.title, "scope": text.organisation or WHOLE_TRUST},
    )
    return proposal


def edit_proposal(
    session: Session, proposal: Proposal, text: ProposalText, *, actor_id: int, now: datetime
) -> Proposal:
    _lock(session, proposal)
    actor = _member(session, actor_id)
    rules.can_edit(proposal, actor, has_support=_has_any_support(session, proposal)).ensure()
    organisation_id = _organisation_id(session, text.organisation)
    rules.can_propose(actor, organisation_id).ensure()
    _check_text(text)
    proposal.title, proposal.body = text.title.strip(), text.body
    proposal.organisation_id, proposal.edited_at = organisation_id, now
    session.add(proposal)
    session.flush()
    _audit(
        session,
        proposal,
        "proposal.edited",
        actor_id=actor_id,
        now=now,
        data={"title": proposal.title, "scope": text.organisation or WHOLE_TRUST},
    )
    return proposal


def withdraw_proposal(
    session: Session, proposal: Proposal, *, actor_id: int, now: datetime
) -> Proposal:
    _lock(session, proposal)
    rules.can_withdraw(proposal, _member(session, actor_id)).ensure()
    proposal.status, proposal.withdrawn_at = P.WITHDRAWN, now
    session.add(proposal)
    session.flush()
    _audit(session, proposal, "proposal.withdrawn", actor_id=actor_id, now=now)
    return proposal


def hide_proposal(
    session: Session, proposal: Proposal, *, reason: str, actor_id: int, now: datetime
) -> Proposal:
    _lock(session, proposal)
    rules.can_hide(proposal).ensure()
    proposal.hidden_reason = rules.moderation_reason(reason)
    proposal.status, proposal.hidden_at, proposal.hidden_by = P.HIDDEN, now, actor_id
    session.add(proposal)
    session.flush()
    _audit(
        session,
        proposal,
        "proposal.hidden",
        actor_id=actor_id,
        now=now,
        data={"reason": proposal.hidden_reason},
    )
    return proposal


def support(session: Session, proposal: Proposal, *, member_id: int, now: datetime) -> None:
    _lock(session, proposal)
    current = describe(session, proposal, now).status
    rules.can_support(proposal, _member(session, member_id), current).ensure()
    try:
        # A savepoint, so that a duplicate refused by the unique constraint undoes only itself.
        with session.begin_nested():
            session.add(Support(proposal_id=proposal.id, member_id=member_id, at=now))  # type: ignore[arg-type]
    except IntegrityError:
        raise Conflict("You support this proposal already.") from None
    _audit(
        session,
        proposal,
        "support.given",
        actor_id=member_id,
        now=now,
        data={"supporters": support_count(session, proposal)},
    )


def withdraw_support(
    session: Session, proposal: Proposal, *, member_id: int, now: datetime
) -> None:
    _lock(session, proposal)
    given = session.exec(
        select(Support).where(Support.proposal_id == proposal.id, Support.member_id == member_id)
    ).first()
    rules.can_withdraw_support(proposal, has_supported=given is not None).ensure()
    session.delete(given)
    session.flush()
    _audit(
        session,
        proposal,
        "support.withdrawn",
        actor_id=member_id,
        now=now,
        data={"supporters": support_count(session, proposal)},
    )


def add_comment(
    session: Session, proposal: Proposal, body: str, *, author_id: int, now: datetime
) -> Comment:
    rules.can_comment(proposal, _member(session, author_id)).ensure()
    if problem := rules.comment_problem(body):
        raise InvalidInput(problem, field_errors={"body": problem})
    comment = Comment(proposal_id=proposal.id, author_id=author_id, body=body, created_at=now)  # type: ignore[arg-type]
    session.add(comment)
    session.flush()
    _audit(
        session,
        proposal,
        "comment.added",
        actor_id=author_id,
        now=now,
        data={"comment": comment.id},
    )
    return comment


def edit_comment(
    session: Session,
    proposal: Proposal,
    comment: Comment,
    body: str,
    *,
    actor_id: int,
    now: datetime,
) -> Comment:
    rules.can_edit_comment(comment, _member(session, actor_id), now).ensure()
    if problem := rules.comment_problem(body):
        raise InvalidInput(problem, field_errors={"body": problem})
    comment.body, comment.edited_at = body, now
    session.add(comment)
    session.flush()
    _audit(
        session,
        proposal,
        "comment.edited",
        actor_id=actor_id,
        now=now,
        data={"comment": comment.id},
    )
    return comment


def hide_comment(
    session: Session,
    proposal: Proposal,
    comment: Comment,
    *,
    reason: str,
    actor_id: int,
    now: datetime,
) -> Comment:
    rules.can_hide_comment(comment).ensure()
    comment.hidden_reason = rules.moderation_reason(reason)
    comment.hidden_at, comment.hidden_by = now, actor_id
    session.add(comment)
    session.flush()
    _audit(
        session,
        proposal,
        "comment.hidden",
        actor_id=actor_id,
        now=now,
        data={"comment": comment.id, "reason": comment.hidden_reason},
    )
    return comment


def promote_to_ballot(
    session: Session,
    proposal: Proposal,
    schedule: BallotSchedule,
    *,
    actor_id: int,
    now: datetime,
) -> Ballot:
    """Create the draft resolution ballot that puts the proposal to the members, carrying its
    text, open to the members in its scope; refused until the proposal has enough support."""
    _lock(session, proposal)
    view = describe(session, proposal, now)
    rules.can_promote(view.status).ensure()
    ballot = ballots.create_ballot(
        session,
        Definition(
            title=proposal.title,
            description=_notice(view),
            method=Method.RESOLUTION,
            threshold=schedule.threshold,
            opens_at=schedule.opens_at,
            closes_at=schedule.closes_at,
            eligible_organisations=(view.organisation.slug,) if view.organisation else (),
        ),
        actor_id=actor_id,
        now=now,
    )
    proposal.status, proposal.ballot_id, proposal.balloted_at = P.BALLOTED, ballot.id, now
    session.add(proposal)
    session.flush()
    _audit(
        session,
        proposal,
        "proposal.balloted",
        actor_id=actor_id,
        now=now,
        data={
            "ballot": ballot.public_id,
            "supporters": view.supporters,
            "support_needed": view.support_needed,
        },
    )
    return ballot


def _notice(view: ProposalView) -> str:
    """The ballot's description: the proposal's own words, then where they came from."""
    p = view.proposal
    return (
        f"{p.body.rstrip()}\n\n---\n\n*Proposed by {view.author.name} in the members' forum "
        f"([the proposal and its discussion](/forum/{p.public_id})), "
        f"with the support of {view.supporters} members.*\n"
    )


def published_outcome(session: Session, ballot: Ballot) -> Outcome | None:
    """The outcome of the proposal's ballot once its result is published; ``None`` before."""
    if ballot.status is not BallotStatus.PUBLISHED:
        return None
    return Outcome(result_views.published(session, ballot).result["outcome"])


def get_proposal(session: Session, public_id: str, viewer: Viewer) -> Proposal:
    """A proposal the viewer may see: a hidden one exists only for its author and governors."""
    proposal = session.exec(select(Proposal).where(Proposal.public_id == public_id)).first()
    if proposal is None or not _may_see(proposal.status, proposal.author_id, viewer):
        raise NotFound("No such proposal.")
    return proposal


def _may_see(status: ProposalStatus, author_id: int, viewer: Viewer) -> bool:
    return status is not P.HIDDEN or viewer.is_governor or author_id == viewer.member_id


def get_comment(session: Session, proposal: Proposal, comment_id: str) -> Comment:
    """A comment on the proposal, by the id in its URL."""
    comment = session.get(Comment, int(comment_id)) if comment_id.isdigit() else None
    if comment is None or comment.proposal_id != proposal.id:
        raise NotFound("No such comment.")
    return comment


def author_of(session: Session, comment: Comment) -> Member:
    return _member(session, comment.author_id)


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
        CommentView(comment, author)
        for comment, author in rows
        if comment.hidden_at is None or viewer.is_governor or author.id == viewer.member_id
    ]


def permissions(
    session: Session,
    view: ProposalView,
    viewer: Viewer,
    shown: Sequence[CommentView],
    now: datetime,
) -> Permissions:
    proposal, member = view.proposal, _member(session, viewer.member_id)
    supported = has_supported(session, proposal, viewer.member_id)
    has_support = _has_any_support(session, proposal)
    return Permissions(
        edit=bool(rules.can_edit(proposal, member, has_support=has_support)),
        withdraw=bool(rules.can_withdraw(proposal, member)),
        support=not supported and bool(rules.can_support(proposal, member, view.status)),
        withdraw_support=bool(rules.can_withdraw_support(proposal, has_supported=supported)),
        comment=bool(rules.can_comment(proposal, member)),
        hide=viewer.is_governor and bool(rules.can_hide(proposal)),
        promote=viewer.is_governor and bool(rules.can_promote(view.status)),
        editable_comments=frozenset(
            c.comment.id
            for c in shown
            if c.comment.id is not None and rules.can_edit_comment(c.comment, member, now)
        ),
    )


def has_supported(session: Session, proposal: Proposal, member_id: int) -> bool:
    found = session.exec(
        select(Support.id).where(Support.proposal_id == proposal.id, Support.member_id == member_id)
    ).first()
    return found is not None


def _has_any_support(session: Session, proposal: Proposal) -> bool:
    return (
        session.exec(select(Support.id).where(Support.proposal_id == proposal.id)).first()
        is not None
    )


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


def _active_members_by_organisation(session: Session) -> dict[int | None, int]:
    rows = session.exec(
        select(Member.organisation_id, func.count())
        .where(Member.status == MemberStatus.ACTIVE)
        .group_by(col(Member.organisation_id))
    ).all()
    return dict(rows)


def describe(session: Session, proposal: Proposal, now: datetime) -> ProposalView:
    return describe_many(session, [proposal], now)[0]


def describe_many(
    session: Session, proposals: Sequence[Proposal], now: datetime
) -> list[ProposalView]:
    """Views of many proposals in a handful of queries, whatever their number."""
    if not proposals:
        return []
    settings = cooperative.current(session)
    active = _active_members_by_organisation(session)
    supporters = _support_counts(session, proposals)
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
            )
        )
    return views


def browse(
    session: Session, query: ProposalQuery, viewer: Viewer, now: datetime
) -> Page[ProposalView]:
    """Proposals matching the filters, newest first.

    Statuses such as "ready for ballot" depend on live support and on published results, so
    the page is cut after they are derived; a co-operative's forum holds hundreds of
    proposals, which a few grouped queries describe at once.
    """
    statement = select(Proposal)
    if not viewer.is_governor:
        statement = statement.where(
            or_(col(Proposal.status) != P.HIDDEN, col(Proposal.author_id) == viewer.member_id)
        )
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
    views = [
        v
        for v in describe_many(session, found, now)
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


def proposed_by(session: Session, member_id: int, now: datetime) -> list[ProposalView]:
    mine = session.exec(
        select(Proposal)
        .where(Proposal.author_id == member_id)
        .order_by(col(Proposal.created_at).desc())
    ).all()
    return describe_many(session, mine, now)


def supported_by(session: Session, member_id: int, now: datetime) -> list[ProposalView]:
    supported = session.exec(
        select(Proposal)
        .join(Support, col(Support.proposal_id) == Proposal.id)
        .where(Support.member_id == member_id, Proposal.status != P.HIDDEN)
        .order_by(col(Support.at).desc())
    ).all()
    return describe_many(session, supported, now)
