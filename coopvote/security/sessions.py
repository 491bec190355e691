"""Server-side sign-in sessions, shared by every worker through the database.

The cookie carries a random token that only the server mints (at sign-in, never taken from
the client), and the table keeps its SHA-256. An unknown, expired or idle token is refused.

Looking a session up (``look_up``) writes nothing, so that reading pages is no write per
request; ``settle`` makes the rare write it asks for (a session ended, or refreshed at most
once a minute).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from coopvote.members.models import (
    IN_MEMBERSHIP,
    IN_OFFICE,
    Member,
    MemberRole,
    MemberStatus,
    Role,
)
from coopvote.security.models import WebSession

#: Refresh ``last_seen_at`` at most this often.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class Principal:
    """Who is making a request: read once per request, for guards and templates."""

    member_id: int
    public_id: str
    name: str
    status: MemberStatus
    roles: frozenset[Role]
    token_hash: str

    def has(self, role: Role) -> bool:
        return role in self.roles


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def roles_of(session: Session, member: Member) -> frozenset[Role]:
    """The roles whose powers ``member`` has now: ``member`` while they hold a membership
    (active or suspended), and their offices only while in office (``IN_OFFICE``), so that a
    suspended governor or a pending applicant who was granted an office wields none of it."""
    roles = {Role.MEMBER} if member.status in IN_MEMBERSHIP else set()
    if member.status in IN_OFFICE:
        query = select(MemberRole.role).where(MemberRole.member_id == member.id)
        roles |= {Role(r) for r in session.exec(query)}
    return frozenset(roles)


def start_session(session: Session, member_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=hash_token(token), member_id=member_id, created_at=now, last_seen_at=now
        )
    )
    session.flush()
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(col(WebSession.token_hash) == hash_token(token)))


def end_all_sessions(session: Session, member_id: int, *, keep: str | None = None) -> None:
    """End every session of a member; ``keep``: but the one with this token's hash (the
    browser that changed the password stays signed in)."""
    statement = delete(WebSession).where(col(WebSession.member_id) == member_id)
    if keep is not None:
        statement = statement.where(col(WebSession.token_hash) != keep)
    session.execute(statement)


@dataclass(frozen=True)
class Lookup:
    """What a session token stands for at a moment: who is signed in (or nobody), and the one
    write, if any, that keeps the session table true."""

    principal: Principal | None
    token_hash: str
    #: The session is over (idle, too old, or its member may no longer sign in): delete it.
    ended: bool = False
    #: ``last_seen_at`` is older than ``TOUCH_INTERVAL``: refresh it.
    stale: bool = False

    @property
    def writes(self) -> bool:
        return self.ended or self.stale


def look_up(
    session: Session, token: str, *, now: datetime, idle: timedelta, absolute: timedelta
) -> Lookup:
    """Who ``token`` signs in at ``now``, writing nothing: a request within a minute of the
    session's last refresh needs no write at all. ``idle`` runs from the last refresh, so a
    session may end up to ``TOUCH_INTERVAL`` before ``idle`` has passed since its last use."""
    token_hash = hash_token(token)
    web_session = session.get(WebSession, token_hash)
    if web_session is None:
        return Lookup(None, token_hash)
    expired = now - web_session.last_seen_at > idle or now - web_session.created_at > absolute
    member = session.get(Member, web_session.member_id)
    if expired or member is None or member.status in {MemberStatus.CEASED, MemberStatus.REJECTED}:
        return Lookup(None, token_hash, ended=True)
    assert member.id is not None
    principal = Principal(
        member_id=member.id,
        public_id=member.public_id,
        name=member.name,
        status=member.status,
        roles=roles_of(session, member),
        token_hash=token_hash,
    )
    return Lookup(principal, token_hash, stale=now - web_session.last_seen_at > TOUCH_INTERVAL)


def settle(session: Session, lookup: Lookup, now: datetime) -> None:
    """Make the write a lookup asked for (none, usually). Safe to run in a later transaction
    than the lookup's: both writes leave a session that has gone in the meantime alone."""
    this_session = col(WebSession.token_hash) == lookup.token_hash
    if lookup.ended:
        session.execute(delete(WebSession).where(this_session))
    elif lookup.stale:
        session.execute(update(WebSession).where(this_session).values(last_seen_at=now))


def resolve_session(
    session: Session, token: str, *, now: datetime, idle: timedelta, absolute: timedelta
) -> Principal | None:
    """``look_up`` and ``settle`` in one transaction."""
    lookup = look_up(session, token, now=now, idle=idle, absolute=absolute)
    settle(session, lookup, now)
    return lookup.principal
