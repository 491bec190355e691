"""Queueing mail, in the caller's transaction: a message exists exactly when the event that
causes it commits (no mail for a rolled-back admission, no admission without its mail). The
sender (``mail.sender``) delivers it later. Also: members' choices of optional notices, a
governor's retry of a failed message, and ballots' reminders.

To send a member something from another area, call ``queue`` (one member) or
``queue_to_roll`` (a ballot's roll) with a ``Notice`` and the plain values its templates
show; add the notice's ``templates/mail/<notice>.txt`` and ``.html``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    String,
    and_,
    bindparam,
    delete,
    exists,
    false,
    insert,
    literal,
    update,
)
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.ballots.models import Ballot, BallotStatus, RollEntry
from coopvote.db.types import UTCDateTime
from coopvote.errors import Conflict, InvalidInput, NotFound
from coopvote.mail import rules
from coopvote.mail.models import (
    BallotReminder,
    MessageState,
    Notice,
    NoticeOptOut,
    OutboxMessage,
    Topic,
)
from coopvote.members.models import IN_MEMBERSHIP, Member


def queue(
    session: Session,
    *,
    notice: Notice,
    member: Member | None,
    context: Mapping[str, Any],
    now: datetime,
    address: str | None = None,
) -> OutboxMessage | None:
    """Queue ``notice`` to ``member`` (at ``address`` when given: a new address being
    confirmed), unless it is optional and they turned its topic off (then ``None``).
    ``context`` holds JSON values for the templates; the member's name is added."""
    if member is None and address is None:
        raise ValueError("a message needs a member or an address")
    if member is not None and _opted_out(session, member, notice):
        return None
    message = OutboxMessage(
        recipient=address or (member.email if member else ""),
        recipient_name=member.name if member else "",
        member_id=member.id if member else None,
        notice=notice,
        context=dict(context),
        state=MessageState.QUEUED,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    session.flush()
    return message


def _opted_out(session: Session, member: Member, notice: Notice) -> bool:
    topic = rules.topic_of(notice)
    return topic is not None and session.get(NoticeOptOut, (member.id, topic)) is not None


def queue_to_roll(
    session: Session,
    *,
    ballot: Ballot,
    notice: Notice,
    context: Mapping[str, Any],
    now: datetime,
    only_non_voters: bool = False,
) -> int:
    """Queue ``notice`` to every member on ``ballot``'s roll who still holds a membership and
    has not turned its topic off — with ``only_non_voters``, only to those who have not
    voted. One ``INSERT … SELECT``, so a roll of any size costs one statement. Returns how
    many were queued (the only figure about non-voters anyone is shown)."""
    conditions = [
        col(RollEntry.ballot_id) == ballot.id,
        col(Member.status).in_(list(IN_MEMBERSHIP)),
    ]
    if only_non_voters:
        conditions.append(col(RollEntry.has_voted) == false())
    topic = rules.topic_of(notice)
    if topic is not None:
        conditions.append(
            ~exists().where(
                col(NoticeOptOut.member_id) == Member.id, col(NoticeOptOut.topic) == topic
            )
        )
    rows = (
        select(  # type: ignore[call-overload]
            col(Member.email),
            col(Member.name),
            col(Member.id),
            literal(notice.value, String),
            bindparam("context", dict(context), type_=JSON),
            literal(MessageState.QUEUED.value, String),
            literal(0),
            bindparam("created_at", now, type_=UTCDateTime),
            bindparam("next_attempt_at", now, type_=UTCDateTime),
        )
        .join(RollEntry, col(RollEntry.member_id) == Member.id)
        .where(and_(*conditions))
    )
    statement = insert(OutboxMessage).from_select(
        [
            "recipient",
            "recipient_name",
            "member_id",
            "notice",
            "context",
            "state",
            "attempts",
            "created_at",
            "next_attempt_at",
        ],
        rows,
    )
    # Counted from RETURNING: psycopg reports no row count for INSERT … SELECT here (-1).
    return sum(1 for _ in session.execute(statement.returning(col(OutboxMessage.id))))


def forget(session: Session, *, member_id: int, email: str) -> None:
    """Erase a member's mail (their personal data, on erasure): every message to them or to
    their address, and their choices of notices."""
    session.execute(
        delete(OutboxMessage).where(
            (col(OutboxMessage.member_id) == member_id) | (col(OutboxMessage.recipient) == email)
        )
    )
    session.execute(delete(NoticeOptOut).where(col(NoticeOptOut.member_id) == member_id))


def set_topics(session: Session, *, member: Member, wanted: Iterable[Topic], now: datetime) -> None:
    """Keep exactly the topics in ``wanted`` on for ``member``; the others are off."""
    wanted = set(wanted)
    assert member.id is not None
    for topic in Topic:
        current = session.get(NoticeOptOut, (member.id, topic))
        if topic in wanted and current is not None:
            session.delete(current)
        elif topic not in wanted and current is None:
            session.add(NoticeOptOut(member_id=member.id, topic=topic))
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(member.id),
        action="member.notices_chosen",
        subject=audit.member_subject(member),
        now=now,
        data={"on": sorted(t.value for t in wanted)},
    )


