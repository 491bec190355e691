"""Forum commands: writing, supporting, discussing, moderating, and promoting a proposal with
enough support to a binding resolution ballot.

Each command loads what it acts on, asks the rules, changes it, records the audit event and
flushes; the request's unit of work commits. What pages and the API show is in ``views``.
The forum sits above ballots and results: promotion creates a draft ballot through the
ballots service, and outcomes are read from published results; neither knows of the forum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot, Method, Threshold
from coopvote.ballots.rules import Definition
from coopvote.db.types import new_public_id
from coopvote.errors import Conflict, InvalidInput, NotFound
from coopvote.forum import rules, views
from coopvote.forum.models import Comment, Proposal, ProposalStatus, Support
from coopvote.forum.views import WHOLE_TRUST, ProposalView
from coopvote.mail import service as mail
from coopvote.mail.models import Notice
from coopvote.members.models import Member
from coopvote.members.views import organisation_by_slug

P = ProposalStatus


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
    private: dict[str, str] | None = None,
    about: int | None = None,
) -> None:
    """Record ``action`` on ``proposal``. ``private`` is members' free text (a title, a
    reason), kept apart from the hashed log as personal data of the member ``about`` (by
    default the proposal's author), to be erased with them (``audit.record``)."""
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action=action,
        subject=subject(proposal),
        now=now,
        data=data,
        private=private,
        about=audit.member_actor(about or proposal.author_id),
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


def _checked_scope(session: Session, author: Member, text: ProposalText) -> int | None:
    """The id of the organisation the text is for (``None``: the whole trust), once the author
    may propose there and every field is fine. Every field's problem is reported at once: an
    unknown organisation alongside the title's and the body's."""
    organisation = organisation_by_slug(session, text.organisation) if text.organisation else None
    organisation_id = organisation.id if organisation else None
    rules.can_propose(author, organisation_id).ensure()
    problems = rules.text_problems(text.title, text.body)
    if text.organisation and organisation is None:
        problems["organisation"] = "Choose a scope."
    if problems:
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    return organisation_id


def create_proposal(
    session: Session, text: ProposalText, *, author_id: int, now: datetime
) -> Proposal:
    author = _member(session, author_id)
    organisation_id = _checked_scope(session, author, text)
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
        data={"scope": text.organisation or WHOLE_TRUST},
        private={"title": proposal.title},
    )
    return proposal


def edit_proposal(
    session: Session, proposal: Proposal, text: ProposalText, *, actor_id: int, now: datetime
) -> Proposal:
    _lock(session, proposal)
    actor = _member(session, actor_id)
    rules.can_edit(proposal, actor, has_support=views.has_any_support(session, proposal)).ensure()
    organisation_id = _checked_scope(session, actor, text)
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
        data={"scope": text.organisation or WHOLE_TRUST},
        private={"title": proposal.title},
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
    rules.can_hide(proposal, views.viewer_of(session, actor_id)).ensure()
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
        private={"reason": proposal.hidden_reason},
    )
    _tell_author(session, proposal, Notice.PROPOSAL_HIDDEN, now, reason=proposal.hidden_reason)
    return proposal


def support(session: Session, proposal: Proposal, *, member_id: int, now: datetime) -> None:
    _lock(session, proposal)
    rules.can_support(
        proposal,
        _member(session, member_id),
        views.describe(session, proposal, now).status,
        has_supported=views.has_supported(session, proposal, member_id),
    ).ensure()
    try:
        # A savepoint, so that a duplicate refused by the unique constraint (two requests that
        # passed the rule at once) undoes only itself.
        with session.begin_nested():
            session.add(Support(proposal_id=proposal.id, member_id=member_id, at=now))  # type: ignore[arg-type]
    except IntegrityError:
        raise Conflict(rules.ALREADY_SUPPORTED) from None
    supporters = views.support_count(session, proposal)
    _audit(
        session,
        proposal,
        "support.given",
        actor_id=member_id,
        now=now,
        data={"supporters": supporters},
    )
    if supporters == views.describe(session, proposal, now).support_needed:
        _tell_author(session, proposal, Notice.PROPOSAL_THRESHOLD, now)


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
        data={"supporters": views.support_count(session, proposal)},
    )


def add_comment(
    session: Session, proposal: Proposal, body: str, *, author_id: int, now: datetime
) -> Comment:
    """A comment on ``proposal``; the author's last comment instead when ``body`` repeats it
    (``rules.is_repeat``). The proposal's row is locked first, so that two copies sent at
    once are checked one after the other."""
    rules.can_comment(proposal, _member(session, author_id)).ensure()
    if problem := rules.comment_problem(body):
        raise InvalidInput(problem, field_errors={"body": problem})
    session.refresh(proposal, with_for_update=True)
    last = session.exec(
        select(Comment)
        .where(Comment.proposal_id == proposal.id, Comment.author_id == author_id)
        .order_by(col(Comment.id).desc())
        .limit(1)
    ).first()
    if last is not None and rules.is_repeat(last, body, now):
        return last
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
    rules.can_hide_comment(comment, views.viewer_of(session, actor_id)).ensure()
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
        data={"comment": comment.id},
        private={"reason": comment.hidden_reason},
        about=comment.author_id,
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
    view = views.describe(session, proposal, now)
    rules.can_promote(view.status, views.viewer_of(session, actor_id)).ensure()
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
    _tell_author(session, proposal, Notice.PROPOSAL_BALLOTED, now)
    return ballot


def _tell_author(
    session: Session, proposal: Proposal, notice: Notice, now: datetime, **context: str
) -> None:
    """Queue a notice about their proposal to its author."""
    mail.queue(
        session,
        notice=notice,
        member=session.get(Member, proposal.author_id),
        context={"proposal": proposal.public_id, "title": proposal.title, **context},
        now=now,
    )


def _notice(view: ProposalView) -> str:
    """The ballot's description: the proposal's own words, then where they came from."""
    p = view.proposal
    return (
        f"{p.body.rstrip()}\n\n---\n\n*Proposed by {view.author.name} in the members' forum "
        f"([the proposal and its discussion](/forum/{p.public_id})), "
        f"with the support of {view.supporters} members.*\n"
    )
