"""Every error becomes a clear answer: JSON under ``/api``, a page elsewhere; never a bare 500."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from coopvote.errors import DomainError
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
}


def is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def _answer(
    request: Request[Any, Any, Any], status: int, detail: str, extra: Any = None
) -> Response[Any]:
    if is_api(request):
        body: dict[str, Any] = {"status_code": status, "detail": detail}
        if extra:
            body["extra"] = extra
        return Response(body, status_code=status, media_type=MediaType.JSON)
    if status == 401:
        return redirect(request, f"/sign-in?next={quote(request.url.path)}", detail, "info")
    return page(
        request,
        "error.html",
        status_code=status,
        title=TITLES.get(status, "Something went wrong"),
        detail=detail,
    )


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return _answer(request, exc.status_code, exc.detail, exc.field_errors or None)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    detail = exc.detail
    if isinstance(exc, NotAuthorizedException):
        detail = detail or "Sign in to continue."
    return _answer(request, exc.status_code, detail, getattr(exc, "extra", None))


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    # Log the type and where, not the request: a request body may hold a paper or a password.
    log.error(
        "unhandled %s at %s %s", type(exc).__name__, request.method, request.url.path, exc_info=exc
    )
    return _answer(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "An unexpected error occurred. Nothing was changed; please try again.",
    )


EXCEPTION_HANDLERS = {
    DomainError: domain_error,
    HTTPException: http_error,
    HTTP_500_INTERNAL_SERVER_ERROR: unexpected_error,
}
