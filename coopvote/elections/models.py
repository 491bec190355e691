"""An election, its contests (each a constituency's or organisation's seats), the nominations
made in them and the members seconding each nomination.

The election sits above ballots: a contested contest points at the ordinary ballot that
decides it; ballots know nothing of elections."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from coopvote.ballots.models import Method
from coopvote.db.types import UTCDateTime, enum_column

#: The longest statement a candidate may give, in words (issue 15) …
STATEMENT_WORDS = 500
#: … and in characters, a bound for the column (500 long words and their Markdown).
STATEMENT_CHARS = 6_000


class CandidateOrder(StrEnum):
    """The order of candidates on a contest's paper."""

    #: Alphabetical by surname (the last word of the name), then by the whole name.
    SURNAME = "surname"
    #: A fresh random order on each paper as it is shown; never stored with the paper.
    RANDOM = "random"


class Outcome(StrEnum):
    """What closing nominations made of a contest."""

    #: No more accepted candidates than seats: all elected without a ballot.
    UNOPPOSED = "unopposed"
    #: No accepted candidate: every seat vacant.
    VACANT = "vacant"
    #: More candidates than seats: an ordinary ballot decides.
    BALLOTED = "balloted"
    #: Unopposed, but the election asks for a yes/no confirmatory vote.
    CONFIRMATORY = "confirmatory"


class NominationStatus(StrEnum):
    #: Made by another member: waits for the nominee's consent.
    AWAITING_CONSENT = "awaiting_consent"
    #: The nominee stands: waits for seconders and a governor's check.
    SUBMITTED = "submitted"
    #: Checked by a governor: a candidate.
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Election(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=20_000)
    nominations_open_at: datetime = Field(sa_type=UTCDateTime)
    nominations_close_at: datetime = Field(sa_type=UTCDateTime)
    voting_opens_at: datetime = Field(sa_type=UTCDateTime)
    voting_closes_at: datetime = Field(sa_type=UTCDateTime)
    #: Seconders each nomination needs, from its contest's electorate.
    seconders: int = 1
    #: Whether an uncontested contest still goes to a yes/no vote.
    confirmatory_vote: bool = False
    candidate_order: CandidateOrder = Field(sa_column=enum_column(CandidateOrder))
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="member.id")
    #: Set once, by a conditional update, when nominations are closed and contests declared
    #: or balloted: of two governors (or a governor and the scheduler) closing at once, one
    #: does it.
    nominations_closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class Contest(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("election_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    position: int
    title: str = Field(max_length=200)
    seats: int
    method: Method = Field(sa_column=enum_column(Method))
    #: Who may stand, second and vote, as a ballot's eligibility (empty: every member).
    eligible_constituencies: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    eligible_organisations: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    outcome: Outcome | None = Field(default=None, sa_column=enum_column(Outcome, nullable=True))
    #: The ballot deciding a balloted (or confirmatory) contest; unique, so closing twice can
    #: never make two.
    ballot_id: int | None = Field(default=None, foreign_key="ballot.id", unique=True)
    #: An unopposed or vacant contest's declaration: canonical JSON and its SHA-256.
    declaration: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    declaration_sha256: str | None = Field(default=None, max_length=64)
    declared_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Nomination(SQLModel, table=True):
    """A member put forward in a contest: once per member and contest (the constraint, not a
    prior read, holds this when two requests race)."""

    __table_args__ = (UniqueConstraint("contest_id", "nominee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    contest_id: int = Field(foreign_key="contest.id", index=True)
    nominee_id: int = Field(foreign_key="member.id", index=True)
    nominator_id: int = Field(foreign_key="member.id")
    #: Markdown, sanitised when shown (``coopvote.markdown``).
    statement: str = Field(sa_column=Column(Text, nullable=False))
    #: An optional photo of the nominee: a JPEG re-encoded from the upload (``photos``).
    photo: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    status: NominationStatus = Field(sa_column=enum_column(NominationStatus))
    created_at: datetime = Field(sa_type=UTCDateTime)
    consented_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="member.id")
    #: Why a governor rejected it, shown to the nominee.
    reason: str = Field(default="", max_length=1000)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Seconding(SQLModel, table=True):
    """A member seconding a nomination: once each (the primary key)."""

    nomination_id: int = Field(foreign_key="nomination.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)
    at: datetime = Field(sa_type=UTCDateTime)
