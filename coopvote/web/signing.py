"""Signing in and registering, for the API and the pages alike.

Both hash or check a password, which takes argon2id's time and memory on purpose; neither
does so inside a transaction, since on SQLite a transaction holds the write lock from its
``BEGIN`` and one member's flood of attempts would then stall every other writer. So each
runs in short transactions of its own, around the hashing: count the attempt (and, to sign
in, look the account up), commit; hash or check; then record the outcome.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response

from coopvote.db import Database
from coopvote.members import service as members
from coopvote.members.service import Application
from coopvote.security import service as signing
from coopvote.security.passwords import dummy_hash, verify_password
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
