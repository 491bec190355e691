"""Appending to the audit log, and verifying its chain. Every state change calls ``record`` in
its own transaction, so the event commits or rolls back with the change it describes. Browsing
the log lives in ``views``; an export is a command, since it is itself recorded."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from sqlalchemy import String, true, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from coopvote.audit.chain import Head, Malformed, Verdict, event_hash, verify
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


def record_refusal(
    session: Session,
    *,
    actor: str,
    noun: str,
    subject: str,
    action: str,
    status: int,
    reason: str,
    now: datetime,
) -> AuditEvent:
    """A governing action that was refused (no right to it, or not in this state) is itself
    an event, ``<noun>.refused``: an auditor sees attempts, not only what succeeded. It is
    recorded in a transaction of its own when the refused request's is rolled back, or in the
    request's own when its page answered the refusal itself (``web.refusals``).
    ``action`` names what was attempted (e.g. ``POST /api/v1/ballots/{ballot_id}/open``);
    ``status`` is the HTTP status it was answered with (403 or 409)."""
    return record(
        session,
        actor=actor,
        action=f"{noun}.refused",
        subject=subject[:100],
        now=now,
        data={"action": action[:200], "status": status, "reason": reason[:500]},
    )


def current_head(session: Session) -> Head:
    head = session.exec(select(AuditHead)).one()
    return Head(head.seq, head.hash)


def verify_chain(session: Session, kept_head: Head | None = None) -> Verdict:
    """Recompute the chain (``chain.verify``) against the head the database holds.

    The head comes with the events in one statement, so both are one snapshot whatever the
    isolation level: an append committed meanwhile is wholly seen or not at all (two reads
    could see its head without its event, a false break). No lock is taken, so this runs in a
    read-only transaction. Events are read as the driver stores them, not through the model,
    so that a malformed one is named (``Malformed``) instead of failing the whole check."""
    events = AuditEvent.__table__.c  # type: ignore[attr-defined]
    result = session.execute(
        sa_select(
            col(AuditHead.seq),
            col(AuditHead.hash),
            # As stored: the model's types would fail on a malformed time or data.
            *(type_coerce(events[name], String).label(f"event_{name}") for name in STORED_FIELDS),
        )
        .select_from(AuditHead)
        .outerjoin(AuditEvent, true())
        .order_by(events.seq)
        .execution_options(yield_per=1000)
    )
    with result:  # closes the server-side cursor when verification stops at a bad event
        rows = iter(result)
        seq, digest, *first = next(rows)  # the head's row is always there, events or none
        stored = (fields for _, _, *fields in chain([(seq, digest, *first)], rows))
        read = (stored_event(fields) for fields in stored if fields[0] is not None)
        return verify(read, recorded_head=Head(seq, digest), kept_head=kept_head)


#: The columns of a stored event, in the order ``stored_event`` takes them.
STORED_FIELDS = ("seq", "at", "actor", "action", "subject", "data", "prev_hash", "hash")


@dataclass(frozen=True)
class StoredEvent:
    """An event as verification reads it (``chain.Linked``)."""

    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    data: Any
    prev_hash: str
    hash: str


def stored_event(fields: Sequence[Any]) -> StoredEvent | Malformed:
    """An event from its stored columns (``STORED_FIELDS``, each as text or as the driver
    gives it), or ``Malformed`` naming what cannot be read: an impossible time, data that is
    not JSON, a missing or non-text value."""
    values = dict(zip(STORED_FIELDS, fields, strict=True))
    seq = values["seq"]
    try:
        seq = int(seq)
        for name in STORED_FIELDS[1:]:
            if values[name] is None:
                raise ValueError(f"{name} is missing")
        at = values["at"]
        if not isinstance(at, datetime):
            at = datetime.fromisoformat(str(at))
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
        data = values["data"]
        if isinstance(data, str | bytes):
            data = json.loads(data)
        texts = {n: values[n] for n in ("actor", "action", "subject", "prev_hash", "hash")}
        for name, value in texts.items():
            if not isinstance(value, str):
                raise ValueError(f"{name} is not text")
    except (ValueError, TypeError, OverflowError) as problem:
        return Malformed(seq if isinstance(seq, int) else -1, str(problem))
    return StoredEvent(seq=seq, at=at, data=data, **texts)


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
