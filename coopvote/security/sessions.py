"""Server-side sign-in sessions, shared by every worker through the database.

The cookie carries a random token that only the server mints (at sign-in, never taken from
the client), and the table keeps its SHA-256. An unknown, expired or idle token is refused.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from coopvote.members.models import Member, MemberRole, MemberStatus, Role
from coopvote.security.models import WebSession

#: Refresh ``last_seen_at`` at most this often, so that reading pages is not a write per request.
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
    offices = session.exec(select(MemberRole.role).where(MemberRole.member_id == member.id)).all()
    holds_membership = member.status is not MemberStatus.NON_MEMBER
    return frozenset(Role(r) for r in offices) | ({Role.MEMBER} if holds_membership else set())


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


def end_all_sessions(session: Session, member_id: int) -> None:
    session.execute(delete(WebSession).where(col(WebSession.member_id) == member_id))


def resolve_session(
    session: Session, token: str, *, now: datetime, idle: timedelta, absolute: timedelta
) -> Principal | None:
    token_hash = hash_token(token)
    web_session = session.get(WebSession, token_hash)
    if web_session is None:
        return None
    expired = now - web_session.last_seen_at > idle or now - web_session.created_at > absolute
    member = session.get(Member, web_session.member_id)
    if expired or member is None or member.status in {MemberStatus.CEASED, MemberStatus.REJECTED}:
        session.delete(web_session)
        session.flush()
        return None
    if now - web_session.last_seen_at > TOUCH_INTERVAL:
        web_session.last_seen_at = now
    assert member.id is not None
    return Principal(
        member_id=member.id,
        public_id=member.public_id,
        name=member.name,
        status=member.status,
        roles=roles_of(session, member),
        token_hash=token_hash,
    )
