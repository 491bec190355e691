"""Reading the outbox (for governors and admins), a member's choice of notices, and how many
reminders a ballot sent. Never who was reminded: a reminder's recipient is shown to nobody."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from coopvote.ballots.models import Ballot, BallotStatus
from coopvote.mail.models import (
    BallotReminder,
    MessageState,
    Notice,
    NoticeOptOut,
    OutboxMessage,
    Topic,
)

#: What the outbox page shows in place of a reminder's recipient.
HIDDEN = "(a reminder: who is not shown)"


@dataclass(frozen=True)
class OutboxRow:
    id: int
    recipient: str
    notice: Notice
    state: MessageState
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str


def outbox(
    session: Session, *, state: MessageState | None = None, limit: int = 200
) -> list[OutboxRow]:
    """The newest messages first, in ``state`` when given."""
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
    if state is not None:
        query = query.where(col(OutboxMessage.state) == state)
    return [
        OutboxRow(
            id=m.id or 0,
            recipient=HIDDEN if m.notice is Notice.BALLOT_REMINDER else m.recipient,
            notice=m.notice,
            state=m.state,
            attempts=m.attempts,
            created_at=m.created_at,
            next_attempt_at=m.next_attempt_at,
            sent_at=m.sent_at,
            last_error=m.last_error,
        )
        for m in session.exec(query)
    ]


def counts(session: Session) -> dict[MessageState, int]:
    """How many messages are in each state."""
    rows = session.exec(
        select(OutboxMessage.state, func.count()).group_by(col(OutboxMessage.state))
    ).all()
    found = {MessageState(state): int(n) for state, n in rows}
    return {state: found.get(state, 0) for state in MessageState}


def topics_on(session: Session, member_id: int) -> frozenset[Topic]:
    """The optional topics a member still receives."""
    off = session.exec(select(NoticeOptOut.topic).where(NoticeOptOut.member_id == member_id))
    return frozenset(Topic) - {Topic(t) for t in off}


@dataclass(frozen=True)
class ReminderRow:
    due_at: datetime
    sent_at: datetime | None
    sent_count: int


def reminders(session: Session, ballot_id: int) -> list[ReminderRow]:
    """A ballot's reminders: when, and how many went out (never to whom)."""
    query = (
        select(BallotReminder)
        .where(BallotReminder.ballot_id == ballot_id)
        .order_by(col(BallotReminder.due_at))
    )
    return [ReminderRow(r.due_at, r.sent_at, r.sent_count) for r in session.exec(query)]


@dataclass(frozen=True)
class BallotReminders:
    ballot_title: str
    due_at: datetime
    sent_at: datetime | None
    sent_count: int


def recent_reminders(session: Session, limit: int = 20) -> list[BallotReminders]:
    """Ballots' reminders, latest due first: how many went out, never to whom."""
    query = (
        select(BallotReminder, Ballot.title)
        .join(Ballot, col(Ballot.id) == BallotReminder.ballot_id)
        .order_by(col(BallotReminder.due_at).desc())
        .limit(limit)
    )
    return [
        BallotReminders(title, reminder.due_at, reminder.sent_at, reminder.sent_count)
        for reminder, title in session.exec(query)
    ]


@dataclass(frozen=True)
class OpenBallotReminders:
    public_id: str
    title: str
    closes_at: datetime
    reminders: list[ReminderRow]


def open_ballots_reminders(session: Session) -> list[OpenBallotReminders]:
    """Each open ballot with its reminders (when, and how many went out), closing soonest
    first: what a governor sees and changes."""
    open_ballots = session.exec(
        select(Ballot).where(Ballot.status == BallotStatus.OPEN).order_by(col(Ballot.closes_at))
    )
    return [
        OpenBallotReminders(b.public_id, b.title, b.closes_at, reminders(session, b.id or 0))
        for b in open_ballots
    ]
