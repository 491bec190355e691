"""Commands on ballots: define, open (freezing the roll), vote, close, cancel, and catch the
stored state up with the clock. Reads live in ``views``."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, false, or_, true, update
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.ballots import box, keys, sealing, trustees, views
from coopvote.ballots.models import Ballot, BallotOption, BallotStatus, Method, RollEntry
from coopvote.ballots.roll import freeze_roll
from coopvote.ballots.rules import (
    MEETING_ADVANCE,
    Definition,
    can_cancel,
    can_close,
    can_edit,
    can_open,
    can_vote,
    definition_problems,
    ensure_status,
    parse_paper,
    status_at,
)
from coopvote.db.types import new_public_id
from coopvote.errors import Conflict, DomainError, InvalidInput, NotAllowed
from coopvote.mail import service as mail
from coopvote.members.models import Member, MemberStatus
from coopvote.members.views import constituencies, organisations

S = BallotStatus


def _check(session: Session, definition: Definition, now: datetime) -> None:
    problems = definition_problems(
        definition,
        now=now,
        constituencies={c.slug for c in constituencies(session)},
        organisations={o.slug for o in organisations(session)},
    )
    if problems:
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)


def _apply(ballot: Ballot, definition: Definition) -> None:
    d = definition
    assert d.closes_at is not None
    ballot.title = d.title.strip()
    ballot.description = d.description
    ballot.method = d.method
    ballot.seats = 1 if d.method is Method.RESOLUTION else d.seats
    ballot.max_choices = d.max_choices if d.method is Method.APPROVAL else None
    ballot.threshold = d.threshold if d.method is Method.RESOLUTION else None
    ballot.quorum_bp = d.quorum_bp
    ballot.opens_at = d.opens_at
    ballot.closes_at = d.closes_at
    ballot.eligible_constituencies = sorted(set(d.eligible_constituencies))
    ballot.eligible_organisations = sorted(set(d.eligible_organisations))
    ballot.shuffle_options = d.shuffle_options and d.method is not Method.RESOLUTION
    ballot.meeting_advance = d.meeting_advance


def _replace_options(session: Session, ballot: Ballot, labels: Sequence[str]) -> None:
    session.execute(delete(BallotOption).where(col(BallotOption.ballot_id) == ballot.id))
    assert ballot.id is not None
    for position, label in enumerate(label.strip() for label in labels if label.strip()):
        session.add(BallotOption(ballot_id=ballot.id, position=position, label=label))
    session.flush()


def create_ballot(
    session: Session, definition: Definition, *, actor_id: int | None, now: datetime
) -> Ballot:
    _check(session, definition, now)
    ballot = Ballot(
        public_id=new_public_id(),
        status=S.DRAFT,
        created_at=now,
        created_by=actor_id,
        title="",
        closes_at=now,
        method=definition.method,
    )
    _apply(ballot, definition)
    session.add(ballot)
    session.flush()
    _replace_options(session, ballot, definition.options)
    _audit(
        session,
        ballot,
        "created",
        actor_id=actor_id,
        now=now,
        data={"title": ballot.title, "method": ballot.method.value},
    )
    return ballot


def update_ballot(
    session: Session,
    ballot: Ballot,
    definition: Definition,
    *,
    actor_id: int | None,
    now: datetime,
) -> Ballot:
    can_edit(ballot, now).ensure()
    _check(session, definition, now)
    _apply(ballot, definition)
    session.add(ballot)
    _replace_options(session, ballot, definition.options)
    _audit(session, ballot, "edited", actor_id=actor_id, now=now, data={"title": ballot.title})
    return ballot


def subject(ballot: Ballot) -> str:
    return f"ballot:{ballot.public_id}"


def _audit(
    session: Session,
    ballot: Ballot,
    what: str,
    *,
    actor_id: int | None,
    now: datetime,
    data: dict[str, Any],
    private: dict[str, str] | None = None,
) -> None:
    """Record ``ballot.<what>``; ``actor_id`` is ``None`` when the clock did it. ``private``
    is the actor's free text, kept apart from the hashed log (``audit.record``)."""
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action=f"ballot.{what}",
        subject=subject(ballot),
        now=now,
        data=data,
        private=private,
        about=audit.member_actor(actor_id),
    )


