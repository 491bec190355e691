"""Signing in and out.

``security`` reads the register's tables (``members.models``) and nothing else of
``members``: the membership commands use it, never the other way round."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from coopvote import audit
from coopvote.errors import DomainError
from coopvote.members.models import Member, MemberStatus, normalise_email
from coopvote.security import sessions, throttle
from coopvote.settings import Settings

#: Statuses that may not sign in; they get the same answer as a wrong password. An applicant
#: may sign in once their address is confirmed (``may_sign_in``), and then sees the public
#: pages and their own application only (they hold no role). Registering someone else's
#: address and signing in with the password just given tells nothing: a taken address keeps
#: its owner's password, a new one is not yet confirmed, and both answer 401.
BARRED = frozenset({MemberStatus.CEASED, MemberStatus.REJECTED})
#: The counter every failed sign-in counts against: the global budget.
EVERYONE = throttle.key("everyone")


@dataclass(frozen=True)
class ThrottlePolicy:
    """The limits on failed sign-ins (see ``Settings``): per account from one client address,
    per account from unknown addresses, per client address, and for everyone."""

    client: throttle.Backoff
    account: throttle.Backoff
    address: throttle.Backoff
    everyone: throttle.Backoff

    @classmethod
    def of(cls, settings: Settings) -> ThrottlePolicy:
        def backoff(free: int) -> throttle.Backoff:
            return throttle.Backoff(
                free,
                settings.throttle_first_delay,
                settings.throttle_max_delay,
                settings.throttle_forget_after,
            )

        return cls(
            backoff(settings.throttle_client_failures),
            backoff(settings.throttle_account_failures),
            backoff(settings.throttle_address_failures),
            backoff(settings.throttle_global_failures),
        )


class SignInRefused(DomainError):
    """Wrong email address or password: one answer for every reason (an unknown email, a
    barred member), so that it tells nobody who has an account."""

    status_code = 401

    def __init__(self, detail: str = "Wrong email address or password.") -> None:
        super().__init__(detail)


class Throttled(DomainError):
    """Too many attempts lately: ``retry_after`` says how long to wait."""

    status_code = 429

    def __init__(self, detail: str, retry_after: timedelta) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    @property
    def retry_after_seconds(self) -> int:
        """For the ``Retry-After`` header: whole seconds, at least one."""
        return max(1, math.ceil(self.retry_after.total_seconds()))


class SignInThrottled(SignInRefused, Throttled):
    """Too many failed sign-ins for the account or the client address, lately."""

    status_code = 429

    def __init__(self, retry_after: timedelta) -> None:
        Throttled.__init__(
            self, "Too many failed sign-ins. Wait a little and try again.", retry_after
        )


@dataclass(frozen=True)
class SignedIn:
    member: Member
    token: str


@dataclass(frozen=True)
class Attempt:
    """A sign-in counted, before its password is checked (``verify_password``, outside any
    transaction): whose hash to check, and what to undo or record afterwards."""

    email: str
    member_id: int | None
    #: ``None`` when no account may sign in with this email: check against a dummy hash.
    password_hash: str | None
    client: str
    counted: tuple[str, ...]
    #: This attempt, if it fails, makes the account's next ones wait (worth an audit event).
    starts_delays: bool


def find_by_email(session: Session, email: str) -> Member | None:
    return session.exec(select(Member).where(Member.email == normalise_email(email))).first()


def may_sign_in(member: Member) -> bool:
    """Neither barred nor unconfirmed: an account whose address has not been confirmed by a
    link (issue 13) cannot sign in, whatever its password."""
    return member.status not in BARRED and member.email_confirmed


def begin_sign_in(
    session: Session, *, email: str, address: str, now: datetime, policy: ThrottlePolicy
) -> Attempt | SignInThrottled:
    """Count a sign-in attempt as a failure, in advance and atomically (``throttle.count``),
    and look up what its password is checked against. Counting before checking is what keeps
    parallel guesses within the limits. From an address the account has signed in from
    before, only that pair's own failures count: attackers elsewhere, or guessing other
    accounts from a shared address, cannot slow the owner down (ASVS 5.0 6.1.1)."""
    client = throttle.client_key(email, address)
    limits: dict[str, throttle.Limit] = {client: policy.client}
    if not throttle.is_known(session, client):
        limits |= {
            throttle.account_key(email): policy.account,
            throttle.address_key(address): policy.address,
            EVERYONE: policy.everyone,
        }
    wait = throttle.count(session, limits, now)
    if wait:
        return SignInThrottled(wait)
    member = find_by_email(session, email)
    account = throttle.account_key(email)  # counted above unless the client is known
    return Attempt(
        email=email,
        member_id=member.id if member else None,
        password_hash=member.password_hash if member and may_sign_in(member) else None,
        client=client,
        counted=tuple(limits),
        starts_delays=throttle.counted(session, client) == policy.client.free
        or (account in limits and throttle.counted(session, account) == policy.account.free),
    )


def finish_sign_in(
    session: Session,
    attempt: Attempt,
    *,
    verified: bool,
    upgraded_hash: str | None,
    now: datetime,
    previous_token: str | None = None,
) -> SignedIn | SignInRefused:
    """Settle an attempt whose password was checked (``verified``): a failure stays counted;
    a success takes its count back, remembers the client address for the account, ends the
    session the browser had (signing in again never keeps two), and starts a new one."""
    member = session.get(Member, attempt.member_id) if attempt.member_id else None
    if (
        member is None
        or not verified
        or attempt.password_hash is None
        or not may_sign_in(member)
        # The password changed between the look-up and now: the old one no longer counts.
        or member.password_hash != attempt.password_hash
    ):
        if member is not None and attempt.starts_delays:
            audit.record(
                session,
                actor=audit.SYSTEM,
                action="account.throttled",
                subject=audit.member_subject(member),
                now=now,
            )
        return SignInRefused()
    if upgraded_hash:
        member.password_hash = upgraded_hash
    account = throttle.account_key(attempt.email)
    throttle.forget(session, [attempt.client, account])
    throttle.uncount(
        session, [k for k in attempt.counted if k not in {attempt.client, account}], now
    )
    throttle.remember(session, attempt.client, now)
    if previous_token:
        sessions.end_session(session, previous_token)
    assert member.id is not None
    return SignedIn(member, sessions.start_session(session, member.id, now))


#: The counter every registration counts against.
REGISTRATIONS = throttle.key("registrations")


def count_registration(
    session: Session, *, address: str, now: datetime, settings: Settings
) -> None:
    """Count a registration against its client address and everyone, atomically. Raises
    ``Throttled`` when either has had its fill this minute (``settings.registrations_*``); the
    API contract's floor is 60 a minute from one address."""
    minute = timedelta(minutes=1)
    limits: dict[str, throttle.Limit] = {
        throttle.key("registrations", address): throttle.RateLimit(
            settings.registrations_per_address, minute
        ),
        REGISTRATIONS: throttle.RateLimit(settings.registrations_overall, minute),
    }
    if wait := throttle.count(session, limits, now):
        raise Throttled("Too many applications lately. Wait a minute and try again.", wait)


#: Mail asked for (a reset, a confirmation sent again) for one address, and from one client
#: address, an hour: enough for a person, too few to flood an inbox or the outbox.
MAIL_REQUESTS_PER_ADDRESS = 5
MAIL_REQUESTS_PER_CLIENT = 30


def count_mail_request(session: Session, *, email: str, address: str, now: datetime) -> None:
    """Count a request for mail (a password reset, a confirmation sent again) against the
    address asked for and the client asking, atomically, whether or not the address belongs
    to anyone. Raises ``Throttled`` past either limit."""
    hour = timedelta(hours=1)
    limits: dict[str, throttle.Limit] = {
        throttle.key("mail", normalise_email(email)): throttle.RateLimit(
            MAIL_REQUESTS_PER_ADDRESS, hour
        ),
        throttle.key("mail-client", address): throttle.RateLimit(MAIL_REQUESTS_PER_CLIENT, hour),
    }
    if wait := throttle.count(session, limits, now):
        raise Throttled("Too many requests for mail lately. Wait a while and try again.", wait)


def sign_out(session: Session, token: str) -> None:
    sessions.end_session(session, token)
