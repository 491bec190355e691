"""Admins' page for the ballot trustees: who they are, whether each has registered a key, and
naming another."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from coopvote.ballots import trustees
from coopvote.errors import DomainError
from coopvote.members.models import Role
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.forms import FormData, text
from coopvote.web.templating import page, redirect, reshow

TRUSTEES = "admin/trustees.html"


class TrusteePages(Controller):
    path = "/admin/trustees"
    opt = requires(Role.ADMIN)
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def list_trustees(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return page(request, TRUSTEES, **_context(db))

    @post("/", sync_to_thread=True)
    def name(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        data: FormData,
    ) -> Template | Redirect:
        """Name the member with this email address a trustee."""
        email = text(data, "email")
        try:
            member = trustees.member_by_email(db, email)
            trustees.name_trustee(db, member, actor_id=principal.member_id, now=now)
        except DomainError as problem:
            return reshow(request, TRUSTEES, problem, {"email": email}, **_context(db))
        return redirect(
            request,
            "/admin/trustees",
            f"{member.name} is a ballot trustee: they register their key at /ballots/trustee/key.",
        )


def _context(db: Db) -> dict[str, Any]:
    listed = trustees.listed(db)
    keyed = sum(t.public_key is not None for t in listed)
    return {"trustees": listed, "keyed": keyed, "minimum": trustees.MINIMUM}
