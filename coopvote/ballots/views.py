"""Reading ballots: what a viewer may see of them, as they stand at a given moment.

Nothing here writes. A ballot whose opening or closing time has passed shows the state the
clock gives it (``rules.status_at``) until the scheduler catches its stored state up; its roll,
frozen when it opens, is pending until then.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, true
from sqlmodel import Session, col, select

from coopvote.ballots import board as chain
from coopvote.ballots import rules
from coopvote.ballots.models import Ballot, BallotOption, BallotStatus, BoardEntry, RollEntry
from coopvote.ballots.rules import (
    can_see,
    can_see_turnout,
    can_vote,
    choices_allowed,
    ensure_can_see,
    status_at,
)
from coopvote.errors import NotFound
from coopvote.members.models import Role


@dataclass(frozen=True)
class Turnout:
    #: ``None`` while the roll is pending: it is frozen when the ballot opens.
    roll_size: int | None
    votes_cast: int


@dataclass(frozen=True)
class MyBallot:
    ballot: Ballot
    has_voted: bool


@dataclass(frozen=True)
class BallotState:
    """A ballot as it stands at a moment: its status by the clock, its options, and its
    turnout when the viewer may see it (else ``None``)."""

    ballot: Ballot
    status: BallotStatus
    options: list[BallotOption]
    turnout: Turnout | None
    #: What a governor may do with it now (``rules.can_*``).
    can_edit: bool
    can_open: bool
    can_close: bool
    can_cancel: bool


@dataclass(frozen=True)
class PaperView:
    """A ballot paper as one member sees it."""

    ballot: Ballot
    status: BallotStatus
    options: list[BallotOption]
    on_roll: bool
    has_voted: bool
    can_vote: bool
    #: Open by the clock, but its roll not frozen yet: the scheduler is about to open it.
    roll_pending: bool
    #: How many options may be marked (plurality and approval).
    allowed: int


def find_ballot(session: Session, public_id: str) -> Ballot:
    """A ballot by its public id, as stored; ``NotFound`` when there is none."""
    ballot = session.exec(select(Ballot).where(Ballot.public_id == public_id)).first()
    if ballot is None:
        raise NotFound("No such ballot.")
    return ballot


def visible_ballot(
    session: Session, public_id: str, roles: Collection[Role], now: datetime
) -> Ballot:
    """A ballot as a viewer with ``roles`` may see it; ``NotFound`` for a draft they may not."""
    ballot = find_ballot(session, public_id)
    ensure_can_see(ballot, roles, now)
    return ballot


def options(session: Session, ballot: Ballot) -> list[BallotOption]:
    return list(
        session.exec(
            select(BallotOption)
            .where(BallotOption.ballot_id == ballot.id)
            .order_by(col(BallotOption.position))
        )
    )


def turnout(session: Session, ballot: Ballot) -> Turnout:
    voted = session.exec(
        select(func.count())
        .select_from(RollEntry)
        .where(RollEntry.ballot_id == ballot.id, col(RollEntry.has_voted) == true())
    ).one()
    return Turnout(roll_size=ballot.roll_size, votes_cast=voted)


def roll_entry(session: Session, ballot: Ballot, member_id: int) -> RollEntry | None:
    return session.get(RollEntry, (ballot.id, member_id))


def state(session: Session, ballot: Ballot, roles: Collection[Role], now: datetime) -> BallotState:
    shown = can_see_turnout(ballot, roles, now)
    return BallotState(
        ballot=ballot,
        status=status_at(ballot, now),
        options=options(session, ballot),
        turnout=turnout(session, ballot) if shown else None,
        can_edit=bool(rules.can_edit(ballot, now)),
        can_open=bool(rules.can_open(ballot, now)),
        can_close=bool(rules.can_close(ballot, now)),
        can_cancel=bool(rules.can_cancel(ballot, now)),
    )


def list_ballots(session: Session, *, roles: Collection[Role], now: datetime) -> list[Ballot]:
    """The ballots a viewer with ``roles`` may see, latest closing first."""
    query = select(Ballot).order_by(col(Ballot.closes_at).desc(), col(Ballot.id).desc())
    return [ballot for ballot in session.exec(query) if can_see(ballot, roles, now)]


def states(session: Session, *, roles: Collection[Role], now: datetime) -> list[BallotState]:
    """``list_ballots``, each as it stands at ``now``."""
    return [state(session, b, roles, now) for b in list_ballots(session, roles=roles, now=now)]


def my_open_ballots(session: Session, *, member_id: int, now: datetime) -> list[MyBallot]:
    """The open ballots on whose roll the member is, soonest closing first. (A ballot due to
    open joins the list when the scheduler opens it and freezes its roll.)"""
    rows = session.exec(
        select(Ballot, RollEntry.has_voted)
        .join(RollEntry, col(RollEntry.ballot_id) == Ballot.id)
        .where(RollEntry.member_id == member_id, Ballot.status == BallotStatus.OPEN)
        .order_by(col(Ballot.closes_at))
    ).all()
    return [
        MyBallot(ballot, has_voted)
        for ballot, has_voted in rows
        if status_at(ballot, now) is BallotStatus.OPEN
    ]


def next_due(session: Session, now: datetime) -> datetime | None:
    """The next moment after ``now`` at which a ballot is due to open or close, if any."""
    opening = session.exec(
        select(func.min(Ballot.opens_at)).where(
            Ballot.status == BallotStatus.DRAFT, col(Ballot.opens_at) > now
        )
    ).one()
    closing = session.exec(
        select(func.min(Ballot.closes_at)).where(
            Ballot.status == BallotStatus.OPEN, col(Ballot.closes_at) > now
        )
    ).one()
    return min((moment for moment in (opening, closing) if moment is not None), default=None)


def paper(session: Session, ballot: Ballot, member_id: int, now: datetime) -> PaperView:
    entry = roll_entry(session, ballot, member_id)
    listed = options(session, ballot)
    if ballot.shuffle_options:
        # A new order for each showing, from the system's randomness: nothing to store.
        secrets.SystemRandom().shuffle(listed)
    has_voted = bool(entry and entry.has_voted)
    status = status_at(ballot, now)
    return PaperView(
        ballot=ballot,
        status=status,
        options=listed,
        on_roll=entry is not None,
        has_voted=has_voted,
        can_vote=bool(can_vote(ballot, now, on_roll=entry is not None, has_voted=has_voted)),
        roll_pending=status is BallotStatus.OPEN and ballot.roll_size is None,
        allowed=choices_allowed(ballot, len(listed)),
    )


@dataclass(frozen=True)
class Board:
    """A ballot's bulletin board as published: its trackers sorted (so their order tells
    nothing of the order of casting), how many, and the chain's head."""

    trackers: list[str]
    count: int
    head: str