def get_ballot(session: Session, public_id: str, now: datetime) -> Ballot:
    """A ballot about to be acted on, its stored state first caught up with the clock in this
    (write) transaction, so that no command depends on the scheduler's timing.
    ``NotFound`` when there is none."""
    ballot = views.find_ballot(session, public_id)
    catch_up(session, ballot, now)
    return ballot


def catch_up(session: Session, ballot: Ballot, now: datetime) -> None:
    """Open and close by the clock, as at the scheduled moments, however late we are."""
    if ballot.status is S.DRAFT and status_at(ballot, now) is not S.DRAFT:
        assert ballot.opens_at is not None
        _open(session, ballot, record_date=ballot.opens_at, actor_id=None, now=now)
    if ballot.status is S.OPEN and status_at(ballot, now) is S.CLOSED:
        _close(session, ballot, at=ballot.closes_at, actor_id=None, now=now)


def catch_up_due(session: Session, now: datetime) -> None:
    """Open and close every ballot whose time has come: the scheduler's tick. Safe to run in
    several processes at once (each transition is a conditional update)."""
    due = session.exec(
        select(Ballot)
        .where(
            or_(
                and_(
                    col(Ballot.status) == S.DRAFT,
                    col(Ballot.opens_at).is_not(None),
                    col(Ballot.opens_at) <= now,
                ),
                and_(col(Ballot.status) == S.OPEN, col(Ballot.closes_at) <= now),
            )
        )
        # One order for every process, so that two ticks never wait on each other's locks.
        .order_by(col(Ballot.id))
    ).all()
    for ballot in due:
        catch_up(session, ballot, now)


def open_ballot(session: Session, ballot: Ballot, *, actor_id: int | None, now: datetime) -> Ballot:
    """Open now, by hand (before ``opens_at`` if one is set)."""
    can_open(ballot, now).ensure()
    if ballot.closes_at <= now:
        raise Conflict("This ballot's closing time has passed: change it before opening.")
    if ballot.opens_at is None or ballot.opens_at > now:
        ballot.opens_at = now
    _open(session, ballot, record_date=now, actor_id=actor_id, now=now)
    return ballot


def close_ballot(
    session: Session, ballot: Ballot, *, actor_id: int | None, now: datetime
) -> Ballot:
    """Close now, by hand (before ``closes_at``)."""
    can_close(ballot, now).ensure()
    ballot.closes_at = now
    _close(session, ballot, at=now, actor_id=actor_id, now=now)
    return ballot


def cancel_ballot(
    session: Session, ballot: Ballot, *, reason: str, actor_id: int | None, now: datetime
) -> Ballot:
    can_cancel(ballot, now).ensure()
    if not reason.strip():
        raise InvalidInput(
            "Give a reason for cancelling: members will see it.",
            field_errors={"reason": "Give a reason."},
        )
    if not _transition(session, ballot, {S.DRAFT, S.OPEN}, S.CANCELLED):
        raise Conflict("Someone else changed this ballot at the same moment; look again.")
    ballot.cancelled_at, ballot.cancel_reason = now, reason.strip()[:1000]
    session.add(ballot)
    destroyed = sealing.destroy(session, ballot)
    _audit(
        session,
        ballot,
        "cancelled",
        actor_id=actor_id,
        now=now,
        data={
            "sealed_papers_destroyed": destroyed,
            "board_head": views.board_tip(session, ballot).head,
        },
        private={"reason": ballot.cancel_reason},
    )
    return ballot


def _transition(
    session: Session, ballot: Ballot, before: set[BallotStatus], after: BallotStatus
) -> bool:
    """Move the stored state with a conditional update, so that of two requests racing to
    open (or close) a ballot exactly one does it."""
    result = session.execute(
        update(Ballot)
        .where(col(Ballot.id) == ballot.id, col(Ballot.status).in_(before))
        .values(status=after)
        .execution_options(synchronize_session=False)
    )
    won = bool(result.rowcount)  # type: ignore[attr-defined]
    session.refresh(ballot)
    return won


