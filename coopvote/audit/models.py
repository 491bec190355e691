"""The append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from coopvote.db.types import UTCDateTime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    #: Assigned under the head's lock, so appends never fork; the primary key forbids reuse.
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=100, index=True)
    action: str = Field(max_length=60, index=True)
    subject: str = Field(max_length=100, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(SQLModel, table=True):
    """The chain's head in a single row: appends lock it, which serialises them across workers."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(max_length=64)


class AuditNote(SQLModel, table=True):
    """Free text (a reason, a title) or a personal field of an event, kept apart from the
    hashed chain: the event's data holds only a salted SHA-256 of it (``chain.commitment``),
    so the note can be erased with the member it is ``about`` while the chain still verifies.
    While it exists it is checked against that digest. The database refuses changing a note,
    and deleting one unless an erasure of the member it is about has been recorded."""

    __tablename__ = "audit_note"

    #: The event's sequence number (no foreign key: the event's row is the chain's, and an
    #: auditor's tampering tests move it; verification joins the two).
    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str = Field(primary_key=True, max_length=60)
    text: str = Field(max_length=2000)
    #: Random, so that once the note is gone its digest cannot be matched to a guessed text.
    salt: str = Field(max_length=32)
    #: Whose personal data the text is, as events name members (``member:12``).
    about: str = Field(max_length=100, index=True)
