"""Signing in, registering, and everything else that checks or hashes a password (links that
set one, changing one's password or address), for the API and the pages alike.

Both hash or check a password, which takes argon2id's time and memory on purpose; neither
does so inside a transaction, since on SQLite a transaction holds the write lock from its
``BEGIN`` and one member's flood of attempts would then stall every other writer. So each
runs in short transactions of its own, around the hashing: count the attempt (and, to sign
in, look the account up), commit; hash or check; then record the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from litestar import Request, Response

from coopvote.db import Database
from coopvote.errors import InvalidInput
from coopvote.members import accounts
from coopvote.members import service as members
from coopvote.members.models import Member
from coopvote.members.service import Application
from coopvote.security import service as signing
from coopvote.security import tokens
from coopvote.security.passwords import dummy_hash, hash_password, password_problem, verify_password
from coopvote.security.sessions import Principal
from coopvote.settings import Settings
from coopvote.web.deps import client_address


def _database(request: Request[Any, Any, Any]) -> Database:
    database: Database = request.app.state.database
    return database


def sign_in(
    request: Request[Any, Any, Any],
    settings: Settings,
    *,
    email: str,
    password: str,
    now: datetime,
) -> signing.SignedIn | signing.SignInRefused:
    """Check the credentials and start a session, ending the one the browser had. A refusal
    is returned, not raised: the failure it counts is committed already."""
    database = _database(request)
    with database.transaction() as session:
        attempt = signing.begin_sign_in(
            session,
            email=email,
            address=client_address(request, settings),
            now=now,
            policy=signing.ThrottlePolicy.of(settings),
        )
    if isinstance(attempt, signing.SignInRefused):
        return attempt
    verified, upgraded_hash = verify_password(attempt.password_hash or dummy_hash(), password)
    with database.transaction() as session:
        return signing.finish_sign_in(
            session,
            attempt,
            verified=verified,
            upgraded_hash=upgraded_hash,
            now=now,
            previous_token=request.cookies.get(settings.session_cookie_name),
        )


def register(
    request: Request[Any, Any, Any], settings: Settings, application: Application, now: datetime
) -> str:
    """Record an application (``members.apply_for_membership``); its public id. Raises
    ``signing.Throttled`` when the client address, or everyone, has registered too often
    lately (before any hashing), then as ``apply_for_membership``."""
    database = _database(request)
    with database.transaction() as session:
        signing.count_registration(
            session, address=client_address(request, settings), now=now, settings=settings
        )
    password_hash = members.hash_application(application)
    with database.transaction() as session:
        return members.apply_for_membership(session, application, now, password_hash=password_hash)


def throttled(problem: signing.Throttled) -> Response[Any]:
    """The API's answer to a throttled request: 429 with ``Retry-After``."""
    return Response(
        {"status_code": problem.status_code, "detail": problem.detail},
        status_code=problem.status_code,
        headers=retry_after(problem),
    )


def retry_after(problem: signing.Throttled) -> dict[str, str]:
    return {"retry-after": str(problem.retry_after_seconds)}


def set_password_by_link(
    request: Request[Any, Any, Any],
    *,
    token: str,
    password: str,
    purpose: tokens.Purpose,
    now: datetime,
) -> Member:
    """Follow a reset link or an invitation with a new password: the link and the policy are
    checked in a read, the password hashed outside any transaction, and the link used (once)
    in a short transaction of its own. Raises ``InvalidToken``, or ``InvalidInput`` marking a
    password the policy refuses."""
    database = _database(request)
    with database.reading() as session:
        member = accounts.account_for_link(session, token=token, purpose=purpose, now=now)
        email, name = member.email, member.name
    if problem := password_problem(password, email=email, name=name):
        raise InvalidInput(problem, field_errors={"password": problem})
    password_hash = hash_password(password)
    complete = (
        accounts.complete_password_reset
        if purpose is tokens.Purpose.RESET_PASSWORD
        else accounts.accept_invitation
    )
    with database.transaction() as session:
        return complete(session, token=token, password_hash=password_hash, now=now)


def check_own_password(request: Request[Any, Any, Any], member_id: int, password: str) -> str:
    """Re-authentication: the member's current password, checked outside any transaction;
    returns the hash it was checked against (the change that follows holds to it). Raises
    ``InvalidInput`` marking ``current_password``."""
    with _database(request).reading() as session:
        member = session.get(Member, member_id)
        stored = member.password_hash if member else dummy_hash()
    if not verify_password(stored, password)[0]:
        wrong = "That is not your current password."
        raise InvalidInput(wrong, field_errors={"current_password": wrong})
    return stored


def change_password(
    request: Request[Any, Any, Any],
    *,
    principal: Principal,
    current: str,
    new: str,
    now: datetime,
) -> None:
    """A signed-in member's new password, after their current one: every other session ends.
    Raises ``InvalidInput`` marking the field at fault."""
    old_hash = check_own_password(request, principal.member_id, current)
    with _database(request).reading() as session:
        member = session.get(Member, principal.member_id)
        assert member is not None
        email, name = member.email, member.name
    if problem := password_problem(new, email=email, name=name):
        raise InvalidInput(problem, field_errors={"password": problem})
    password_hash = hash_password(new)
    with _database(request).transaction() as session:
        accounts.change_password(
            session,
            member_id=principal.member_id,
            old_hash=old_hash,
            password_hash=password_hash,
            keep=principal.token_hash,
            now=now,
        )


def request_email_change(
    request: Request[Any, Any, Any],
    *,
    principal: Principal,
    password: str,
    email: str,
    now: datetime,
) -> None:
    """Re-authenticate, then ask for the new address to be confirmed by a link."""
    old_hash = check_own_password(request, principal.member_id, password)
    with _database(request).transaction() as session:
        accounts.request_email_change(
            session, member_id=principal.member_id, old_hash=old_hash, new_email=email, now=now
        )


def request_mail(
    request: Request[Any, Any, Any],
    settings: Settings,
    *,
    email: str,
    now: datetime,
    send: Callable[..., None],
) -> None:
    """Count a request for mail about ``email`` (throttled per address and per client), then
    ``send(session, email=…, now=…)`` in the same short transaction; the caller answers alike
    whether or not the address has an account. Raises ``signing.Throttled``."""
    with _database(request).transaction() as session:
        signing.count_mail_request(
            session, email=email, address=client_address(request, settings), now=now
        )
        send(session, email=email, now=now)
