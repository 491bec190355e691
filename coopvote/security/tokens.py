"""Single-use tokens for links mailed to an account holder.

A token is 256 random bits (``secrets.token_urlsafe(32)``); the table keeps its SHA-256
only, so reading the database gives no working link. Redeeming checks, in one conditional
update, that the token exists, has this purpose, is unused and unexpired, and that the account
is still in the state the token was made for (its password hash and address, digested):
changing the password kills every reset link; changing the address kills every confirmation
sent to the old one (OWASP's Forgot Password Cheat Sheet)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlmodel import Session, col

from coopvote.errors import InvalidInput
from coopvote.members.models import Member
from coopvote.security.models import AccountToken
from coopvote.security.sessions import hash_token


class Purpose(StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 - a purpose, not a password
    INVITATION = "invitation"
    CHANGE_EMAIL = "change_email"


#: How long each kind of link works.
LIFETIMES = {
    Purpose.CONFIRM_EMAIL: timedelta(days=7),
    Purpose.RESET_PASSWORD: timedelta(hours=1),
    Purpose.INVITATION: timedelta(days=14),
    Purpose.CHANGE_EMAIL: timedelta(days=1),
}


class InvalidToken(InvalidInput):
    """A link that is unknown, used, expired, for something else, or outdated by a change
    to the account: one answer for all, with what to do next."""

    status_code = 400

    def __init__(self) -> None:
        super().__init__(
            "This link does not work: it may have been used already, have expired, or been "
            "replaced by a newer one. Ask for a new link."
        )


def account_state(member: Member) -> str:
    """A digest of what a token is bound to: the password's hash and the address."""
    return hashlib.sha256(f"{member.password_hash}\0{member.email}".encode()).hexdigest()


def issue(
    session: Session, *, member: Member, purpose: Purpose, now: datetime, email: str = ""
) -> str:
    """A new token for ``member`` (``email``: the new address, for a change of address); the
    only copy of the token itself is the one returned, for the link."""
    assert member.id is not None
    token = secrets.token_urlsafe(32)
    session.add(
        AccountToken(
            token_hash=hash_token(token),
            purpose=purpose.value,
            member_id=member.id,
            bound_to=account_state(member),
            email=email,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    session.flush()
    return token


def peek(session: Session, token: str, purpose: Purpose, now: datetime) -> Member:
    """The account a token would act on, without using it (a page showing its form).
    Raises ``InvalidToken``."""
    found = session.get(AccountToken, hash_token(token))
    member = session.get(Member, found.member_id) if found else None
    if (
        found is None
        or member is None
        or found.purpose != purpose.value
        or found.used_at is not None
        or found.expires_at <= now
        or found.bound_to != account_state(member)
    ):
        raise InvalidToken()
    return member


def redeem(session: Session, token: str, purpose: Purpose, now: datetime) -> AccountToken:
    """Use a token once: of two requests racing with it, one succeeds. Raises
    ``InvalidToken``."""
    member = peek(session, token, purpose, now)
    used = session.execute(
        update(AccountToken)
        .where(
            col(AccountToken.token_hash) == hash_token(token),
            col(AccountToken.used_at).is_(None),
            col(AccountToken.bound_to) == account_state(member),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidToken()
    found = session.get(AccountToken, hash_token(token))
    assert found is not None
    session.refresh(found)
    return found


def forget(session: Session, member_id: int) -> None:
    """Delete every token of an account (on erasure: a change of address holds the new one)."""
    session.execute(delete(AccountToken).where(col(AccountToken.member_id) == member_id))
