"""General meetings and what happens at them.

One counted vote per member per resolution, whatever the channel, is the database's job:
``CountedVote`` is keyed by (agenda item, member) and records only the channel. A secret
channel's choice lives elsewhere, unlinked: an advance vote in its ballot's sealed box
(``ballots``), an in-room online vote in ``RoomPaper`` (sealed, keyed by its tracker, no member,
no time). A proxy's vote is known to the proxy by nature, and is stored with the appointment.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, text
from sqlmodel import Field, SQLModel

from coopvote.db.types import UTCDateTime, enum_column


class MeetingKind(StrEnum):
    AGM = "agm"
    GENERAL = "general"


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    #: Notice issued: advance votes and proxies are open.
    NOTICED = "noticed"
    #: The chair has opened the meeting: advance votes are closed, members check in.
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ItemKind(StrEnum):
    RESOLUTION = "resolution"
    REPORT = "report"
    #: Any other business: discussed, never voted on.
    AOB = "aob"


class ResolutionType(StrEnum):
    ORDINARY = "ordinary"
    SPECIAL = "special"


class MotionStatus(StrEnum):
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"
    DECLARED = "declared"


class Channel(StrEnum):
    ADVANCE = "advance"
    IN_ROOM = "in_room"
    PROXY_DIRECTED = "proxy_directed"
    PROXY_DISCRETIONARY = "proxy_discretionary"


class OfficerRole(StrEnum):
    CHAIR = "chair"
    TELLER = "teller"


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    kind: MeetingKind = Field(sa_column=enum_column(MeetingKind))
    title: str = Field(max_length=200)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(default="", max_length=500)
    online_url: str = Field(default="", max_length=500)
    #: Entitlement: the advance ballots' rolls freeze at this moment (default: the notice).
    record_date: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: MeetingStatus = Field(sa_column=enum_column(MeetingStatus, index=True))
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="member.id")
    notice_issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Frozen at notice, from the co-operative's settings in force then.
    proxy_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    proxy_cap: int | None = None
    quorum_required: int | None = None
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Members present in person or by proxy when the chair opened the meeting.
    quorum_present: int | None = None
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str = Field(default="", max_length=1000)
    #: Markdown: generated when the meeting closes, edited by governors, fixed when published.
    minutes: str = Field(default="", max_length=100_000)
    minutes_published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MeetingNotice(SQLModel, table=True):
    """A notice as issued: fixed (the database refuses changes); a change is a new version."""

    __tablename__ = "meeting_notice"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    issued_at: datetime = Field(sa_type=UTCDateTime)
    issued_by: int | None = Field(default=None, foreign_key="member.id")
    #: The notice's canonical JSON (the meeting and its full agenda, as members received it).
    document: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64)


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int
    kind: ItemKind = Field(sa_column=enum_column(ItemKind))
    title: str = Field(max_length=200)
    #: In full: a special resolution's text must be in the notice.
    text: str = Field(default="", max_length=20_000)
    resolution_type: ResolutionType | None = Field(
        default=None, sa_column=enum_column(ResolutionType, nullable=True)
    )
    #: A members' resolution: the forum proposal it came from.
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    #: The secret advance ballot (opens with the notice, closes when the meeting opens).
    advance_ballot_id: int | None = Field(default=None, foreign_key="ballot.id", unique=True)
    motion: MotionStatus = Field(default=MotionStatus.PENDING, sa_column=enum_column(MotionStatus))
    motion_opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    motion_closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The declared result (``rules.Result`` as JSON), with its recount file's figures.
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    declared_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MeetingOfficer(SQLModel, table=True):
    """The meeting's chair (one) and tellers, named by governors."""

    __tablename__ = "meeting_officer"
    __table_args__ = (
        Index(
            "uq_meeting_officer_one_chair",
            "meeting_id",
            unique=True,
            sqlite_where=text("role = 'chair'"),
            postgresql_where=text("role = 'chair'"),
        ),
    )

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    role: OfficerRole = Field(sa_column=enum_column(OfficerRole))


class Attendance(SQLModel, table=True):
    __tablename__ = "meeting_attendance"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    checked_in_at: datetime = Field(sa_type=UTCDateTime)
    #: ``None``: the member checked themselves in; else the officer who did.
    checked_in_by: int | None = Field(default=None, foreign_key="member.id")


class ProxyAppointment(SQLModel, table=True):
    """A member's proxy for one meeting. At most one in force per member (a partial unique
    index); revoking or replacing one keeps it, marked."""

    __tablename__ = "proxy_appointment"
    __table_args__ = (
        Index(
            "uq_proxy_appointment_in_force",
            "meeting_id",
            "member_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    #: The member appointed; ``None``: the chair of the meeting.
    proxy_id: int | None = Field(default=None, foreign_key="member.id", index=True)
    #: ``{agenda item public id: "for" | "against" | "abstain"}``; ``None``: discretionary.
    instructions: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    appointed_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: ``revoked`` (by the member), ``replaced`` (a new appointment), ``attended``.
    ended_reason: str = Field(default="", max_length=20)


class ProxyVote(SQLModel, table=True):
    """How a proxy holder used a discretionary proxy on one resolution: one choice for every
    discretionary appointment they hold (known to the proxy, by nature)."""

    __tablename__ = "proxy_vote"

    item_id: int = Field(foreign_key="agenda_item.id", primary_key=True)
    #: The proxy holder (the chair, for proxies naming the chair of the meeting).
    holder_id: int = Field(foreign_key="member.id", primary_key=True)
    choice: str = Field(max_length=10)


class CountedVote(SQLModel, table=True):
    """The ledger: one row per member whose vote on a resolution is counted, and by which
    channel. Never a choice, a time or a sequence: keyed by (item, member) and clustered on
    that key (``WITHOUT ROWID``), so neither its content nor its order pairs a member with a
    paper."""

    __tablename__ = "counted_vote"
    __table_args__ = ({"sqlite_with_rowid": False},)

    item_id: int = Field(foreign_key="agenda_item.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
    channel: Channel = Field(sa_column=enum_column(Channel))


class RoomPaper(SQLModel, table=True):
    """An in-room online vote, sealed to the item's key (``ballots.box``): keyed by its tracker
    (the voter's receipt), so stored in an order unrelated to the order of voting. No member."""

    __tablename__ = "room_paper"
    __table_args__ = (
        Index("ix_room_paper_item_id", "item_id"),
        {"sqlite_with_rowid": False},
    )

    tracker: str = Field(primary_key=True, max_length=64)
    item_id: int = Field(foreign_key="agenda_item.id")
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class TellerCount(SQLModel, table=True):
    """One teller's count of a show of hands or paper poll; counted when two tellers agree."""

    __tablename__ = "teller_count"

    item_id: int = Field(foreign_key="agenda_item.id", primary_key=True)
    teller_id: int = Field(foreign_key="member.id", primary_key=True)
    votes_for: int
    votes_against: int
    abstentions: int
    entered_at: datetime = Field(sa_type=UTCDateTime)
