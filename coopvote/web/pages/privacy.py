"""The privacy notice (issue 18): anyone reads it; a member sees each new version at their
next sign-in and says they have read it; admins publish new versions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from coopvote.errors import DomainError
from coopvote.members import privacy, views
from coopvote.members.models import Role
from coopvote.web.access import OWN_ACCOUNT, PUBLIC, requires
from coopvote.web.deps import CurrentPrincipal, CurrentSettings, Db, Now
from coopvote.web.forms import FormData, text
from coopvote.web.templating import page, redirect, reshow, safe_next

NOTICE = "privacy/notice.html"
EDIT = "privacy/edit.html"


class PrivacyPages(Controller):
    path = "/privacy"
    include_in_schema = False

    @get("/", opt=PUBLIC, sync_to_thread=True)
    def notice(
        self, request: Request[Any, Any, Any], db: Db, settings: CurrentSettings
    ) -> Template:
        shown = privacy.current_notice(db, cooperative=settings.cooperative_name)
        return page(request, NOTICE, notice=shown, review=False)

    @get("/check", opt=OWN_ACCOUNT, sync_to_thread=True)
    def check(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        settings: CurrentSettings,
        next: FromQuery[str] = "",
    ) -> Template | Redirect:
        """Right after sign-in: a notice the member has not seen yet, or straight on."""
        onward = safe_next(next, "/membership")
        member = views.get_member(db, principal.public_id)
        if not privacy.needs_review(db, member):
            return Redirect(onward, status_code=303)
        shown = privacy.current_notice(db, cooperative=settings.cooperative_name)
        # Someone imported, or made an officer at the command line, has read none before.
        first = member.privacy_version is None
        return page(request, NOTICE, notice=shown, review=True, first=first, next=onward)

    @post("/accept", opt=OWN_ACCOUNT, sync_to_thread=True)
    def accept(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        data: FormData,
        now: Now,
    ) -> Redirect:
        onward = safe_next(text(data, "next"), "/membership")
        member = views.get_member(db, principal.public_id)
        shown = text(data, "version")
        try:
            with db.begin_nested():  # refused: undo whatever it had changed
                privacy.accept_notice(
                    db, member=member, version=int(shown) if shown.isdigit() else 0, now=now
                )
        except DomainError as problem:
            check = "/privacy/check?" + urlencode({"next": onward})
            return redirect(request, check, problem.detail, "error")
        return redirect(request, onward)

    @get("/edit", opt=requires(Role.ADMIN), sync_to_thread=True)
    def edit_form(
        self, request: Request[Any, Any, Any], db: Db, settings: CurrentSettings
    ) -> Template:
        shown = privacy.current_notice(db, cooperative=settings.cooperative_name)
        return page(request, EDIT, notice=shown, form={"text": shown.text})

    @post("/edit", opt=requires(Role.ADMIN), sync_to_thread=True)
    def publish(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        settings: CurrentSettings,
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        try:
            with db.begin_nested():  # refused: undo whatever it had changed
                version = privacy.publish_notice(
                    db, text=text(data, "text"), actor_id=principal.member_id, now=now
                )
        except DomainError as problem:
            shown = privacy.current_notice(db, cooperative=settings.cooperative_name)
            return reshow(request, EDIT, problem, data, notice=shown)
        return redirect(
            request, "/privacy", f"Version {version} published: members see it at next sign-in."
        )
