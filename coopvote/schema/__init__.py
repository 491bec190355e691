"""The whole schema: every area's tables in one registry, and the Alembic migrations that build
them (``env.py``, ``versions/``, run by ``coopvote.schema.migrate``).

It sits above the areas because it gathers them all; ``coopvote.db`` below them holds only the
engine, the unit of work and the column types that the areas' models use."""

from sqlmodel import SQLModel

from coopvote.audit.models import AuditEvent, AuditHead, AuditNote
from coopvote.ballots.models import (
    Ballot,
    BallotOption,
    BallotTrustee,
    BoardEntry,
    KeyShare,
    Paper,
    RollEntry,
    SealedPaper,
)
from coopvote.cooperative.models import CooperativeSettings
from coopvote.elections.models import Contest, Election, Nomination, Seconding
from coopvote.forum.models import Comment, Proposal, Support
from coopvote.mail.models import BallotReminder, NoticeOptOut, OutboxMessage
from coopvote.meetings.models import (
    AgendaItem,
    Attendance,
    CountedVote,
    Meeting,
    MeetingNotice,
    MeetingOfficer,
    ProxyAppointment,
    ProxyVote,
    RoomPaper,
    TellerCount,
)
from coopvote.members.models import (
    Constituency,
    Counter,
    Member,
    MemberRole,
    Organisation,
    PrivacyNotice,
    StatusChange,
)
from coopvote.results.models import ResultDeclaration
from coopvote.security.models import AccountToken, KnownClient, ThrottleCounter, WebSession

metadata = SQLModel.metadata

__all__ = [
    "AccountToken",
    "AgendaItem",
    "Attendance",
    "AuditEvent",
    "AuditHead",
    "AuditNote",
    "Ballot",
    "BallotOption",
    "BallotReminder",
    "BallotTrustee",
    "BoardEntry",
    "Comment",
    "Constituency",
    "Contest",
    "CooperativeSettings",
    "CountedVote",
    "Counter",
    "Election",
    "KeyShare",
    "KnownClient",
    "Meeting",
    "MeetingNotice",
    "MeetingOfficer",
    "Member",
    "MemberRole",
    "Nomination",
    "NoticeOptOut",
    "Organisation",
    "OutboxMessage",
    "Paper",
    "PrivacyNotice",
    "Proposal",
    "ProxyAppointment",
    "ProxyVote",
    "ResultDeclaration",
    "RollEntry",
    "RoomPaper",
    "SealedPaper",
    "Seconding",
    "StatusChange",
    "Support",
    "TellerCount",
    "ThrottleCounter",
    "WebSession",
    "metadata",
]