def board_tip(session: Session, ballot: Ballot) -> chain.Entry:
    """The board's last entry; position 0 and the genesis head when it is empty."""
    last = session.exec(
        select(BoardEntry)
        .where(BoardEntry.ballot_id == ballot.id)
        .order_by(col(BoardEntry.position).desc())
        .limit(1)
    ).first()
    if last is None:
        return chain.Entry(0, "", chain.genesis(ballot.public_id))
    return chain.Entry(last.position, last.tracker, last.head)


def board_entries(session: Session, ballot: Ballot) -> list[chain.Entry]:
    """The board's entries in position order, with their seals, for checking its chain."""
    rows = session.exec(
        select(BoardEntry.position, BoardEntry.tracker, BoardEntry.head, BoardEntry.seal)
        .where(BoardEntry.ballot_id == ballot.id)
        .order_by(col(BoardEntry.position))
    ).all()
    return [chain.Entry(*row) for row in rows]


def board(session: Session, ballot: Ballot) -> Board:
    trackers = sorted(
        session.exec(select(BoardEntry.tracker).where(BoardEntry.ballot_id == ballot.id)).all()
    )
    return Board(trackers, len(trackers), board_tip(session, ballot).head)


def normalise_tracker(text: str) -> str:
    """A tracker as stored: 64 lower-case hex digits, whatever spaces, dashes or case were
    typed (at most 64 are kept)."""
    return "".join(ch for ch in text.lower() if ch in "0123456789abcdef")[:64]


def find_tracker(session: Session, tracker: str) -> Ballot:
    """The ballot on whose board this tracker is; ``NotFound`` when on none."""
    entry = session.exec(
        select(BoardEntry).where(BoardEntry.tracker == normalise_tracker(tracker))
    ).first()
    ballot = session.get(Ballot, entry.ballot_id) if entry else None
    if ballot is None:
        raise NotFound("No sealed paper with that receipt is on any ballot's board.")
    return ballot
