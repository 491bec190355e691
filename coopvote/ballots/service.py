"""Running ballots: define, open (freezing the roll), vote, close, cancel."""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, false, func, insert, literal, true, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.ballots.models import Ballot, BallotOption, BallotStatus, Method, Paper, RollEntry
from coopvote.ballots.rules import (
    Definition,
    definition_problems,
    ensure_status,
    parse_paper,
    status_at,
)
from coopvote.db.engine import compact_after_commit
from coopvote.db.types import new_public_id
from coopvote.errors import Conflict, InvalidInput, NotAllowed, NotFound
from coopvote.members.models import Constituency, Member, MemberStatus, Organisation, StatusChange
from coopvote.members.views import constituencies, organisations

S = BallotStatus


@dataclass(frozen=True)
class Turnout:
    roll_size: int
    votes_cast: int


@dataclass(frozen=True)
class MyBallot:
    ballot: Ballot
    has_voted: bool


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
    ensure_status(ballot, now, {S.DRAFT}, "edited")
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
) -> None:
    """Record ``ballot.<what>``; ``actor_id`` is ``None`` when the clock did it."""
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action=f"ballot.{what}",
        subject=subject(ballot),
        now=now,
        data=data,
    )


def get_ballot(session: Session, public_id: str, now: datetime) -> Ballot:
    """A ballot, with its stored state caught up with the clock."""
    ballot = session.exec(select(Ballot).where(Ballot.public_id == public_id)).first()
    if ballot is None:
        raise NotFound("No such ballot.")
    catch_up(session, ballot, now)
    return ballot


def catch_up(session: Session, ballot: Ballot, now: datetime) -> None:
    """Open and close by the clock, as at the scheduled moments, however late we are."""
    if ballot.status is S.DRAFT and status_at(ballot, now) is not S.DRAFT:
        assert ballot.opens_at is not None
        _open(session, ballot, record_date=ballot.opens_at, actor_id=None, now=now)
    if ballot.status is S.OPEN and status_at(ballot, now) is S.CLOSED:
        _close(session, ballot, at=ballot.closes_at, actor_id=None, now=now)


def open_ballot(session: Session, ballot: Ballot, *, actor_id: int | None, now: datetime) -> Ballot:
    """Open now, by hand (before ``opens_at`` if one is set)."""
    ensure_status(ballot, now, {S.DRAFT}, "opened")
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
    ensure_status(ballot, now, {S.OPEN}, "closed")
    ballot.closes_at = now
    _close(session, ballot, at=now, actor_id=actor_id, now=now)
    return ballot


def cancel_ballot(
    session: Session, ballot: Ballot, *, reason: str, actor_id: int | None, now: datetime
) -> Ballot:
    ensure_status(ballot, now, {S.DRAFT, S.OPEN}, "cancelled")
    if not reason.strip():
        raise InvalidInput(
            "Give a reason for cancelling: members will see it.",
            field_errors={"reason": "Give a reason."},
        )
    if not _transition(session, ballot, {S.DRAFT, S.OPEN}, S.CANCELLED):
        raise Conflict("Someone else changed this ballot at the same moment; look again.")
    ballot.cancelled_at, ballot.cancel_reason = now, reason.strip()[:1000]
    session.add(ballot)
    _audit(
        session,
        ballot,
        "cancelled",
        actor_id=actor_id,
        now=now,
        data={"reason": ballot.cancel_reason},
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
    ballot.roll_size, ballot.roll_hash = _freeze_roll(session, ballot, record_date)
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
        },
    )


def _freeze_roll(session: Session, ballot: Ballot, record_date: datetime) -> tuple[int, str]:
    """Insert the roll in one statement: every member whose latest status change at or
    before the record date made them active, within the ballot's eligibility."""
    # Each member's status at the record date: their latest change at or before it (an index
    # seek per member on (member_id, at)).
    status_then = (
        sa_select(col(StatusChange.to_status))
        .where(col(StatusChange.member_id) == Member.id, col(StatusChange.at) <= record_date)
        .order_by(col(StatusChange.at).desc(), col(StatusChange.id).desc())
        .limit(1)
        .scalar_subquery()
    )
    eligible = sa_select(literal(ballot.id), col(Member.id), false()).where(
        status_then == MemberStatus.ACTIVE
    )
    if ballot.eligible_constituencies:
        eligible = eligible.where(
            col(Member.constituency_id).in_(
                sa_select(col(Constituency.id)).where(
                    col(Constituency.slug).in_(ballot.eligible_constituencies)
                )
            )
        )
    if ballot.eligible_organisations:
        eligible = eligible.where(
            col(Member.organisation_id).in_(
                sa_select(col(Organisation.id)).where(
                    col(Organisation.slug).in_(ballot.eligible_organisations)
                )
            )
        )
    session.execute(
        insert(RollEntry).from_select(["ballot_id", "member_id", "has_voted"], eligible)
    )
    return measure_roll(session, ballot)


def measure_roll(session: Session, ballot: Ballot) -> tuple[int, str]:
    """The roll's size and hash: SHA-256 over the public ids of the members on it, sorted, one
    per line. Recorded at opening; recomputed by auditors to show the roll was not altered."""
    on_roll = (
        sa_select(col(Member.public_id))
        .join(RollEntry, col(RollEntry.member_id) == Member.id)
        .where(col(RollEntry.ballot_id) == ballot.id)
        .order_by(col(Member.public_id))
        .execution_options(yield_per=50_000)
    )
    digest = hashlib.sha256()
    size = 0
    for chunk in session.connection().execute(on_roll).scalars().partitions():
        digest.update("".join(f"{public_id}\n" for public_id in chunk).encode())
        size += len(chunk)
    return size, digest.hexdigest()


