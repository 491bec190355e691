"""Who may call a route. Every handler declares an access rule in its ``opt`` (directly or
through its controller); the app-wide guard denies any handler that declares none."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from coopvote.members.models import Role
from coopvote.security.sessions import Principal

ACCESS = "access"
PUBLIC_RULE = "public"
SIGNED_IN_RULE = "signed_in"

#: Anyone, signed in or not.
PUBLIC: dict[str, Any] = {ACCESS: PUBLIC_RULE}
#: Anyone signed in, whatever their roles.
SIGNED_IN: dict[str, Any] = {ACCESS: SIGNED_IN_RULE}


def requires(*roles: Role) -> dict[str, Any]:
    """Signed in and holding at least one of ``roles``."""
    return {ACCESS: frozenset(roles)}


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    user = connection.scope.get("user")
    return user if isinstance(user, Principal) else None


def enforce_access(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    rule = handler.opt.get(ACCESS)
    if rule is None:
        raise PermissionDeniedException("This route declares no access rule, so it is closed.")
    if rule == PUBLIC_RULE:
        return
    principal = principal_of(connection)
    if principal is None:
        raise NotAuthorizedException("Sign in to continue.")
    if rule == SIGNED_IN_RULE or principal.roles & rule:
        return
    raise PermissionDeniedException("You do not have permission to do that.")
