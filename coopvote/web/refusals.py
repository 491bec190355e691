"""Refused governing actions are written to the audit log (``audit.service.record_refusal``):
a 403 or 409 answered to an unsafe request on a route that needs a governor or an admin,
whether the refusal is raised (the API, error pages) or answered by the page itself (a
redirect with a message, a form shown again)."""

from __future__ import annotations

import logging

from anyio import to_thread
from litestar.exceptions import HTTPException
from litestar.types import Scope
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from coopvote.audit.service import member_actor, record_refusal
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.errors import DomainError
from coopvote.members.models import Role
from coopvote.security.sessions import Principal
from coopvote.web.access import ACCESS
from coopvote.web.middleware import SAFE_METHODS

log = logging.getLogger("coopvote.web")

#: The roles whose routes are governing actions.
GOVERNING = frozenset({Role.GOVERNOR, Role.ADMIN})
#: Refusals worth an auditor's eye: no right to act (403), or not in this state (409).
RECORDED = frozenset({403, 409})
#: The first segments of a path that say where it is, not what it acts on.
_PREFIXES = frozenset({"api", "v1", "governance", "admin"})
#: What a route's first segment acts on, where its plural is not simply the noun plus "s".
_NOUNS = {"forum": "proposal", "settings": "settings"}


def noun_of(path_template: str) -> str:
    """What a route acts on, from its path: ``/api/v1/ballots/{ballot_id:str}/open`` →
    ``ballot``; ``/admin/roles`` → ``role``; ``/forum/{id}/hide`` → ``proposal``."""
    for segment in path_template.strip("/").split("/"):
        if segment and segment not in _PREFIXES and not segment.startswith("{"):
            name = segment.split(".")[0]
            return _NOUNS.get(name, name.removesuffix("s"))
    return "request"


def _status(exception: Exception) -> int | None:
    if isinstance(exception, DomainError | HTTPException):
        return exception.status_code
    return None


def _is_governing(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    rule = handler.opt.get(ACCESS) if handler is not None else None
    return isinstance(rule, frozenset) and bool(rule & GOVERNING)


def is_refused_governing_action(exception: Exception, scope: Scope) -> bool:
    """Whether ``exception`` answers the request in ``scope`` as a refused governing action:
    a 403 or 409, to an unsafe request, on a route for governors or admins."""
    status, method = _status(exception), str(scope.get("method", ""))
    return status in RECORDED and method not in SAFE_METHODS and _is_governing(scope)


def record(session: Session, exception: Exception, scope: Scope) -> None:
    """Write the refused governing action (``is_refused_governing_action``) to the audit log
    in ``session``. Called with the request's own unit of work for a refusal the handler
    answered itself — a page's redirect with a message (``deps.attempt``), a form shown again
    (``templating.reshow``) — which commits, since the request succeeds."""
    user = scope.get("user")
    principal = user if isinstance(user, Principal) else None
    template = scope.get("path_template") or scope["path"]
    noun = noun_of(template)
    ids = [str(value) for value in scope.get("path_params", {}).values()]
    record_refusal(
        session,
        actor=member_actor(principal.member_id if principal else None),
        noun=noun,
        subject=f"{noun}:{ids[0]}" if ids else noun,
        action=f"{scope.get('method')} {template}",
        status=_status(exception) or 0,
        reason=str(getattr(exception, "detail", "")) or type(exception).__name__,
        now=utcnow(),
    )


async def record_refused_governing_action(exception: Exception, scope: Scope) -> None:
    """An ``after_exception`` hook: a refusal raised out of the handler is recorded in a
    transaction of its own, after the request's unit of work has ended (so that on SQLite its
    write lock is free). A failure to record is logged, never turned into a 500: the refusal
    itself stands."""
    if not is_refused_governing_action(exception, scope):
        return
    database: Database = scope["app"].state.database

    def write() -> None:
        with database.transaction() as session:
            record(session, exception, scope)

    try:
        await to_thread.run_sync(write)
    except SQLAlchemyError as problem:
        log.warning("could not record a refused %s (%s)", scope.get("path"), type(problem).__name__)
