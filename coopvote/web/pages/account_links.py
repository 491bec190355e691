"""Pages for what mail makes possible: a forgotten password, a confirmation sent again, and
the links mailed to members (confirm an address, reset a password, accept an invitation,
confirm a new address, stop a kind of notice).

A link's page (GET) only shows a form carrying the token: following the link writes nothing
(reads never write, and mail scanners that fetch links must not use them up); the form's POST
uses the token. A link used twice, expired or tampered with gets a plain page saying so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from coopvote.errors import Conflict, InvalidInput
from coopvote.mail import rules as mail_rules
from coopvote.mail import service as mail
from coopvote.mail.models import Topic
from coopvote.members import accounts, views
from coopvote.security import service as signing
from coopvote.security.tokens import InvalidToken, Purpose
from coopvote.settings import Settings
from coopvote.web import signing as web_signing
from coopvote.web.access import PUBLIC
from coopvote.web.deps import CurrentSettings, Db, Now
from coopvote.web.forms import FormData, text
from coopvote.web.templating import page, redirect, reshow

#: What each page that sets a password says.
PASSWORD_PAGES = {
    Purpose.RESET_PASSWORD: ("/reset-password", "Choose a new password", "Set my new password"),
    Purpose.INVITATION: ("/invitation", "Choose your password", "Set my password"),
}
#: What each page that confirms an address says.
CONFIRM_PAGES = {
    Purpose.CONFIRM_EMAIL: (
        "/confirm-email",
        "Confirm your email address",
        "Confirm that this address is yours, so that you can sign in.",
    ),
    Purpose.CHANGE_EMAIL: (
        "/confirm-new-email",
        "Confirm your new email address",
        "Confirm this address: your account will use it from now on.",
    ),
}
TOPIC_LABELS = {
    Topic.BALLOTS: "ballots opening and reminders to vote",
    Topic.RESULTS: "published results",
    Topic.FORUM: "your proposals in the forum",
}


def invalid_link(request: Request[Any, Any, Any], problem: InvalidToken | Conflict) -> Template:
    return page(
        request, "auth/link_invalid.html", status_code=problem.status_code, detail=problem.detail
    )


class AccountLinkPages(Controller):
    opt = PUBLIC
    include_in_schema = False

    @get("/forgot-password", sync_to_thread=False)
    def forgot_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "auth/forgot_password.html")

    @post("/forgot-password", sync_to_thread=True)
    def forgot(
        self, request: Request[Any, Any, Any], data: FormData, now: Now, settings: CurrentSettings
    ) -> Template:
        return self._request_mail(
            request,
            data,
            now,
            settings,
            "auth/forgot_password.html",
            "to set a new password",
            accounts.request_password_reset,
        )

    @get("/resend-confirmation", sync_to_thread=False)
    def resend_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "auth/resend_confirmation.html")

    @post("/resend-confirmation", sync_to_thread=True)
    def resend(
        self, request: Request[Any, Any, Any], data: FormData, now: Now, settings: CurrentSettings
    ) -> Template:
        return self._request_mail(
            request,
            data,
            now,
            settings,
            "auth/resend_confirmation.html",
            "to confirm the address",
            accounts.resend_confirmation,
        )

    def _request_mail(
        self,
        request: Request[Any, Any, Any],
        data: dict[str, Any],
        now: datetime,
        settings: Settings,
        template: str,
        what: str,
        send: Callable[..., None],
    ) -> Template:
        email = text(data, "email").strip()
        if not email:
            missing = InvalidInput(
                "Give your email address.", field_errors={"email": "Give your email address."}
            )
            return reshow(request, template, missing, data)
        try:
            web_signing.request_mail(request, settings, email=email, now=now, send=send)
        except signing.Throttled as problem:
            shown = reshow(request, template, problem, data)
            shown.headers.update(web_signing.retry_after(problem))
            return shown
        return page(request, "auth/mail_sent.html", what=what)

    @get("/reset-password", sync_to_thread=True)
    def reset_form(
        self, request: Request[Any, Any, Any], db: Db, now: Now, token: FromQuery[str] = ""
    ) -> Template:
        return self._password_form(request, db, now, token, Purpose.RESET_PASSWORD)

    @get("/invitation", sync_to_thread=True)
    def invitation_form(
        self, request: Request[Any, Any, Any], db: Db, now: Now, token: FromQuery[str] = ""
    ) -> Template:
        return self._password_form(request, db, now, token, Purpose.INVITATION)

    def _password_form(
        self, request: Request[Any, Any, Any], db: Db, now: datetime, token: str, purpose: Purpose
    ) -> Template:
        try:
            member = accounts.account_for_link(db, token=token, purpose=purpose, now=now)
        except InvalidToken as problem:
            return invalid_link(request, problem)
        return self._password_page(request, purpose, token, member.email)

    def _password_page(
        self,
        request: Request[Any, Any, Any],
        purpose: Purpose,
        token: str,
        email: str,
        problem: InvalidInput | None = None,
    ) -> Template:
        action, heading, button = PASSWORD_PAGES[purpose]
        context: dict[str, Any] = {
            "action": action,
            "heading": heading,
            "button": button,
            "token": token,
            "account_email": email,
        }
        if problem is None:
            return page(request, "auth/set_password.html", **context)
        return reshow(request, "auth/set_password.html", problem, {}, **context)

    @post("/reset-password", sync_to_thread=True)
    def reset(
        self, request: Request[Any, Any, Any], data: FormData, now: Now
    ) -> Template | Redirect:
        return self._set_password(request, data, now, Purpose.RESET_PASSWORD)

    @post("/invitation", sync_to_thread=True)
    def accept(
        self, request: Request[Any, Any, Any], data: FormData, now: Now
    ) -> Template | Redirect:
        return self._set_password(request, data, now, Purpose.INVITATION)

    def _set_password(
        self, request: Request[Any, Any, Any], data: dict[str, Any], now: datetime, purpose: Purpose
    ) -> Template | Redirect:
        token = text(data, "token")
        try:
            member = web_signing.set_password_by_link(
                request, token=token, password=text(data, "password"), purpose=purpose, now=now
            )
        except InvalidToken as problem:
            return invalid_link(request, problem)
        except InvalidInput as problem:
            with request.app.state.database.reading() as session:
                email = accounts.account_for_link(
                    session, token=token, purpose=purpose, now=now
                ).email
            return self._password_page(request, purpose, token, email, problem)
        return redirect(
            request, "/sign-in", f"Your password is set, {member.name}: sign in with it now."
        )

    @get("/confirm-email", sync_to_thread=True)
    def confirm_form(
        self, request: Request[Any, Any, Any], db: Db, now: Now, token: FromQuery[str] = ""
    ) -> Template:
        return self._confirm_form(request, db, now, token, Purpose.CONFIRM_EMAIL)

    @get("/confirm-new-email", sync_to_thread=True)
    def confirm_new_form(
        self, request: Request[Any, Any, Any], db: Db, now: Now, token: FromQuery[str] = ""
    ) -> Template:
        return self._confirm_form(request, db, now, token, Purpose.CHANGE_EMAIL)

    def _confirm_form(
        self, request: Request[Any, Any, Any], db: Db, now: datetime, token: str, purpose: Purpose
    ) -> Template:
        try:
            accounts.account_for_link(db, token=token, purpose=purpose, now=now)
        except InvalidToken as problem:
            return invalid_link(request, problem)
        action, heading, explanation = CONFIRM_PAGES[purpose]
        return page(
            request,
            "auth/follow_link.html",
            action=action,
            heading=heading,
            explanation=explanation,
            button="Confirm",
            token=token,
        )

    @post("/confirm-email", sync_to_thread=True)
    def confirm(
        self, request: Request[Any, Any, Any], db: Db, data: FormData, now: Now
    ) -> Template | Redirect:
        return self._confirm(request, db, data, now, accounts.confirm_email)

    @post("/confirm-new-email", sync_to_thread=True)
    def confirm_new(
        self, request: Request[Any, Any, Any], db: Db, data: FormData, now: Now
    ) -> Template | Redirect:
        return self._confirm(request, db, data, now, accounts.confirm_email_change)

    def _confirm(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        data: dict[str, Any],
        now: datetime,
        confirm: Callable[..., object],
    ) -> Template | Redirect:
        try:
            confirm(db, token=text(data, "token"), now=now)
        except (InvalidToken, Conflict) as problem:
            return invalid_link(request, problem)
        return redirect(request, "/sign-in", "Thank you: your email address is confirmed.")

    @get("/unsubscribe", sync_to_thread=True)
    def unsubscribe_form(
        self,
        request: Request[Any, Any, Any],
        settings: CurrentSettings,
        member: FromQuery[str] = "",
        topic: FromQuery[str] = "",
        signature: FromQuery[str] = "",
    ) -> Template:
        chosen = _signed_topic(settings.secret_key, member, topic, signature)
        return page(
            request,
            "auth/unsubscribe.html",
            member=member,
            topic=chosen.value,
            topic_label=TOPIC_LABELS[chosen],
            signature=signature,
            done=False,
        )

    @post("/unsubscribe", sync_to_thread=True, opt={"exclude_from_csrf": True})
    def unsubscribe(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        settings: CurrentSettings,
        member: FromQuery[str] = "",
        topic: FromQuery[str] = "",
        signature: FromQuery[str] = "",
    ) -> Template:
        """RFC 8058's one-click unsubscribe, which a mail client POSTs with no cookie and no
        CSRF token: the link's signature is what authorises it."""
        chosen = _signed_topic(settings.secret_key, member, topic, signature)
        mail.unsubscribe(db, member=views.get_member(db, member), topic=chosen, now=now)
        return page(request, "auth/unsubscribe.html", done=True)


def _signed_topic(secret: str, member: str, topic: str, signature: str) -> Topic:
    """The topic an unsubscribe link names, when its signature holds. Raises ``InvalidToken``."""
    if topic not in {t.value for t in Topic} or not mail_rules.is_unsubscribe_signature(
        secret, member, topic, signature
    ):
        raise InvalidToken()
    return Topic(topic)