def _close(
    session: Session, ballot: Ballot, *, at: datetime, actor_id: int | None, now: datetime
) -> None:
    if not _transition(session, ballot, {S.OPEN}, S.CLOSED):
        return
    ballot.closed_at = at
    session.add(ballot)
    papers = _rewrite_papers_in_random_order(session, ballot)
    _audit(
        session,
        ballot,
        "closed",
        actor_id=actor_id,
        now=now,
        data={
            "closed_at": at.isoformat(),
            "papers": papers,
            "votes_cast": turnout(session, ballot).votes_cast,
        },
    )


def _rewrite_papers_in_random_order(session: Session, ballot: Ballot) -> int:
    """Write the ballot's papers again, shuffled, in this one transaction.

    While voting, the engine itself keeps traces of the order of casting (PostgreSQL's
    ``xmin`` and ``ctid``, SQLite's WAL). Rewritten at close, every paper carries the same
    transaction and a random position, so stored papers cannot be linked to the roll's marks.
    """
    rows = [
        {"receipt": r, "ballot_id": ballot.id, "choice": c}
        for r, c in session.execute(
            sa_select(col(Paper.receipt), col(Paper.choice)).where(
                col(Paper.ballot_id) == ballot.id
            )
        )
    ]
    random.SystemRandom().shuffle(rows)
    session.execute(delete(Paper).where(col(Paper.ballot_id) == ballot.id))
    if rows:
        session.execute(insert(Paper), rows)
    compact_after_commit(session)
    return len(rows)


def options(session: Session, ballot: Ballot) -> list[BallotOption]:
    return list(
        session.exec(
            select(BallotOption)
            .where(BallotOption.ballot_id == ballot.id)
            .order_by(col(BallotOption.position))
        )
    )


def new_receipt() -> str:
    """80 random bits, shown in groups of four so a voter can copy it down."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
    code = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))


def cast_vote(
    session: Session, ballot: Ballot, *, member_id: int, paper: Mapping[str, Any], now: datetime
) -> str:
    """Record a paper and mark the member as having voted, in one transaction.

    The mark is a conditional update; only when it changed a row is the paper stored. Two
    votes racing for one member therefore store one paper, whatever the timing.
    """
    ensure_status(ballot, now, {S.OPEN}, "voted in")
    entry = session.get(RollEntry, (ballot.id, member_id))
    if entry is None:
        raise NotAllowed("You are not on the roll for this ballot.")
    member = session.get(Member, member_id)
    if member is None or member.status is not MemberStatus.ACTIVE:
        raise NotAllowed("Only active members can vote.")
    choice = parse_paper(
        ballot, [o.id for o in options(session, ballot) if o.id is not None], paper
    )
    marked = session.execute(
        update(RollEntry)
        .where(
            col(RollEntry.ballot_id) == ballot.id,
            col(RollEntry.member_id) == member_id,
            col(RollEntry.has_voted) == false(),
        )
        .values(has_voted=true())
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("You have already voted in this ballot.")
    receipt = new_receipt()
    session.add(Paper(receipt=receipt, ballot_id=ballot.id, choice=choice))  # type: ignore[arg-type]
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(member_id),
        action="member.voted",
        subject=audit.member_subject(member),
        now=now,
        data={"ballot": ballot.public_id},
    )
    return receipt


def turnout(session: Session, ballot: Ballot) -> Turnout:
    voted = session.exec(
        select(func.count())
        .select_from(RollEntry)
        .where(RollEntry.ballot_id == ballot.id, col(RollEntry.has_voted) == true())
    ).one()
    return Turnout(roll_size=ballot.roll_size or 0, votes_cast=voted)


def roll_entry(session: Session, ballot: Ballot, member_id: int) -> RollEntry | None:
    return session.get(RollEntry, (ballot.id, member_id))


def list_ballots(session: Session, *, now: datetime, include_drafts: bool) -> list[Ballot]:
    query = select(Ballot).order_by(col(Ballot.closes_at).desc(), col(Ballot.id).desc())
    ballots = list(session.exec(query))
    for ballot in ballots:
        catch_up(session, ballot, now)
    return [b for b in ballots if include_drafts or b.status is not S.DRAFT]


def my_open_ballots(session: Session, *, member_id: int, now: datetime) -> list[MyBallot]:
    """The open ballots on whose roll the member is, soonest closing first."""
    for ballot in session.exec(
        select(Ballot).where(col(Ballot.status).in_([S.DRAFT, S.OPEN]))
    ).all():
        catch_up(session, ballot, now)
    rows = session.exec(
        select(Ballot, RollEntry.has_voted)
        .join(RollEntry, col(RollEntry.ballot_id) == Ballot.id)
        .where(RollEntry.member_id == member_id, Ballot.status == S.OPEN)
        .order_by(col(Ballot.closes_at))
    ).all()
    return [MyBallot(ballot, has_voted) for ballot, has_voted in rows]


def mark_published(session: Session, ballot: Ballot, *, now: datetime) -> None:
    """Closed → published, by a conditional update, so of two publications racing exactly
    one goes ahead. The caller stores the result and audits it in the same transaction."""
    ensure_status(ballot, now, {S.CLOSED}, "published")
    if not _transition(session, ballot, {S.CLOSED}, S.PUBLISHED):
        raise Conflict("Someone else changed this ballot at the same moment; look again.")
