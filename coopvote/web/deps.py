"""Dependencies shared by the controllers: the unit of work, the clock, who is asking."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from datetime import datetime
from typing import Any

from anyio import to_thread
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.types import Scope
from sqlmodel import Session

from coopvote.ballots.casting import Caster
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.errors import DomainError
from coopvote.security.sessions import Principal
from coopvote.settings import Settings
from coopvote.web import refusals
from coopvote.web.access import principal_of

#: Where a request keeps its unit of work, so that it is ended whatever happens.
UNIT_OF_WORK = "coopvote.unit_of_work"
#: Where a unit of work keeps the request it serves (``Session.info``), so that a refusal a
#: handler answers itself can be recorded as coming from that request.
REQUEST_SCOPE = "coopvote.request_scope"
#: Requests that only read: they run in a read-only transaction (on SQLite, beside writers).
SAFE_METHODS = frozenset({"GET", "HEAD"})


async def provide_transaction(state: State, scope: Scope) -> AsyncGenerator[Session, None]:
    """One transaction per request: committed before the response is sent, so whatever the
    response acknowledges is durable; rolled back on any error. GET and HEAD requests get a
    read-only transaction: reads never write."""
    database: Database = state.database
    reads = scope.get("method") in SAFE_METHODS
    session = database.read_sessions() if reads else database.sessions()
    scope.setdefault("state", {})[UNIT_OF_WORK] = session
    session.info[REQUEST_SCOPE] = scope
    try:
        yield session
    except BaseException:
        await to_thread.run_sync(session.rollback)
        raise
    else:
        await to_thread.run_sync(session.commit)
    finally:
        scope["state"].pop(UNIT_OF_WORK, None)
        await to_thread.run_sync(session.close)


async def end_failed_unit_of_work(_exception: Exception, scope: Scope) -> None:
    """An ``after_exception`` hook: a request that failed before its handler ran (a dependency
    refused it after the transaction began) must not leave its transaction open until the
    garbage collector happens to finalise the dependency — on SQLite that would hold the
    write lock and stall every other writer."""
    session = scope.get("state", {}).pop(UNIT_OF_WORK, None)
    if session is not None:
        await to_thread.run_sync(session.close)  # closing rolls back whatever was begun


def attempt(db: Session, action: Callable[[], object]) -> DomainError | None:
    """Run a service action for a page that answers a refusal with a message rather than an
    error page. The action runs in a savepoint, so when it is refused whatever it had
    already changed is undone while the rest of the request's work — with the refusal's
    audit event, when it refused a governing action — still commits."""
    try:
        with db.begin_nested():
            action()
    except DomainError as problem:
        note_refusal(db, problem)
        return problem
    return None


def note_refusal(db: Session, problem: DomainError) -> None:
    """Record a refusal that the request's handler answers itself (``attempt``, a form shown
    again) in the request's unit of work ``db``, when it refused a governing action."""
    scope = db.info.get(REQUEST_SCOPE)
    if scope is not None and refusals.is_refused_governing_action(problem, scope):
        refusals.record(db, problem, scope)


def provide_now() -> datetime:
    return utcnow()


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_caster(state: State) -> Caster:
    caster: Caster = state.caster
    return caster


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal = principal_of(request)
    if principal is None:
        raise NotAuthorizedException("Sign in to continue.")
    return principal


def client_address(request: Request[Any, Any, Any], settings: Settings) -> str:
    """The address throttling counts a request against. Behind ``settings.trusted_proxies``
    proxies, each appending the address it was reached from to ``X-Forwarded-For``, it is the
    entry that the outermost trusted proxy appended: that many from the right. Entries left of
    it are whatever the client chose to send, so they are never read (an attacker would
    rotate them freely). A header with too few entries means a request that bypassed a proxy:
    the leftmost entry is then the nearest one any trusted proxy vouches for."""
    connection = request.client.host if request.client else "unknown"
    if settings.trusted_proxies == 0:
        return connection
    hops = [
        hop.strip()
        for header in request.headers.getall("x-forwarded-for", [])
        for hop in header.split(",")
        if hop.strip()
    ]
    if not hops:
        return connection
    return hops[-min(settings.trusted_proxies, len(hops))]


#: How handlers ask for the dependencies below, by name.
Db = NamedDependency[Session]
Now = NamedDependency[datetime]
CurrentSettings = NamedDependency[Settings]
CurrentPrincipal = NamedDependency[Principal]
#: The process's writer of votes: a vote is handed to it, not written in the request's own
#: transaction (a handler that asks for it needs no ``db``, and holds no connection).
Votes = NamedDependency[Caster]

DEPENDENCIES = {
    "db": Provide(provide_transaction),
    "now": Provide(provide_now, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "principal": Provide(provide_principal, sync_to_thread=False),
    "votes": Provide(provide_caster, sync_to_thread=False),
}
