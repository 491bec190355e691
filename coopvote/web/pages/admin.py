"""Admins' page: who holds which office."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coopvote.errors import DomainError
from coopvote.members import service as members
from coopvote.members.models import OFFICES, Role
from coopvote.security.service import find_by_email
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.forms import FormData, text
from coopvote.web.templating import page, redirect


class AdminPages(Controller):
    path = "/admin"
    opt = requires(Role.ADMIN)
    include_in_schema = False

    def _roles_page(self, request: Request[Any, Any, Any], db: Db, **context: Any) -> Template:
        return page(
            request,
            "admin/roles.html",
            holders=members.office_holders(db),
            offices=OFFICES,
            **context,
        )

    @get("/roles", sync_to_thread=True)
    def roles(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return self._roles_page(request, db)

    @post("/roles", sync_to_thread=True)
    def grant(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        member = find_by_email(db, text(data, "email"))
        role = text(data, "role")
        errors = {}
        if member is None:
            errors["email"] = "Nobody with that email address has an account."
        if role not in {o.value for o in OFFICES}:
            errors["role"] = "Choose an office."
        if not errors:
            assert member is not None
            try:
                members.grant_role(
                    db, member=member, role=Role(role), actor_id=principal.member_id, now=now
                )
            except DomainError as problem:
                errors["form"] = problem.detail
        if errors:
            return self._roles_page(
                request,
                db,
                status_code=422,
                errors=errors,
                form={"email": text(data, "email"), "role": role},
            )
        assert member is not None
        return redirect(request, "/admin/roles", f"{member.name} is now {role}.")

    @post("/roles/{member_id:str}/{role:str}/revoke", sync_to_thread=True)
    def revoke(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        role: FromPath[Role],
        now: Now,
    ) -> Redirect:
        member = members.get_member(db, member_id)
        try:
            members.revoke_role(db, member=member, role=role, actor_id=principal.member_id, now=now)
        except DomainError as problem:
            return redirect(request, "/admin/roles", problem.detail, "error")
        return redirect(request, "/admin/roles", f"{member.name} is no longer {role.value}.")