def _open(
    session: Session, ballot: Ballot, *, record_date: datetime, actor_id: int | None, now: datetime
) -> None:
    if not _transition(session, ballot, {S.DRAFT}, S.OPEN):
        return
    ballot.opened_at = record_date
    ballot.roll_size, ballot.roll_hash = freeze_roll(session, ballot, record_date)
    trustees.split_among_trustees(session, ballot)
    session.add(ballot)
    session.flush()
    _audit(
        session,
        ballot,
        "opened",
        actor_id=actor_id,
        now=now,
        data={
            "record_date": record_date.isoformat(),
            "roll_size": ballot.roll_size,
            "roll_hash": ballot.roll_hash,
            "by_schedule": actor_id is None,
            "box_public_key": ballot.box_public_key,
            "trustees_needed": ballot.trustees_needed,
        },
    )
    mail.ballot_opened(session, ballot, now)


def _close(
    session: Session, ballot: Ballot, *, at: datetime, actor_id: int | None, now: datetime
) -> None:
    """Closed → the board's head and who voted are recorded, then the box is opened."""
    if not _transition(session, ballot, {S.OPEN}, S.CLOSED):
        return
    ballot.closed_at = at
    session.add(ballot)
    voters = _record_voters(session, ballot, now)
    tip = views.board_tip(session, ballot)
    _audit(
        session,
        ballot,
        "closed",
        actor_id=actor_id,
        now=now,
        data={
            "closed_at": at.isoformat(),
            "papers": tip.position,
            "votes_cast": voters,
            "board_head": tip.head,
        },
    )
    if ballot.box_public_key is None:  # server-key mode: the box opens itself
        sealing.open_box(
            session, ballot, keys.private_key(ballot.public_id), actor_id=actor_id, now=now
        )


def _record_voters(session: Session, ballot: Ballot, now: datetime) -> int:
    """One ``member.voted`` event per member marked as voted, all at close, in the order of
    their public ids: the audit log says who voted, never in what order (which would pair
    voters with the board's positions). Returns how many."""
    voters = session.exec(
        select(Member)
        .join(RollEntry, col(RollEntry.member_id) == Member.id)
        .where(col(RollEntry.ballot_id) == ballot.id, col(RollEntry.has_voted) == true())
        .order_by(col(Member.public_id))
    ).all()
    for member in voters:
        audit.record(
            session,
            actor=audit.member_actor(member.id),
            action="member.voted",
            subject=audit.member_subject(member),
            now=now,
            data={"ballot": ballot.public_id},
        )
    return len(voters)


@dataclass(frozen=True)
class Vote:
    """One member's paper for one ballot, as asked: checked only when cast."""

    ballot: Ballot
    member_id: int
    paper: Mapping[str, Any]


def cast_vote(
    session: Session, ballot: Ballot, *, member_id: int, paper: Mapping[str, Any], now: datetime
) -> str:
    """Cast one vote (see ``cast_votes``): its tracker, or the refusal raised."""
    (outcome,) = cast_votes(session, [Vote(ballot, member_id, paper)], now)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


def cast_votes(session: Session, votes: Sequence[Vote], now: datetime) -> list[str | DomainError]:
    """Cast several members' votes in one transaction (group commit, ``ballots.casting``):
    for each vote, in order, its tracker (the voter's receipt) or why it was refused. One
    refusal never undoes another's vote: a vote is refused before anything of it is written.

    Each ballot's row is locked first (in id order), so votes and the close queue up in one
    order and the board's appends never race. The marks are a conditional update, and only the
    members it marked get a paper sealed, so two votes racing for one member store one paper,
    whatever the timing (in one batch or two, in one process or two); a member's second vote
    in a batch is refused as already cast. A ballot due to open is opened (its roll frozen)
    first, whether or not the scheduler has come by. Each ballot's new papers are appended to
    its board in the order of their trackers, not of arrival, so that within a transaction
    nothing pairs a mark with a board entry (docs/secrecy.md). No audit event is written here:
    ``_close`` records who voted. The work per ballot is a handful of statements, whatever the
    number of votes.
    """
    outcomes: list[str | DomainError | None] = [None] * len(votes)
    by_ballot: dict[int, list[int]] = {}
    for index, vote in enumerate(votes):
        assert vote.ballot.id is not None
        by_ballot.setdefault(vote.ballot.id, []).append(index)
    for ballot_id in sorted(by_ballot):
        indexes = by_ballot[ballot_id]
        for index, outcome in zip(
            indexes, _cast_in_one_ballot(session, [votes[i] for i in indexes], now), strict=True
        ):
            outcomes[index] = outcome
    return [outcome for outcome in outcomes if outcome is not None]


