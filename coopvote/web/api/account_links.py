"""The API's side of mailed links (docs/api.md): asking for a password reset, and completing
a reset or an address confirmation with the token a link carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from coopvote.members import accounts
from coopvote.security import service as signing
from coopvote.security.tokens import Purpose
from coopvote.web import signing as web_signing
from coopvote.web.access import PUBLIC
from coopvote.web.deps import CurrentSettings, Db, Now


@dataclass
class ResetIn:
    email: str


@dataclass
class ResetCompleteIn:
    token: str
    password: str


@dataclass
class TokenIn:
    token: str


@dataclass
class Done:
    detail: str


class AccountLinksController(Controller):
    path = "/api/v1"
    tags = ["members"]
    opt = PUBLIC

    @post("/password-reset", status_code=HTTP_202_ACCEPTED, sync_to_thread=True)
    def password_reset(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ResetIn],
        now: Now,
        settings: CurrentSettings,
    ) -> Response[Any] | Done:
        """202 whatever the address (no enumeration); 429 when asked too often."""
        try:
            web_signing.request_mail(
                request,
                settings,
                email=data.email[:320],
                now=now,
                send=accounts.request_password_reset,
            )
        except signing.Throttled as problem:
            return web_signing.throttled(problem)
        return Done("If an account uses that address, a link to reset its password is sent.")

    @post("/password-reset/complete", status_code=HTTP_200_OK, sync_to_thread=True)
    def complete_reset(
        self, request: Request[Any, Any, Any], data: JSONBody[ResetCompleteIn], now: Now
    ) -> Done:
        """Every other session of the account ends; 400 for a used, expired or forged token,
        422 for a password the policy refuses."""
        web_signing.set_password_by_link(
            request,
            token=data.token,
            password=data.password,
            purpose=Purpose.RESET_PASSWORD,
            now=now,
        )
        return Done("Your password is set.")

    @post("/email-confirmation/complete", status_code=HTTP_200_OK, sync_to_thread=True)
    def confirm_email(self, db: Db, data: JSONBody[TokenIn], now: Now) -> Done:
        """400 for a used, expired or forged token."""
        accounts.confirm_email(db, token=data.token, now=now)
        return Done("Your email address is confirmed.")
