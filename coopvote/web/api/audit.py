"""``/api/v1/audit``: the log (auditors and governors) and its verification (auditors).

Extensions to the contract in API.md, documented in docs/audit.md: the log takes the filters
``action``, ``actor``, ``subject``, ``from`` and ``to`` (whole UTC days, inclusive) and names the
members behind ``actor`` and ``subject``; verification takes ``head=SEQ:HASH`` (a head kept
earlier) and answers the head's ``seq`` beside its hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, QueryParameter

from coopvote.audit.chain import Head
from coopvote.audit.service import EventFilter, EventRow, find_events, verify_chain
from coopvote.errors import InvalidInput
from coopvote.members.models import Role
from coopvote.web.access import requires
from coopvote.web.deps import Db


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a date such as 2026-03-31.") from None


def event_filter(
    action: FromQuery[str] = "",
    actor: FromQuery[str] = "",
    subject: FromQuery[str] = "",
    since: Annotated[str, QueryParameter(name="from", description="First UTC day")] = "",
    until: Annotated[str, QueryParameter(name="to", description="Last UTC day")] = "",
) -> EventFilter:
    """The log's filters from the query string. Empty values mean "any", so an HTML form that
    sends every field works unchanged; the pages and their exports use this too."""
    return EventFilter(
        action=action.strip(),
        actor=actor.strip(),
        subject=subject.strip(),
        since=_day(since.strip(), "from"),
        until=_day(until.strip(), "to"),
    )


#: How handlers ask for the filters above.
Filters = NamedDependency[EventFilter]
FILTER_DEPENDENCIES = {"filters": Provide(event_filter, sync_to_thread=False)}


@dataclass
class AuditEventOut:
    seq: int
    at: datetime
    actor: str
    action: str
    subject: str
    data: dict[str, Any]
    prev_hash: str
    hash: str
    #: Extension: the names of the members that ``actor`` and ``subject`` refer to, if any.
    actor_name: str | None
    subject_name: str | None

    @classmethod
    def of(cls, row: EventRow) -> AuditEventOut:
        e = row.event
        return cls(
            seq=e.seq,
            at=e.at,
            actor=e.actor,
            action=e.action,
            subject=e.subject,
            data=e.data,
            prev_hash=e.prev_hash,
            hash=e.hash,
            actor_name=row.actor_name,
            subject_name=row.subject_name,
        )


@dataclass
class VerifyOut:
    ok: bool
    #: Events read; when the chain is broken, up to and including the first bad one.
    events: int
    #: The hash and sequence number of the last event whose link verified: the head when ``ok``.
    head: str
    seq: int
    first_bad_seq: int | None = None
    problem: str | None = None


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    opt = requires(Role.AUDITOR, Role.GOVERNOR)
    dependencies = FILTER_DEPENDENCIES

    @get("/", sync_to_thread=True)
    def log(
        self,
        db: Db,
        filters: Filters,
        after: Annotated[int, QueryParameter(ge=0, description="Only events after this seq")] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[AuditEventOut]:
        """The log in chain order; page on with ``after`` set to the last ``seq`` received."""
        return [AuditEventOut.of(r) for r in find_events(db, filters, after=after, limit=limit)]

    @get("/verify", opt=requires(Role.AUDITOR), sync_to_thread=True)
    def verify(
        self,
        db: Db,
        head: Annotated[
            str, QueryParameter(description="A head kept earlier, as SEQ:HASH; optional")
        ] = "",
    ) -> VerifyOut:
        """Recompute the chain from the first event; name the first bad event if it is broken."""
        try:
            kept = Head.parse(head) if head.strip() else None
        except ValueError as problem:
            raise InvalidInput(str(problem)) from None
        verdict = verify_chain(db, kept)
        return VerifyOut(
            ok=verdict.ok,
            events=verdict.events,
            head=verdict.head.hash,
            seq=verdict.head.seq,
            first_bad_seq=verdict.first_bad_seq,
            problem=verdict.problem,
        )