def _cast_in_one_ballot(
    session: Session, votes: Sequence[Vote], now: datetime
) -> list[str | DomainError]:
    ballot = votes[0].ballot
    catch_up(session, ballot, now)
    session.exec(
        select(Ballot)
        .where(col(Ballot.id) == ballot.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    option_ids = [o.id for o in views.options(session, ballot) if o.id is not None]
    members = {v.member_id for v in votes}
    has_voted = dict(
        session.exec(
            select(RollEntry.member_id, RollEntry.has_voted).where(
                col(RollEntry.ballot_id) == ballot.id, col(RollEntry.member_id).in_(members)
            )
        ).all()
    )
    active: set[int | None] = set(
        session.exec(
            select(Member.id).where(
                col(Member.id).in_(members), col(Member.status) == MemberStatus.ACTIVE
            )
        ).all()
    )
    outcomes: list[dict[str, Any] | DomainError] = []
    for vote in votes:
        try:
            outcomes.append(_checked_paper(ballot, vote, option_ids, has_voted, active, now))
            has_voted[vote.member_id] = True  # a second vote in this batch is refused
        except DomainError as refusal:
            outcomes.append(refusal)
    accepted = [v.member_id for v, o in zip(votes, outcomes, strict=True) if isinstance(o, dict)]
    marked = (
        set(
            session.execute(
                update(RollEntry)
                .where(
                    col(RollEntry.ballot_id) == ballot.id,
                    col(RollEntry.member_id).in_(accepted),
                    col(RollEntry.has_voted) == false(),
                )
                .values(has_voted=true())
                .returning(col(RollEntry.member_id))
                .execution_options(synchronize_session=False)
            ).scalars()
        )
        if accepted
        else set()
    )
    sealed: list[bytes] = []
    results: list[str | DomainError] = []
    for vote, outcome in zip(votes, outcomes, strict=True):
        if isinstance(outcome, DomainError):
            results.append(outcome)
        elif vote.member_id not in marked:  # marked by someone else since it was read
            results.append(Conflict("You have already voted in this ballot."))
        else:
            sealed.append(sealing.seal(ballot, outcome, option_ids))
            results.append(box.tracker(sealed[-1]))
    if sealed:
        sealing.append(session, ballot, sealed)
    return results


def _checked_paper(
    ballot: Ballot,
    vote: Vote,
    option_ids: Sequence[int],
    has_voted: Mapping[int, bool],
    active: Collection[int | None],
    now: datetime,
) -> dict[str, Any]:
    """Whether this vote may be cast (raising the refusal); the paper in its canonical form."""
    can_vote(
        ballot,
        now,
        on_roll=vote.member_id in has_voted,
        has_voted=has_voted.get(vote.member_id, False),
    ).ensure()
    if vote.member_id not in active:
        raise NotAllowed("Only active members can vote.")
    return parse_paper(ballot, option_ids, vote.paper)


def mark_published(session: Session, ballot: Ballot, *, now: datetime) -> None:
    """Closed → published, by a conditional update, so of two publications racing exactly
    one goes ahead. The caller stores the result and audits it in the same transaction."""
    ensure_status(ballot, now, {S.CLOSED}, "published")
    if ballot.meeting_advance:
        raise Conflict(MEETING_ADVANCE)
    if ballot.box_opened_at is None:
        raise Conflict(
            "The ballot box has not been opened yet: its trustees must open it before the "
            "result can be published."
        )
    if not _transition(session, ballot, {S.CLOSED}, S.PUBLISHED):
        raise Conflict("Someone else changed this ballot at the same moment; look again.")
