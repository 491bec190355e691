"""The register of members: people, their organisations and constituencies, and history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, true
from sqlmodel import Field, SQLModel

from coopvote.db.types import UTCDateTime, enum_column


class MemberStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CEASED = "ceased"
    REJECTED = "rejected"
    #: An account that holds an office (e.g. an external auditor) without being a member.
    NON_MEMBER = "non_member"


class Role(StrEnum):
    MEMBER = "member"
    GOVERNOR = "governor"
    AUDITOR = "auditor"
    ADMIN = "admin"


#: Roles that are granted and revoked; ``member`` follows from holding a membership.
OFFICES = (Role.GOVERNOR, Role.AUDITOR, Role.ADMIN)

#: Accounts whose offices carry their powers: admitted members, and office holders who are no
#: members (an external auditor). A pending, suspended, ceased or rejected account holds none.
IN_OFFICE = frozenset({MemberStatus.ACTIVE, MemberStatus.NON_MEMBER})
#: Accounts that hold a membership, and so read what members read (suspension bars acting,
#: not reading: the rules of each area refuse a suspended member's vote or proposal).
IN_MEMBERSHIP = frozenset({MemberStatus.ACTIVE, MemberStatus.SUSPENDED})


def normalise_email(email: str) -> str:
    """The form in which ``Member.email`` is stored and looked up (lower-cased, trimmed).

    It sits beside the column it defines, below both the register and sign-in, so that
    ``security`` reads the register's tables without importing its rules or commands."""
    return email.strip().lower()


#: The password hash of an account that has no password yet (an imported member, until they
#: accept their invitation): no password verifies against it.
NO_PASSWORD = "!"  # noqa: S105 - a marker, not a password


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)


class Constituency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    #: The identifier used in URLs and the API: random, so it reveals nothing and cannot be guessed.
    public_id: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    #: Stored lower-cased, so that uniqueness ignores case.
    email: str = Field(max_length=320, unique=True)
    password_hash: str = Field(max_length=200)
    status: MemberStatus = Field(sa_column=enum_column(MemberStatus, index=True))
    #: Assigned at admission from a counter, never reused.
    member_number: int | None = Field(default=None, unique=True)
    constituency_id: int | None = Field(default=None, foreign_key="constituency.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    applied_at: datetime = Field(sa_type=UTCDateTime)
    agreed_to_rules_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The address is known to reach them: confirmed by a link, or given by the co-operative
    #: (an import, the command line). An applicant cannot sign in until it is.
    email_confirmed: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    #: When an invitation to set a password was last sent (imported members have none).
    invited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MemberRole(SQLModel, table=True):
    __tablename__ = "member_role"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    role: Role = Field(sa_column=enum_column(Role, primary_key=True))


class StatusChange(SQLModel, table=True):
    """One entry of a member's history; the roll of a ballot is read from it as at a moment."""

    __tablename__ = "status_change"
    __table_args__ = (Index("ix_status_change_member_at", "member_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    from_status: MemberStatus | None = Field(
        default=None, sa_column=enum_column(MemberStatus, nullable=True)
    )
    to_status: MemberStatus = Field(sa_column=enum_column(MemberStatus))
    reason: str = Field(default="", max_length=1000)
    #: Who made the change; ``None`` when the member acted for themselves or the CLI did.
    actor_id: int | None = Field(default=None, foreign_key="member.id")
    at: datetime = Field(sa_type=UTCDateTime)


class Counter(SQLModel, table=True):
    """Named sequences that must never reuse a value (member numbers)."""

    name: str = Field(primary_key=True, max_length=60)
    value: int = 0
