"""Every table, imported in one place so that Alembic and the drift check see the whole schema."""

from sqlmodel import SQLModel

from coopvote.audit.models import AuditEvent, AuditHead
from coopvote.ballots.models import Ballot, BallotOption, Paper, RollEntry
from coopvote.cooperative.models import CooperativeSettings
from coopvote.members.models import (
    Constituency,
    Counter,
    Member,
    MemberRole,
    Organisation,
    StatusChange,
)
from coopvote.security.models import SignInFailure, WebSession

metadata = SQLModel.metadata

__all__ = [
    "AuditEvent",
    "AuditHead",
    "Ballot",
    "BallotOption",
    "Constituency",
    "CooperativeSettings",
    "Counter",
    "Member",
    "MemberRole",
    "Organisation",
    "Paper",
    "RollEntry",
    "SignInFailure",
    "StatusChange",
    "WebSession",
    "metadata",
]
