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
from coopvote.forum.models import Comment, Proposal, Support
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
from coopvote.security.models import KnownClient, ThrottleCounter, WebSession

metadata = SQLModel.metadata

__all__ = [
    "AuditEvent",
    "AuditHead",
    "AuditNote",
    "Ballot",
    "BallotOption",
    "BallotTrustee",
    "BoardEntry",
    "Comment",
    "Constituency",
    "CooperativeSettings",
    "Counter",
    "KeyShare",
    "KnownClient",
    "Member",
    "MemberRole",
    "Organisation",
    "Paper",
    "PrivacyNotice",
    "Proposal",
    "ResultDeclaration",
    "RollEntry",
    "SealedPaper",
    "StatusChange",
    "Support",
    "ThrottleCounter",
    "WebSession",
    "metadata",
]
