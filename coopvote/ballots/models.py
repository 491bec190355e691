"""Ballots, their options, the roll (who may vote, and who has), the sealed box (papers as cast,
encrypted, and the public board of their trackers) and the opened papers (what was chosen,
written only when the box is opened). See docs/secrecy.md."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

from coopvote.db.types import UTCDateTime, enum_column
from coopvote.tally.counting import RANKED_METHODS


class Method(StrEnum):
    RESOLUTION = "resolution"
    PLURALITY = "plurality"
    APPROVAL = "approval"
    IRV = "irv"
    STV = "stv"
    MEEK = "meek"
    SCHULZE = "schulze"

    @property
    def is_ranked(self) -> bool:
        """Members rank the options (the tally's ranked methods), rather than mark them."""
        return self.value in RANKED_METHODS


class Threshold(StrEnum):
    SIMPLE = "simple"
    TWO_THIRDS = "two_thirds"
    THREE_QUARTERS = "three_quarters"


class BallotStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Ballot(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=32, unique=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=20_000)
    method: Method = Field(sa_column=enum_column(Method))
    seats: int = 1
    #: Approval: how many options a member may mark (plurality: always ``seats``).
    max_choices: int | None = None
    threshold: Threshold | None = Field(
        default=None, sa_column=enum_column(Threshold, nullable=True)
    )
    #: Minimum turnout for a valid result, in basis points of the roll (2500 = 25 %).
    quorum_bp: int = 0
    opens_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    eligible_constituencies: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    eligible_organisations: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    #: Each paper lists the options in a fresh random order as it is shown (to spread the
    #: advantage of being listed first); the order is never stored, a paper names option ids.
    shuffle_options: bool = False
    #: The advance vote on a general meeting's resolution: its papers are counted with the
    #: meeting's other channels when the chair declares (``meetings``), never previewed or
    #: published on their own (DOMAIN.md, "No early results").
    meeting_advance: bool = False
    #: The stored state; ``rules.status_at`` derives the state at any moment from it and the clock.
    status: BallotStatus = Field(sa_column=enum_column(BallotStatus, index=True))
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="member.id")
    #: The record date: the roll holds the members active and eligible at this moment.
    opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str = Field(default="", max_length=1000)
    roll_size: int | None = None
    roll_hash: str | None = Field(default=None, max_length=64)
    #: Cast into the sealed box; false only for ballots that closed before coopvote sealed
    #: papers (their papers were kept as opened papers when it upgraded).
    sealed: bool = True
    #: When the sealed papers were decrypted into ``Paper`` rows (``None`` until then).
    box_opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: Trustee mode: the ballot's own public key (hex), whose private key was split among the
    #: trustees when it opened, and how many of them must come together to open the box.
    #: ``None`` in server-key mode (``ballots.keys``).
    box_public_key: str | None = Field(default=None, max_length=64)
    trustees_needed: int | None = None


class BallotOption(SQLModel, table=True):
    __tablename__ = "ballot_option"

    id: int | None = Field(default=None, primary_key=True)
    ballot_id: int = Field(foreign_key="ballot.id", index=True)
    position: int
    label: str = Field(max_length=200)


class RollEntry(SQLModel, table=True):
    """Who may vote in a ballot, and whether they have. Never what they chose."""

    __tablename__ = "roll_entry"

    ballot_id: int = Field(foreign_key="ballot.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True, index=True)
    has_voted: bool = False


class SealedPaper(SQLModel, table=True):
    """A paper as cast: sealed to the ballot's public key before it reaches the database
    (``ballots.box``). Keyed by its tracker, so rows are stored in an order unrelated to the
    order of casting. The database refuses updates, and deletes but a cancelled ballot's."""

    __tablename__ = "sealed_paper"
    __table_args__ = (Index("ix_sealed_paper_ballot_id", "ballot_id"), {"sqlite_with_rowid": False})

    #: SHA-256 of ``sealed``, in hex: the voter's receipt.
    tracker: str = Field(primary_key=True, max_length=64)
    ballot_id: int = Field(foreign_key="ballot.id")
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class BoardEntry(SQLModel, table=True):
    """The public bulletin board: one entry per sealed paper, hash-chained per ballot (each
    ``head`` covers the previous one and the tracker; ``ballots.board``). Append-only: the
    database refuses updates and deletes."""

    __tablename__ = "board_entry"

    ballot_id: int = Field(foreign_key="ballot.id", primary_key=True)
    #: 1, 2, 3 … within the ballot.
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    tracker: str = Field(max_length=64, unique=True)
    head: str = Field(max_length=64)
    #: HMAC of the entry under the server's board key (``ballots.board.seal_of``), which the
    #: database never holds: an entry written behind the application's back has no valid
    #: one. Nullable only for the schema change that added it; a missing seal is reported.
    seal: str | None = Field(default=None, max_length=64)


class Paper(SQLModel, table=True):
    """An opened paper: what one voter chose. Written only when the box is opened, all of a
    ballot's at once in a fresh random order, under a random key: no member, no time, no
    tracker, no position (SQLite clusters the table on the key, ``WITHOUT ROWID``)."""

    __tablename__ = "paper"
    __table_args__ = (Index("ix_paper_ballot_id", "ballot_id"), {"sqlite_with_rowid": False})

    id: str = Field(primary_key=True, max_length=32)
    ballot_id: int = Field(foreign_key="ballot.id")
    choice: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class BallotTrustee(SQLModel, table=True):
    """A member named by an admin to hold a share of each new ballot's key. Only their public
    key is stored; they keep the private key (shown to them once)."""

    __tablename__ = "ballot_trustee"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", unique=True)
    #: X25519 public key in hex; ``None`` until the trustee has generated their key.
    public_key: str | None = Field(default=None, max_length=64)
    named_at: datetime = Field(sa_type=UTCDateTime)


class KeyShare(SQLModel, table=True):
    """One trustee's share of a ballot's private key, sealed to that trustee's public key."""

    __tablename__ = "key_share"

    ballot_id: int = Field(foreign_key="ballot.id", primary_key=True)
    trustee_id: int = Field(foreign_key="ballot_trustee.id", primary_key=True)
    #: The share's x-coordinate (Shamir), 1 … n.
    share_index: int
    sealed_share: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
