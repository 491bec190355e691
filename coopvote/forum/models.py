"""The forum: members' proposals, the support they gather, and the discussion under them.

Support is not a vote: it lives here, apart from ballots, and says only that enough members
want a question put to the binding one-member-one-vote ballot that a proposal may become.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from coopvote.db.types import UTCDateTime, enum_column


class ProposalStatus(StrEnum):
    """What members see. Only ``open``, ``balloted``, ``withdrawn`` and ``hidden`` are stored;
    ``ready_for_ballot`` is derived from the live support and ``carried`` / ``not_carried``
    from the linked ballot's published result (``rules.status``), so that a suspended
    supporter or a published result changes the status without anything being rewritten."""

    OPEN = "open"
    READY_FOR_BALLOT = "ready_for_ballot"
    BALLOTED = "balloted"
    CARRIED = "carried"
    NOT_CARRIED = "not_carried"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"


class Proposal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    #: The identifier in URLs and the API: random, so proposals cannot be enumerated.
    public_id: str = Field(max_length=32, unique=True)
    author_id: int = Field(foreign_key="member.id", index=True)
    title: str = Field(max_length=200)
    #: Markdown, rendered and sanitised only when shown. Short of a ballot description's
    #: 20,000 characters, leaving room for the attribution its ballot adds.
    body: str = Field(max_length=19_000)
    #: The organisation the proposal concerns; ``None`` for the whole trust.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    status: ProposalStatus = Field(sa_column=enum_column(ProposalStatus, index=True))
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_by: int | None = Field(default=None, foreign_key="member.id")
    #: Shown to the author, so they know why.
    hidden_reason: str = Field(default="", max_length=1000)
    ballot_id: int | None = Field(default=None, foreign_key="ballot.id", unique=True)
    balloted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Support(SQLModel, table=True):
    """A member's support for a proposal. The unique constraint, not a prior read, is what
    makes support once per member when two requests race."""

    __table_args__ = (UniqueConstraint("proposal_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)


class Comment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    author_id: int = Field(foreign_key="member.id", index=True)
    #: Markdown, like a proposal's body.
    body: str = Field(max_length=5_000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    hidden_by: int | None = Field(default=None, foreign_key="member.id")
    hidden_reason: str = Field(default="", max_length=1000)
