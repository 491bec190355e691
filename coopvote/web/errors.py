"""Every error becomes a clear answer: JSON under ``/api``, a page elsewhere; never a bare 500."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import exc as sa_exc

from coopvote.db.engine import is_unavailable
from coopvote.errors import DomainError
from coopvote.security.sessions import Principal
from coopvote.web.middleware import resolve_principal
from coopvote.web.templating import page, redirect

log = logging.getLogger("coopvote.web")

TITLES = {
    400: "That request could not be understood",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "That cannot be done now",
    422: "Please check what you entered",
    429: "Too many attempts",
    500: "Something went wrong on our side",
    503: "Busy: please try again",
}

#: A route's ``opt`` key: what its 503 says instead of the general message, e.g. that a vote
#: was not recorded.
WHEN_UNAVAILABLE = "when_unavailable"
UNAVAILABLE = (
    "The service is busy or its database is unavailable. Nothing was changed; "
    "please try again in a few seconds."
)
VOTE_NOT_RECORDED = (
    "Your vote was NOT recorded: the service is busy or its database is unavailable. "
    "Please try again in a few seconds."
)
#: Seconds a client is asked to wait before trying again.
RETRY_AFTER = 5


def is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def _answer(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    extra: Any = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    if is_api(request):
        body: dict[str, Any] = {"status_code": status, "detail": detail}
        if extra:
            body["extra"] = extra
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    if "user" not in request.scope:
        request.scope["user"] = _signed_in(request)
    if status == 401:
        to_sign_in = redirect(
            request, f"/sign-in?next={quote(_resume_at(request))}", detail, "info"
        )
        to_sign_in.headers.update(headers or {})
        return to_sign_in
    answer = page(
        request,
        "error.html",
        status_code=status,
        title=TITLES.get(status, "Something went wrong"),
        detail=detail,
    )
    answer.headers.update(headers or {})
    return answer


def _signed_in(request: Request[Any, Any, Any]) -> Principal | None:
    """Who is signed in, for an error the router raised before the session was looked up (a
    404 or a 405), so that its page shows their navigation; nobody when that fails too."""
    settings = request.app.state.settings
    token = request.cookies.get(settings.session_cookie_name)
    if not token:
        return None
    try:
        return resolve_principal(settings, request.app.state.database, token)
    except Exception:  # an error page must not fail for want of a menu
        log.warning("no session for the error page at %s", _path(request))
        return None


def _resume_at(request: Request[Any, Any, Any]) -> str:
    """Where to go back to after signing in: the page asked for, or, for a form sent after the
    session ended, the page the form was on (a form's address answers only its POST, so going
    there after signing in would be a 405)."""
    if request.method in {"GET", "HEAD"}:
        return request.url.path
    referrer = urlsplit(request.headers.get("referer", ""))
    same_site = referrer.netloc == request.headers.get("host")
    return referrer.path if same_site and referrer.path.startswith("/") else "/"


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return _answer(request, exc.status_code, exc.detail, exc.field_errors or None)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    detail = exc.detail
    if isinstance(exc, NotAuthorizedException):
        detail = detail or "Sign in to continue."
    return _answer(
        request, exc.status_code, detail, getattr(exc, "extra", None), exc.headers or None
    )


def database_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A database that could not serve (locked, full, unreachable, no free connection) is
    answered 503 with ``Retry-After``; any other database error is a fault of ours (500)."""
    if isinstance(exc, sa_exc.StatementError) and isinstance(exc.orig, OverflowError):
        return out_of_range(request, exc)  # a value too large to bind
    if not is_unavailable(exc):
        return unexpected_error(request, exc)
    log.warning(
        "database unavailable (%s) at %s %s", type(exc).__name__, request.method, _path(request)
    )
    handler = request.scope.get("route_handler")
    detail = (handler.opt.get(WHEN_UNAVAILABLE) if handler else None) or UNAVAILABLE
    return _answer(
        request, HTTP_503_SERVICE_UNAVAILABLE, detail, headers={"retry-after": str(RETRY_AFTER)}
    )


def out_of_range(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A number or date too large for Python's dates or the database's integers, met wherever
    input reaches one: the input's fault (400), not ours."""
    return _answer(request, 400, "A number or a date in the request is out of range.")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\\]")


def loggable(text: str) -> str:
    """``text`` as it may be written to a log: control characters (and the backslash, so that
    an escape cannot be faked) spelt as ``\\xNN``, so that a crafted path can neither forge a
    log line nor send a terminal escape."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match[0]):02x}", text)


def _path(request: Request[Any, Any, Any]) -> str:
    return loggable(request.url.path)


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Log the type and where, not the request: a request body may hold a paper or a password.
    log.error(
        "unhandled %s at %s %s", type(exc).__name__, request.method, _path(request), exc_info=exc
    )
    return _answer(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "An unexpected error occurred. Nothing was changed; please try again.",
    )


EXCEPTION_HANDLERS = {
    DomainError: domain_error,
    HTTPException: http_error,
    OverflowError: out_of_range,
    sa_exc.StatementError: database_error,
    sa_exc.TimeoutError: database_error,
    HTTP_500_INTERNAL_SERVER_ERROR: unexpected_error,
}
