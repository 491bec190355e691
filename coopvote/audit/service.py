"""Appending to the audit log, and verifying its chain. Every state change calls ``record`` in
its own transaction, so the event commits or rolls back with the change it describes. Browsing
the log lives in ``views``; an export is a command, since it is itself recorded."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from sqlalchemy import String, true, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from coopvote.audit.chain import (
    KEPT_APART,
    Head,
    Malformed,
    Verdict,
    commitment,
    event_hash,
    note_matches,
    verify,
)
from coopvote.audit.models import AuditEvent, AuditHead, AuditNote
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
    private: Mapping[str, str] | None = None,
    about: str | None = None,
) -> AuditEvent:
    """Append an event. ``data`` is hashed into the chain; ``private`` (free text such as a
    reason, or a personal field, by name) is kept apart as ``AuditNote``s about the member
    ``about`` (default: the subject), with only a salted digest of each in ``data``, so that
    erasing that member's personal data never breaks the chain (issue 18). Raises
    ``ValueError`` for data that holds a secret or a choice (``FORBIDDEN_KEYS``)."""
    payload = dict(data or {})
    leaked = FORBIDDEN_KEYS.intersection(payload) | FORBIDDEN_KEYS.intersection(private or {})
    if leaked:
        raise ValueError(f"audit data must not hold {sorted(leaked)}")
    notes = [
        AuditNote(seq=0, name=name, text=text, salt=secrets.token_hex(16), about=about or subject)
        for name, text in (private or {}).items()
    ]
    if notes:
        payload[KEPT_APART] = {note.name: commitment(note.salt, note.text) for note in notes}
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
    for note in notes:
        note.seq = seq
        session.add(note)
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
    ``status`` is the HTTP status it was answered with (403 or 409). The reason may name a
    member ("Pat is already governor."), so it is kept apart, about the member acted on (or
    else the actor)."""
    subject = subject[:100]
    return record(
        session,
        actor=actor,
        action=f"{noun}.refused",
        subject=subject,
        now=now,
        data={"action": action[:200], "status": status},
        private={"reason": reason[:500]},
        about=subject if subject.startswith("member:") else actor,
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
        verdict = verify(read, recorded_head=Head(seq, digest), kept_head=kept_head)
    if not verdict.ok:
        return verdict
    if (bad := first_altered_note(session)) is not None:
        return Verdict(False, verdict.events, verdict.head, bad, "a note kept apart was altered")
    return verdict


def first_altered_note(session: Session) -> int | None:
    """The first event whose kept-apart note no longer matches the digest the chain holds of
    it. An erased note is simply absent, which the chain allows: only a changed one is a
    break."""
    result = session.execute(
        select(AuditNote, AuditEvent.data)
        .join(AuditEvent, col(AuditEvent.seq) == col(AuditNote.seq))
        .order_by(col(AuditNote.seq))
        .execution_options(yield_per=1000)
    )
    with result:  # closes the server-side cursor when the check stops at a bad note
        for note, data in result:
            if not note_matches(data, note.name, note.salt, note.text):
                return int(note.seq)
    return None


def erase_notes_about(session: Session, subject: str) -> int:
    """Delete every note about ``subject`` (``member:12``); returns how many. The database
    allows it only once the member's erasure is itself recorded (``member.erased``)."""
    notes = session.exec(select(AuditNote).where(AuditNote.about == subject)).all()
    for note in notes:
        session.delete(note)
    session.flush()
    return len(notes)


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
