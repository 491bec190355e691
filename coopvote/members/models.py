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


#: An account without a password (imported, erased, or an organisation's new representative)
#: cannot sign in until one is set for it: no hash matches this.
NO_PASSWORD = "!"  # noqa: S105 - a marker, not a password


def normalise_email(email: str) -> str:
    """The form in which ``Member.email`` is stored and looked up (lower-cased, trimmed).

    It sits beside the column it defines, below both the register and sign-in, so that
    ``security`` reads the register's tables without importing its rules or commands."""
    return email.strip().lower()


class AgeBand(StrEnum):
    """The only thing asked of a student's age: whether a parent's or carer's consent is
    needed (under 13: UK GDPR Art. 8, with the Data Protection Act 2018 s. 9)."""

    UNDER_13 = "under_13"
    THIRTEEN_OR_OVER = "13_or_over"


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)


class Constituency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)
    #: Days a membership in this constituency lasts without renewal (parents and carers,
    #: students: a year); ``None``: it does not lapse (staff, while employed) (issue 18).
    lapse_after_days: int | None = None


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    #: The identifier used in URLs and the API: random, so it reveals nothing and cannot be guessed.
    public_id: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    #: Stored lower-cased, so that uniqueness ignores case. An organisation's is its
    #: representative's: they sign in and act for it.
    email: str = Field(max_length=320, unique=True)
    #: Set when the member is an organisation (a partner such as the county council, whose
    #: ``name`` this is): the one named person who acts and votes for it (issue 18).
    representative: str | None = Field(default=None, max_length=200)
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
    #: A student's age band (``None`` for everyone else); asked at registration.
    age_band: AgeBand | None = Field(default=None, sa_column=enum_column(AgeBand, nullable=True))
    #: Who gave a parent's or carer's consent for a student under 13, and when it was recorded.
    guardian_consent_by: str | None = Field(default=None, max_length=200)
    guardian_consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: The version of the privacy notice the member last accepted (at registration, then at
    #: the first sign-in after each new version).
    privacy_version: int | None = None
    #: When the membership's present term began: at admission, and at each renewal. In a
    #: constituency whose membership lapses, it lapses ``lapse_after_days`` after this.
    term_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: When everything but the register entry was erased (on request, or at the end of the
    #: retention period): contact details, password, free text, offices (issue 18).
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: When the register entry itself was removed (ten years after leaving: Companies Act
    #: 2006 s. 121), leaving a tombstone, "former member N", that votes and events still name.
    entry_removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def tombstone(member: Member) -> str:
    """How a removed register entry is named: "former member" and their number (or, for an
    applicant who never had one, the record's id)."""
    return f"former member {member.member_number or member.id}"


def shown_name(member: Member) -> str:
    """The member's name, or their tombstone once the register entry is removed."""
    return member.name or tombstone(member)


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


class PrivacyNotice(SQLModel, table=True):
    """A version of the privacy notice, as an admin published it; the newest is in force.
    Before the first, ``members.privacy.DEFAULT_NOTICE`` is version 1."""

    __tablename__ = "privacy_notice"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    #: Markdown, rendered and sanitised only when shown.
    text: str = Field(max_length=20_000)
    published_at: datetime = Field(sa_type=UTCDateTime)
