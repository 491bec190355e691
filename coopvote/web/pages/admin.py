"""Admins' page: who holds which office."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coopvote.cooperative import service as cooperative
from coopvote.cooperative.models import CooperativeSettings
from coopvote.cooperative.service import SettingsChange
from coopvote.errors import DomainError, InvalidInput
from coopvote.members import service as members
from coopvote.members.models import OFFICES, Role
from coopvote.security.service import find_by_email
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, Db, Now, attempt
from coopvote.web.forms import FormData, checked, text
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
        if problem := attempt(
            db,
            lambda: members.revoke_role(
                db, member=member, role=role, actor_id=principal.member_id, now=now
            ),
        ):
            return redirect(request, "/admin/roles", problem.detail, "error")
        return redirect(request, "/admin/roles", f"{member.name} is no longer {role.value}.")

    @get("/settings", sync_to_thread=True)
    def settings(self, request: Request[Any, Any, Any], db: Db) -> Template:
        current = cooperative.current(db)
        return page(request, "admin/settings.html", form=settings_form(current))

    @post("/settings", sync_to_thread=True)
    def change_settings(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        data: FormData,
    ) -> Template | Redirect:
        try:
            cooperative.change(db, settings_change(data), actor_id=principal.member_id, now=now)
        except InvalidInput as problem:
            return page(
                request,
                "admin/settings.html",
                status_code=422,
                errors=problem.field_errors or {"form": problem.detail},
                form=data,
            )
        return redirect(request, "/admin/settings", "Settings saved.")


def settings_form(current: CooperativeSettings) -> dict[str, Any]:
    return {
        "results_public": "on" if current.results_public else "",
        "support_threshold_count": str(current.support_threshold_count or ""),
        "support_threshold_percent": str(current.support_threshold_percent),
        "support_threshold_minimum": str(current.support_threshold_minimum),
    }


def settings_change(form: dict[str, Any]) -> SettingsChange:
    def number(name: str) -> int | None:
        raw = text(form, name).strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise InvalidInput(
                "Enter a whole number.", field_errors={name: "Enter a whole number."}
            )
        return int(raw)

    return SettingsChange(
        results_public=checked(form, "results_public"),
        support_threshold_count=number("support_threshold_count"),
        support_threshold_percent=number("support_threshold_percent") or 0,
        support_threshold_minimum=number("support_threshold_minimum") or 0,
    )