def unsubscribe(session: Session, *, member: Member, topic: Topic, now: datetime) -> None:
    """Turn one topic off (a one-click unsubscribe); doing it twice changes nothing."""
    assert member.id is not None
    if session.get(NoticeOptOut, (member.id, topic)) is not None:
        return
    session.add(NoticeOptOut(member_id=member.id, topic=topic))
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(member.id),
        action="member.unsubscribed",
        subject=audit.member_subject(member),
        now=now,
        data={"topic": topic.value},
    )


def retry(session: Session, *, message_id: int, actor_id: int, now: datetime) -> OutboxMessage:
    """A governor queues a failed message again, with a fresh count of attempts. Raises
    ``NotFound``, or ``Conflict`` for a message that has not failed."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("No such message.")
    changed = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == message_id, col(OutboxMessage.state) == MessageState.FAILED)
        .values(state=MessageState.QUEUED, attempts=0, next_attempt_at=now, claim=None)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("Only a failed message can be retried.")
    session.refresh(message)
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="mail.retried",
        subject=f"mail:{message_id}",
        now=now,
        data={"notice": message.notice.value},
    )
    return message


def schedule_reminders(
    session: Session, *, ballot: Ballot, at: Iterable[datetime] | None = None
) -> None:
    """Set ``ballot``'s reminder times (``None``: the default, 48 hours before the close)."""
    assert ballot.id is not None
    for reminder in session.exec(
        select(BallotReminder).where(
            BallotReminder.ballot_id == ballot.id, col(BallotReminder.sent_at).is_(None)
        )
    ):
        session.delete(reminder)
    if at is None:
        assert ballot.opened_at is not None  # the default is set as the ballot opens
        default = rules.default_reminder(ballot.opened_at, ballot.closes_at)
        at = [default] if default else []
    for due in at:
        session.add(BallotReminder(ballot_id=ballot.id, due_at=due))
    session.flush()


def set_reminders(
    session: Session, *, ballot: Ballot, at: Iterable[datetime], actor_id: int, now: datetime
) -> None:
    """A governor's reminder times for an open ballot, in place of those not yet sent (an
    empty list: no more reminders). Raises ``Conflict`` for a ballot that is not open,
    ``InvalidInput`` for a time not between now and the close."""
    if ballot.status is not BallotStatus.OPEN:
        raise Conflict("Reminders are set while a ballot is open.")
    times = sorted(set(at))
    if any(not now < moment < ballot.closes_at for moment in times):
        problem = "A reminder must fall between now and the ballot's close."
        raise InvalidInput(problem, field_errors={"remind_at": problem})
    schedule_reminders(session, ballot=ballot, at=times)
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="ballot.reminders_set",
        subject=f"ballot:{ballot.public_id}",
        now=now,
        data={"at": [moment.isoformat() for moment in times]},
    )


def queue_due_reminders(session: Session, now: datetime) -> int:
    """Send every reminder due at ``now`` of a ballot that is open: to its members on the roll
    who have not voted, with nothing about any choice. Each reminder is claimed by a
    conditional update, so two workers ticking at once send it once. Returns how many
    messages were queued."""
    due = session.exec(
        select(BallotReminder, Ballot)
        .join(Ballot, col(Ballot.id) == BallotReminder.ballot_id)
        .where(
            col(BallotReminder.sent_at).is_(None),
            col(BallotReminder.due_at) <= now,
            col(Ballot.status) == BallotStatus.OPEN,
            col(Ballot.closes_at) > now,
        )
    ).all()
    queued = 0
    for reminder, ballot in due:
        claimed = session.execute(
            update(BallotReminder)
            .where(col(BallotReminder.id) == reminder.id, col(BallotReminder.sent_at).is_(None))
            .values(sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        count = queue_to_roll(
            session,
            ballot=ballot,
            notice=Notice.BALLOT_REMINDER,
            context=ballot_context(ballot),
            now=now,
            only_non_voters=True,
        )
        session.execute(
            update(BallotReminder)
            .where(col(BallotReminder.id) == reminder.id)
            .values(sent_count=count)
            .execution_options(synchronize_session=False)
        )
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="ballot.reminded",
            subject=f"ballot:{ballot.public_id}",
            now=now,
            data={"reminders": count},
        )
        queued += count
    return queued


def ballot_context(ballot: Ballot) -> dict[str, Any]:
    """What a ballot's notices show: never anything about a vote."""
    return {
        "ballot": ballot.public_id,
        "title": ballot.title,
        "closes_at": ballot.closes_at.isoformat(),
    }


def ballot_opened(session: Session, ballot: Ballot, now: datetime) -> None:
    """A ballot has opened: tell its roll, and set its default reminder."""
    queue_to_roll(
        session, ballot=ballot, notice=Notice.BALLOT_OPENED, context=ballot_context(ballot), now=now
    )
    schedule_reminders(session, ballot=ballot)


def result_published(session: Session, ballot: Ballot, now: datetime) -> None:
    """A ballot's result is out: tell everyone who was on its roll."""
    queue_to_roll(
        session,
        ballot=ballot,
        notice=Notice.RESULT_PUBLISHED,
        context=ballot_context(ballot),
        now=now,
    )
