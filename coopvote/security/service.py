"""Signing in and out.

``security`` reads the register's tables (``members.models``) and nothing else of
``members``: the membership commands use it, never the other way round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from coopvote import audit
from coopvote.errors import DomainError
from coopvote.members.models import Member, MemberStatus, normalise_email
from coopvote.security import sessions, throttle
from coopvote.security.passwords import dummy_hash, verify_password
from coopvote.settings import Settings

#: Statuses that may not sign in; they get the same answer as a wrong password.
BARRED = frozenset({MemberStatus.CEASED, MemberStatus.REJECTED})


@dataclass(frozen=True)
class ThrottlePolicy:
    account_failures: int
    address_failures: int
    window: timedelta

    @classmethod
    def of(cls, settings: Settings) -> ThrottlePolicy:
        return cls(
            settings.throttle_account_failures,
            settings.throttle_address_failures,
            settings.throttle_window,
        )


class SignInRefused(DomainError):
    """Wrong email address or password: one answer for every reason (an unknown email, a
    barred member), so that it tells nobody who has an account."""

    status_code = 401

    def __init__(self, detail: str = "Wrong email address or password.") -> None:
        super().__init__(detail)


class SignInThrottled(SignInRefused):
    """Too many failed sign-ins for the account or the client address, lately."""

    status_code = 429

    def __init__(self) -> None:
        super().__init__("Too many failed sign-ins. Wait a few minutes and try again.")


@dataclass(frozen=True)
class SignedIn:
    member: Member
    token: str


def find_by_email(session: Session, email: str) -> Member | None:
    return session.exec(select(Member).where(Member.email == normalise_email(email))).first()


def sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    address: str,
    now: datetime,
    policy: ThrottlePolicy,
) -> SignedIn | SignInRefused:
    """Check the credentials and start a session. A refusal is returned, not raised, so
    that the failure it counts is committed with the request."""
    since = now - policy.window
    account, client = throttle.account_key(email), throttle.address_key(address)
    if (
        throttle.failures_since(session, account, since) >= policy.account_failures
        or throttle.failures_since(session, client, since) >= policy.address_failures
    ):
        return SignInThrottled()  # before any hashing: throttled guesses cost us nothing

    member = find_by_email(session, email)
    ok, upgraded_hash = verify_password(member.password_hash if member else dummy_hash(), password)
    if member is None or not ok or member.status in BARRED:
        throttle.record_failure(session, [account, client], now=now, since=since)
        if throttle.failures_since(session, account, since) == policy.account_failures:
            audit.record(
                session,
                actor=audit.SYSTEM,
                action="account.locked_out",
                subject=audit.member_subject(member),
                now=now,
                data={"minutes": int(policy.window.total_seconds() // 60)},
            )
        return SignInRefused()

    if upgraded_hash:
        member.password_hash = upgraded_hash
    throttle.forget_failures(session, account)
    assert member.id is not None
    return SignedIn(member, sessions.start_session(session, member.id, now))


def sign_out(session: Session, token: str) -> None:
    sessions.end_session(session, token)
