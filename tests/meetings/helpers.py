"""Calling a meeting with its notice issued, for the meetings' tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from coopvote.clock import utcnow
from coopvote.meetings import service, views
from coopvote.meetings.models import (
    AgendaItem,
    ItemKind,
    Meeting,
    MeetingKind,
    OfficerRole,
    ResolutionType,
)
from coopvote.members.models import Member

SPECIAL_TEXT = "That article 12 be replaced by: 'The trust has three parent governors.'"


def definition(starts_at: datetime) -> service.MeetingDefinition:
    return service.MeetingDefinition(
        kind=MeetingKind.AGM,
        title="Annual general meeting 2027",
        starts_at=starts_at,
        place="The Grange School hall",
        items=(
            service.ItemDefinition(ItemKind.REPORT, "Annual report and accounts", "The report."),
            service.ItemDefinition(
                ItemKind.RESOLUTION,
                "Receive the accounts",
                "That the accounts be received.",
                ResolutionType.ORDINARY,
            ),
            service.ItemDefinition(
                ItemKind.RESOLUTION, "Change article 12", SPECIAL_TEXT, ResolutionType.SPECIAL
            ),
        ),
    )


def noticed_meeting(
    session: Session,
    governor: Member,
    *,
    now: datetime | None = None,
    days_ahead: int = 30,
    chair: Member | None = None,
    tellers: tuple[Member, ...] = (),
) -> Meeting:
    """An AGM ``days_ahead`` days after ``now`` (an ordinary and a special resolution), its
    notice issued at ``now``, with ``chair`` and ``tellers`` named."""
    now = now or utcnow()
    meeting = service.create_meeting(
        session, definition(now + timedelta(days=days_ahead)), actor_id=governor.id, now=now
    )
    service.issue_notice(session, meeting, actor_id=governor.id, now=now)
    for member, role in [(chair, OfficerRole.CHAIR)] + [(t, OfficerRole.TELLER) for t in tellers]:
        if member is not None:
            service.name_officer(session, meeting, member, role, actor_id=governor.id, now=now)
    return meeting


def resolutions(session: Session, meeting: Meeting) -> list[AgendaItem]:
    return [i for i in views.items(session, meeting) if i.kind is ItemKind.RESOLUTION]


def ident(member: Member) -> int:
    """A stored member's id (never ``None`` once flushed)."""
    assert member.id is not None
    return member.id
