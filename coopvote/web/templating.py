"""Rendering pages and redirecting with a message: the only glue between controllers and
templates. Templates receive plain data and never touch the database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.response import Redirect, Template

from coopvote.errors import DomainError
from coopvote.web.access import principal_of
from coopvote.web.deps import UNIT_OF_WORK, CurrentSettings, note_refusal
from coopvote.web.flash import clear_flash_cookie, flash_cookie, read_flashes
from coopvote.web.forms import without_secrets
from coopvote.web.navigation import main_navigation

#: The headers of a page for someone signed in.
PRIVATE = {"cache-control": "no-store"}


def page(
    request: Request[Any, Any, Any],
    template_name: str,
    *,
    status_code: int = 200,
    errors: Mapping[str, str] | None = None,
    form: Mapping[str, Any] | None = None,
    **context: Any,
) -> Template:
    """Render a page. ``errors`` marks form fields by name; ``form`` re-fills what was typed.

    A page shown to someone signed in is private: ``Cache-Control: no-store`` keeps it out of
    the browser's history cache, so Back after signing out shows nothing of it."""
    settings: CurrentSettings = request.app.state.settings
    flashes = read_flashes(request, settings.secret_key)
    principal = principal_of(request)
    return Template(
        template_name,
        context={
            "principal": principal,
            "navigation": main_navigation(request, principal),
            "flashes": flashes,
            "cooperative_name": settings.cooperative_name,
            "timezone": settings.timezone,
            "errors": dict(errors or {}),
            "form": dict(form or {}),
            **context,
        },
        status_code=status_code,
        cookies=[clear_flash_cookie(secure=settings.https)] if flashes else [],
        headers=PRIVATE if principal else None,
    )


def reshow(
    request: Request[Any, Any, Any],
    template_name: str,
    problem: DomainError,
    form: Mapping[str, Any],
    **context: Any,
) -> Template:
    """Show a refused form again: with the refusal's status (422 for bad input), each field's
    problem marked by name (or the whole form's, when no field is named), and what was typed
    kept, except passwords. A refused governing action is recorded in the audit log."""
    if (unit_of_work := request.scope.get("state", {}).get(UNIT_OF_WORK)) is not None:
        note_refusal(unit_of_work, problem)
    return page(
        request,
        template_name,
        status_code=problem.status_code,
        errors=problem.field_errors or {"form": problem.detail},
        form=without_secrets(form),
        **context,
    )


def redirect(
    request: Request[Any, Any, Any],
    path: str,
    message: str | None = None,
    category: str = "success",
) -> Redirect:
    settings: CurrentSettings = request.app.state.settings
    cookies = (
        [flash_cookie([(category, message)], settings.secret_key, secure=settings.https)]
        if message
        else []
    )
    return Redirect(path, cookies=cookies, status_code=303)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths may follow sign-in: ``//evil.example`` and ``https://…`` may not."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
