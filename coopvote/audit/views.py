"""Browsing the audit log: filtered events, with the names of the members they refer to.
Nothing here writes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from coopvote.audit.models import AuditEvent, AuditNote
from coopvote.errors import Conflict
from coopvote.members.models import Member, shown_name
from coopvote.paging import Page


@dataclass(frozen=True)
class EventFilter:
    """Which events to show; every filter is optional. Dates are whole UTC days, inclusive."""

    action: str = ""
    actor: str = ""
    subject: str = ""
    since: date | None = None
    until: date | None = None

    def as_data(self) -> dict[str, str]:
        """The filters that are set, as an audit event's data (an export records what it held)."""
        values = {
            "action": self.action,
            "actor": self.actor,
            "subject": self.subject,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        return {name: value for name, value in values.items() if value}


@dataclass(frozen=True)
class EventRow:
    """An event as the auditor's pages and exports show it: with the names behind its ids."""

    event: AuditEvent
    #: The acting member's name, or ``None`` when the actor is not a known member.
    actor_name: str | None
    subject_name: str | None
    #: The event's kept-apart notes that have not been erased, by name (``AuditNote``).
    notes: dict[str, str] = field(default_factory=dict)


def _conditions(filters: EventFilter) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.action:
        conditions.append(col(AuditEvent.action) == filters.action)
    if filters.actor:
        conditions.append(col(AuditEvent.actor) == filters.actor)
    if filters.subject:
        conditions.append(col(AuditEvent.subject) == filters.subject)
    if filters.since:
        conditions.append(col(AuditEvent.at) >= _start_of(filters.since))
    if filters.until:
        # The day's last microsecond, not the next day's start: 9999-12-31 has no next day.
        conditions.append(col(AuditEvent.at) <= datetime.combine(filters.until, time.max, UTC))
    return conditions


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def find_events(
    session: Session,
    filters: EventFilter,
    *,
    after: int = 0,
    limit: int | None = None,
    offset: int = 0,
) -> list[EventRow]:
    """Matching events in chain order: those after sequence number ``after``, at most ``limit``.

    ``Conflict`` when one of them cannot be read (an impossible time, data that is not JSON:
    written behind the application's back), rather than a server error; verification
    (``audit.service.stored_event``) names which."""
    query = (
        select(AuditEvent)
        .where(col(AuditEvent.seq) > after, *_conditions(filters))
        .order_by(col(AuditEvent.seq))
        .offset(offset)
        .limit(limit)
    )
    try:
        events = session.exec(query).all()
    except (ValueError, TypeError, OverflowError):
        raise Conflict(
            "The audit log holds an event that cannot be read: it was written behind "
            "coopvote's back. The audit dashboard and `coopvote audit verify` name it."
        ) from None
    return _with_names(session, events)


def browse_events(
    session: Session, filters: EventFilter, *, page: int, per_page: int = 50
) -> Page[EventRow]:
    total = session.exec(
        select(func.count()).select_from(AuditEvent).where(*_conditions(filters))
    ).one()
    items = find_events(session, filters, limit=per_page, offset=(page - 1) * per_page)
    return Page(items, total, page, per_page)


def actions(session: Session) -> Sequence[str]:
    """Every action the log holds, for choosing one to filter by."""
    return session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all()


def _with_names(session: Session, events: Sequence[AuditEvent]) -> list[EventRow]:
    names = _member_names(session, [e.actor for e in events] + [e.subject for e in events])
    notes = notes_of(session, [e.seq for e in events])
    return [
        EventRow(e, names.get(e.actor), names.get(e.subject), notes.get(e.seq, {})) for e in events
    ]


def notes_of(session: Session, seqs: Sequence[int]) -> dict[int, dict[str, str]]:
    """The kept-apart notes of the events ``seqs`` that still exist, by event and name."""
    found: dict[int, dict[str, str]] = {}
    for start in range(0, len(seqs), 500):
        chunk = list(seqs[start : start + 500])
        for note in session.exec(select(AuditNote).where(col(AuditNote.seq).in_(chunk))):
            found.setdefault(note.seq, {})[note.name] = note.text
    return found


MEMBER_REFERENCE = re.compile(r"member:(\d+)", re.ASCII)
#: Member ids per query when looking up names: well under every database's limit on parameters.
NAMES_PER_QUERY = 500


def _member_names(session: Session, references: Iterable[str]) -> dict[str, str]:
    """The names of the members that references such as ``member:12`` point to."""
    ids = sorted(
        {int(match[1]) for ref in references if (match := MEMBER_REFERENCE.fullmatch(ref))}
    )
    names = {}
    for start in range(0, len(ids), NAMES_PER_QUERY):
        chunk = ids[start : start + NAMES_PER_QUERY]
        for member in session.exec(select(Member).where(col(Member.id).in_(chunk))):
            # A removed register entry keeps no name: its tombstone (issue 18).
            names[f"member:{member.id}"] = shown_name(member)
    return names
