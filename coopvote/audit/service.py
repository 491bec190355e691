"""Appending to and reading the audit log. Every state change calls ``record`` in its own
transaction, so the event commits or rolls back with the change it describes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from coopvote.audit.chain import Head, Verdict, event_hash, verify
from coopvote.audit.models import AuditEvent, AuditHead
from coopvote.members.models import Member

#: Never allowed in an event's data: secrets and anything that could reveal a choice.
FORBIDDEN_KEYS = frozenset(
    {
        "password",
        "password_hash",
        "token",
        "session",
        "receipt",
        "choice",
        "choices",
        "ranking",
        "paper",
    }
)

SYSTEM = "system"


def member_actor(member_id: int | None) -> str:
    return SYSTEM if member_id is None else f"member:{member_id}"


def member_subject(member: Member | None) -> str:
    """Events name members by internal id; an unknown account stays anonymous."""
    return "member:unknown" if member is None else f"member:{member.id}"


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    now: datetime,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    payload = dict(data or {})
    leaked = FORBIDDEN_KEYS.intersection(payload)
    if leaked:
        raise ValueError(f"audit data must not hold {sorted(leaked)}")
    head = session.exec(select(AuditHead).with_for_update()).one()
    seq = head.seq + 1
    digest = event_hash(
        prev_hash=head.hash,
        seq=seq,
        at=now,
        actor=actor,
        action=action,
        subject=subject,
        data=payload,
    )
    event = AuditEvent(
        seq=seq,
        at=now,
        actor=actor,
        action=action,
        subject=subject,
        data=payload,
        prev_hash=head.hash,
        hash=digest,
    )
    head.seq, head.hash = seq, digest
    session.add(event)
    session.add(head)
    session.flush()
    return event


def current_head(session: Session) -> Head:
    head = session.exec(select(AuditHead)).one()
    return Head(head.seq, head.hash)


def verify_chain(session: Session, kept_head: Head | None = None) -> Verdict:
    # Share-lock the head before reading the events: appends wait until we are done, so the
    # head and the events are one state. Otherwise, on PostgreSQL, an append committed between
    # the two reads looks like a missing event. (SQLite's BEGIN IMMEDIATE serialises already.)
    head = session.exec(select(AuditHead).with_for_update(read=True)).one()
    events = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).yield_per(1000)
    return verify(events, recorded_head=Head(head.seq, head.hash), kept_head=kept_head)
