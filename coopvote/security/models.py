"""Server-side sign-in sessions and the record of failed sign-ins."""

from __future__ import annotations

from datetime import datetime

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


class ThrottleCounter(SQLModel, table=True):
    """Attempts counted against one key (an account, a client address, an account from one
    address, everyone), so that every worker sees the same counts. ``key`` is a SHA-256 of
    the key's text, never an email address itself. A counter is read and changed under a row
    lock (``SELECT … FOR UPDATE``; on SQLite the write lock taken at ``BEGIN``), so parallel
    attempts are counted one after the other."""

    __tablename__ = "throttle_counter"

    key: str = Field(primary_key=True, max_length=64)
    count: int = 0
    #: When the count began (rate limits count within a period from here).
    first_at: datetime = Field(sa_type=UTCDateTime)
    #: When it last grew (back-off delays run from here).
    last_at: datetime = Field(sa_type=UTCDateTime)
    #: When its count lapses under its limit: after that the counter is forgotten (the
    #: scheduler purges it, ``throttle.purge``), as it would start again from nothing.
    lapses_at: datetime = Field(sa_type=UTCDateTime, index=True)


class KnownClient(SQLModel, table=True):
    """An account signed in successfully from a client address: the owner's usual address,
    which attackers guessing elsewhere cannot slow down. ``key`` is a SHA-256 of both."""

    __tablename__ = "known_client"

    key: str = Field(primary_key=True, max_length=64)
    last_at: datetime = Field(sa_type=UTCDateTime)


class AccountToken(SQLModel, table=True):
    """A link's token mailed to an account holder (confirm an address, reset a password,
    accept an invitation, confirm a new address). Only its SHA-256 is stored; it is single-use
    (``used_at``), bound to its ``purpose``, and to the account's state when it was made
    (``bound_to``: a digest of the password's hash and the address), so that a reset link dies
    when the password changes and a confirmation link when the address does."""

    __tablename__ = "account_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    purpose: str = Field(max_length=20)
    member_id: int = Field(foreign_key="member.id", index=True)
    bound_to: str = Field(max_length=64)
    #: The new address, for a change of address.
    email: str = Field(default="", max_length=320)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
