"""JSON shapes that more than one controller answers with or accepts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from coopvote.audit.views import EventRow
from coopvote.ballots import views as ballots
from coopvote.ballots.models import Ballot
from coopvote.security.sessions import Principal
from coopvote.web.deps import Db


@dataclass
class EligibilityIn:
    constituencies: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)


@dataclass
class OptionOut:
    id: int
    label: str


@dataclass
class BallotOut:
    id: str
    title: str
    description: str
    method: str
    status: str
    options: list[OptionOut]
    seats: int
    max_choices: int | None
    threshold: str | None
    quorum: float
    opens_at: datetime | None
    closes_at: datetime
    eligible: EligibilityIn
    roll_size: int | None
    roll_hash: str | None
    votes_cast: int | None
    cancel_reason: str | None
    on_roll: bool | None = None
    has_voted: bool | None = None


@dataclass
class ReasonIn:
    reason: str = ""


def present_ballot(db: Db, ballot: Ballot, principal: Principal, now: datetime) -> BallotOut:
    """A ballot as this caller may see it at ``now`` (``rules.can_see_turnout`` decides on
    turnout); never anything about choices. ``roll_size`` is ``None`` while the roll is
    pending."""
    state = ballots.state(db, ballot, principal.roles, now)
    entry = ballots.roll_entry(db, ballot, principal.member_id)
    return BallotOut(
        id=ballot.public_id,
        title=ballot.title,
        description=ballot.description,
        method=ballot.method.value,
        status=state.status.value,
        options=[OptionOut(o.id, o.label) for o in state.options if o.id is not None],
        seats=ballot.seats,
        max_choices=ballot.max_choices,
        threshold=ballot.threshold.value if ballot.threshold else None,
        quorum=ballot.quorum_bp / 10_000,
        opens_at=ballot.opens_at,
        closes_at=ballot.closes_at,
        eligible=EligibilityIn(
            list(ballot.eligible_constituencies), list(ballot.eligible_organisations)
        ),
        roll_size=ballot.roll_size,
        roll_hash=ballot.roll_hash,
        votes_cast=state.turnout.votes_cast if state.turnout else None,
        cancel_reason=ballot.cancel_reason or None,
        on_roll=entry is not None,
        has_voted=entry.has_voted if entry else False,
    )


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
    #: Extension: free text kept apart from the hashed ``data`` (which holds only a salted
    #: digest of each, under ``kept_apart``), by name; absent once erased with its member.
    notes: dict[str, str]

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
            notes=row.notes,
        )
