"""A member's own page: their status and number, and withdrawing."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from coopvote.members import service as members
from coopvote.members import views
from coopvote.members.rules import Transition
from coopvote.web.access import OWN_ACCOUNT
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.forms import FormData, checked
from coopvote.web.templating import page, redirect


class MembershipPages(Controller):
    path = "/membership"
    opt = OWN_ACCOUNT
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def mine(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal
    ) -> Template:
        mine = views.my_membership(db, principal.public_id)
        return page(
            request,
            "members/me.html",
            me=mine.member,
            history=mine.history,
            can_withdraw=mine.can_withdraw,
            term_ends=mine.term_ends,
        )

    @post("/withdraw", sync_to_thread=True)
    def withdraw(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        data: FormData,
        now: Now,
    ) -> Redirect:
        if not checked(data, "confirm"):
            return redirect(
                request,
                "/membership",
                "Tick the box to confirm that you want to end your membership.",
                "error",
            )
        members.change_status(
            db,
            member=views.get_member(db, principal.public_id),
            transition=Transition.WITHDREW,
            actor_id=principal.member_id,
            now=now,
        )
        return redirect(
            request, "/", "Your membership has ended. Thank you for taking part.", "info"
        )
