"""Server-side sign-in sessions and the record of failed sign-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from coopvote.db.types import UTCDateTime


class WebSession(SQLModel, table=True):
    """A signed-in session. Only a SHA-256 of the cookie's token is stored, so reading the
    table does not let anyone take over a session."""

    __tablename__ = "web_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)


class SignInFailure(SQLModel, table=True):
    """A failed sign-in, counted per account and per client address to throttle guessing.
    ``key`` is a SHA-256 of ``email:…`` or ``address:…``, not the email itself."""

    __tablename__ = "sign_in_failure"
    __table_args__ = (Index("ix_sign_in_failure_key_at", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64)
    at: datetime = Field(sa_type=UTCDateTime)
