"""Registering, signing in and out."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from coopvote.errors import InvalidInput
from coopvote.members import service as members
from coopvote.members.service import Application
from coopvote.security import service as signing
from coopvote.web.access import PUBLIC
from coopvote.web.deps import CurrentSettings, Db, Now, client_address
from coopvote.web.forms import FormData, checked, text, without_secrets
from coopvote.web.middleware import clear_session_cookie, session_cookie
from coopvote.web.templating import page, redirect, safe_next


class AuthPages(Controller):
    opt = PUBLIC
    include_in_schema = False

    def _register_page(self, request: Request[Any, Any, Any], db: Db, **context: Any) -> Template:
        return page(
            request,
            "auth/register.html",
            organisations=[(o.slug, o.name) for o in members.organisations(db)],
            constituencies=[(c.slug, c.name) for c in members.constituencies(db)],
            **context,
        )

    @get("/register", sync_to_thread=True)
    def register_form(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return self._register_page(request, db)

    @post("/register", sync_to_thread=True)
    def register(
        self, request: Request[Any, Any, Any], db: Db, data: FormData, now: Now
    ) -> Template | Redirect:
        application = Application(
            name=text(data, "name"),
            email=text(data, "email"),
            password=text(data, "password"),
            constituency=text(data, "constituency"),
            organisation=text(data, "organisation"),
            agrees_to_rules=checked(data, "agrees_to_rules"),
        )
        try:
            members.apply_for_membership(db, application, now)
        except InvalidInput as problem:
            return self._register_page(
                request,
                db,
                status_code=422,
                errors=problem.field_errors,
                form=without_secrets(data),
            )
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
        db: Db,
        data: FormData,
        now: Now,
        settings: CurrentSettings,
    ) -> Template | Redirect:
        outcome = signing.sign_in(
            db,
            email=text(data, "email"),
            password=text(data, "password"),
            address=client_address(request, settings),
            now=now,
            policy=signing.ThrottlePolicy.of(settings),
        )
        if isinstance(outcome, signing.Refusal):
            status = 429 if outcome is signing.Refusal.THROTTLED else 401
            return page(
                request,
                "auth/sign_in.html",
                status_code=status,
                errors={"form": outcome.value},
                form=without_secrets(data),
                next=safe_next(text(data, "next"), ""),
            )
        response = redirect(
            request,
            safe_next(text(data, "next"), "/membership"),
            f"Welcome, {outcome.member.name}.",
        )
        response.set_cookie(session_cookie(settings, outcome.token))
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
        return response
