"""Registering, signing in and out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from coopvote.cooperative import views as cooperative
from coopvote.errors import InvalidInput
from coopvote.members import views
from coopvote.members.service import Application
from coopvote.security import service as signing
from coopvote.web import paper_draft, receipt_cookie
from coopvote.web import signing as web_signing
from coopvote.web.access import PUBLIC
from coopvote.web.deps import CurrentSettings, Db, Now
from coopvote.web.forms import FormData, checked, text
from coopvote.web.middleware import bound_csrf_cookie, clear_session_cookie, session_cookie
from coopvote.web.navigation import WELCOME
from coopvote.web.templating import page, redirect, reshow, safe_next


def registration_form(form: dict[str, Any]) -> Application:
    """Every field of the registration form; the service marks all their problems at once."""
    return Application(
        name=text(form, "name"),
        email=text(form, "email"),
        password=text(form, "password"),
        constituency=text(form, "constituency"),
        organisation=text(form, "organisation"),
        agrees_to_rules=checked(form, "agrees_to_rules"),
        # Students only (issue 18): templates/auth/_student_age.html.
        age_band=text(form, "age_band"),
        guardian_consent_by=text(form, "guardian_consent_by"),
    )


@dataclass(frozen=True)
class SignInForm:
    email: str
    password: str
    #: Where to go once signed in: a path on this site, or nowhere in particular ("").
    next: str

    @classmethod
    def parse(cls, form: dict[str, Any]) -> SignInForm:
        return cls(text(form, "email"), text(form, "password"), safe_next(text(form, "next"), ""))


class AuthPages(Controller):
    opt = PUBLIC
    include_in_schema = False

    def _choices(self, db: Db) -> dict[str, Any]:
        return {
            "organisations": [(o.slug, o.name) for o in views.organisations(db)],
            "constituencies": [(c.slug, c.name) for c in views.constituencies(db)],
            "minimum_age": cooperative.current(db).minimum_age,
        }

    @get("/register", sync_to_thread=True)
    def register_form(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return page(request, "auth/register.html", **self._choices(db))

    @post("/register", sync_to_thread=True)
    def register(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        data: FormData,
        now: Now,
        settings: CurrentSettings,
    ) -> Template | Redirect:
        try:
            web_signing.register(request, settings, registration_form(data), now)
        except signing.Throttled as problem:
            shown = reshow(request, "auth/register.html", problem, data, **self._choices(db))
            shown.headers.update(web_signing.retry_after(problem))
            return shown
        except InvalidInput as problem:
            return reshow(request, "auth/register.html", problem, data, **self._choices(db))
        return redirect(request, "/registered")

    @get("/registered", sync_to_thread=False)
    def registered(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "auth/registered.html")

    @get("/sign-in", sync_to_thread=False)
    def sign_in_form(self, request: Request[Any, Any, Any], next: FromQuery[str] = "") -> Template:
        return page(request, "auth/sign_in.html", next=safe_next(next, ""))

    @post("/sign-in", sync_to_thread=True)
    def sign_in(
        self,
        request: Request[Any, Any, Any],
        data: FormData,
        now: Now,
        settings: CurrentSettings,
    ) -> Template | Redirect:
        form = SignInForm.parse(data)
        outcome = web_signing.sign_in(
            request, settings, email=form.email, password=form.password, now=now
        )
        if isinstance(outcome, signing.SignInRefused):
            shown = reshow(request, "auth/sign_in.html", outcome, data, next=form.next)
            if isinstance(outcome, signing.Throttled):
                shown.headers.update(web_signing.retry_after(outcome))
            return shown
        # Through the check for a privacy notice the member has not yet seen (issue 18).
        onward = "/privacy/check?" + urlencode({"next": form.next or WELCOME})
        response = redirect(request, onward, f"Welcome, {outcome.member.name}.")
        response.set_cookie(session_cookie(settings, outcome.token))
        response.set_cookie(bound_csrf_cookie(settings, outcome.token))
        return response

    @post("/sign-out", sync_to_thread=True)
    def sign_out(
        self, request: Request[Any, Any, Any], db: Db, settings: CurrentSettings
    ) -> Response[Any]:
        token = request.cookies.get(settings.session_cookie_name)
        if token:
            signing.sign_out(db, token)
        response = redirect(request, "/", "You have signed out.", "info")
        response.set_cookie(clear_session_cookie(settings))
        response.set_cookie(receipt_cookie.forgotten(settings))
        response.set_cookie(paper_draft.forgotten(settings))
        return response
