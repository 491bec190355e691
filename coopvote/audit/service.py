"""Appending to the audit log, and verifying its chain. Every state change calls ``record`` in
its own transaction, so the event commits or rolls back with the change it describes. Browsing
the log lives in ``views``; an export is a command, since it is itself recorded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import true
from sqlmodel import Session, col, select

from coopvote.audit.chain import Head, Verdict, event_hash, verify
from coopvote.audit.models import AuditEvent, AuditHead
from coopvote.audit.views import EventFilter, EventRow, find_events
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
    # The event first: the database lets the head advance only onto a stored event.
    session.add(event)
    session.flush()
    head.seq, head.hash = seq, digest
    session.add(head)
    session.flush()
    return event


def current_head(session: Session) -> Head:
    head = session.exec(select(AuditHead)).one()
    return Head(head.seq, head.hash)


def verify_chain(session: Session, kept_head: Head | None = None) -> Verdict:
    """Recompute the chain (``chain.verify``) against the head the database holds.

    The head comes with the events in one statement, so both are one snapshot whatever the
    isolation level: an append committed meanwhile is wholly seen or not at all (two reads
    could see its head without its event, a false break). No lock is taken, so this runs in a
    read-only transaction."""
    result = session.execute(
        sa_select(col(AuditHead.seq), col(AuditHead.hash), AuditEvent)
        .select_from(AuditHead)
        .outerjoin(AuditEvent, true())
        .order_by(col(AuditEvent.seq))
        .execution_options(yield_per=1000)
    )
    with result:  # closes the server-side cursor when verification stops at a bad event
        rows = iter(result)
        seq, digest, first = next(rows)  # the head's row is always there, events or none
        events = (e for *_, e in chain([(seq, digest, first)], rows) if e is not None)
        return verify(events, recorded_head=Head(seq, digest), kept_head=kept_head)


def export_events(
    session: Session, filters: EventFilter, *, actor: str, file_format: str, now: datetime
) -> list[EventRow]:
    """The filtered log for download. The export is itself an event, after the ones it holds."""
    rows = find_events(session, filters)
    record(
        session,
        actor=actor,
        action="audit.exported",
        subject="audit_log",
        now=now,
        data={"format": file_format, "events": len(rows), "filters": filters.as_data()},
    )
    return rows
