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
from sqlmodel import Session

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.errors import DomainError
from coopvote.security.sessions import Principal
from coopvote.settings import Settings
from coopvote.web.access import principal_of


async def provide_transaction(state: State) -> AsyncGenerator[Session, None]:
    """One transaction per request: committed before the response is sent, so whatever the
    response acknowledges is durable; rolled back on any error."""
    database: Database = state.database
    session = database.sessions()
    try:
        yield session
    except BaseException:
        await to_thread.run_sync(session.rollback)
        raise
    else:
        await to_thread.run_sync(session.commit)
    finally:
        await to_thread.run_sync(session.close)


def attempt(db: Session, action: Callable[[], object]) -> DomainError | None:
    """Run a service action for a page that answers a refusal with a message rather than an
    error page. The action runs in a savepoint, so when it is refused whatever it had
    already changed is undone while the rest of the request's work still commits."""
    try:
        with db.begin_nested():
            action()
    except DomainError as problem:
        return problem
    return None


def provide_now() -> datetime:
    return utcnow()


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal = principal_of(request)
    if principal is None:
        raise NotAuthorizedException("Sign in to continue.")
    return principal


def client_address(request: Request[Any, Any, Any], settings: Settings) -> str:
    if settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded.strip():
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


#: How handlers ask for the dependencies below, by name.
Db = NamedDependency[Session]
Now = NamedDependency[datetime]
CurrentSettings = NamedDependency[Settings]
CurrentPrincipal = NamedDependency[Principal]

DEPENDENCIES = {
    "db": Provide(provide_transaction),
    "now": Provide(provide_now, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "principal": Provide(provide_principal, sync_to_thread=False),
}
