"""Who may call a route. Every handler declares an access rule in its ``opt`` (directly or
through its controller); the app-wide guard denies any handler that declares none."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from coopvote.cooperative import views as cooperative
from coopvote.db import Database
from coopvote.members.models import Role
from coopvote.security.sessions import Principal

ACCESS = "access"
PUBLIC_RULE = "public"
ACCOUNT_RULE = "account"
SIGNED_IN_RULE = "signed_in"
RESULTS_RULE = "results"

#: Anyone, signed in or not.
PUBLIC: dict[str, Any] = {ACCESS: PUBLIC_RULE}
#: Anyone signed in, whatever their standing: one's own account and application (a pending
#: applicant's, or a suspended member's, too).
OWN_ACCOUNT: dict[str, Any] = {ACCESS: ACCOUNT_RULE}
#: Anyone signed in who holds a role: members (active or suspended) and office holders in
#: office. A pending applicant, or an account whose offices are suspended, holds none, and
#: sees no more than the public does (issue 11).
SIGNED_IN: dict[str, Any] = {ACCESS: SIGNED_IN_RULE}
#: Published results: anyone who holds a role, and anyone at all where the co-operative has
#: chosen to make results public (an admin setting, so it is read for each such request).
RESULTS_READERS: dict[str, Any] = {ACCESS: RESULTS_RULE}

#: A route's ``opt`` key: ``async (request) -> Cookie | None``, run when someone not signed in
#: (a session that ended mid-task) sends to the route; its cookie keeps what they sent for when
#: they have signed in again (a ballot paper's choices, ``web.pages.voting``).
KEEP_ON_SIGN_IN = "keep_on_sign_in"


def requires(*roles: Role) -> dict[str, Any]:
    """Signed in and holding at least one of ``roles``."""
    return {ACCESS: frozenset(roles)}


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


def results_are_public(database: Database) -> bool:
    """The admin's setting that opens published results to everyone (read, never written)."""
    with database.reading() as session:
        return cooperative.current(session).results_public


async def enforce_access(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    rule = handler.opt.get(ACCESS)
    if rule is None:
        raise PermissionDeniedException("This route declares no access rule, so it is closed.")
    if rule == PUBLIC_RULE:
        return
    principal = principal_of(connection)
    if permits(rule, principal):
        return
    if rule == RESULTS_RULE and await to_thread.run_sync(
        results_are_public, connection.app.state.database
    ):
        return
    if principal is None:
        raise NotAuthorizedException(
            "Sign in to continue.", headers=await _kept(connection, handler)
        )
    raise PermissionDeniedException("You do not have permission to do that.")


def permits(rule: Any, principal: Principal | None) -> bool:
    """Whether a route's access rule lets ``principal`` (``None``: nobody signed in) in, the
    co-operative's choice to publish results to everyone aside."""
    if rule == PUBLIC_RULE:
        return True
    if principal is None:
        return False
    return rule == ACCOUNT_RULE or bool(principal.roles & _roles_for(rule))


def _roles_for(rule: Any) -> frozenset[Role]:
    """The roles that satisfy a rule other than ``PUBLIC`` and ``OWN_ACCOUNT``: any role at
    all for ``SIGNED_IN`` and ``RESULTS_READERS``, else those that ``requires`` named."""
    return frozenset(Role) if rule in {SIGNED_IN_RULE, RESULTS_RULE} else frozenset(rule)


async def _kept(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> dict[str, str] | None:
    """The ``Set-Cookie`` header of what the route keeps for after signing in, if anything."""
    keep = handler.opt.get(KEEP_ON_SIGN_IN)
    if keep is None or not isinstance(connection, Request):
        return None
    cookie = await keep(connection)
    return None if cookie is None else {"set-cookie": cookie.to_header(header="")}
