"""Admins' pages: who holds which office, the co-operative's settings, its organisations
and constituencies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coopvote.cooperative import service as cooperative
from coopvote.cooperative import views as cooperative_views
from coopvote.cooperative.models import CooperativeSettings
from coopvote.cooperative.service import SettingsChange
from coopvote.errors import DomainError, InvalidInput
from coopvote.members import service as members
from coopvote.members import views
from coopvote.members.models import OFFICES, Role
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, Db, Now, attempt
from coopvote.web.forms import FormData, checked, text, whole_number
from coopvote.web.templating import page, redirect, reshow


@dataclass(frozen=True)
class OfficeForm:
    """Giving someone an office: the service marks an unknown email and a missing office."""

    email: str
    role: str

    @classmethod
    def parse(cls, form: dict[str, Any]) -> OfficeForm:
        return cls(text(form, "email"), text(form, "role"))


GROUPS = "admin/groups.html"


def slug_of(name: str) -> str:
    """A slug made from a name: "The Grange School" → "the-grange-school"."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def _group_form(kind: str, form: dict[str, Any]) -> tuple[str, str]:
    """The name and slug typed in the form for ``kind`` (the slug made from the name when
    left empty)."""
    name = text(form, f"{kind}-name")
    return name, text(form, f"{kind}-slug").strip() or slug_of(name)


NUMBERS = ("support_threshold_count", "support_threshold_percent", "support_threshold_minimum")


def settings_form(current: CooperativeSettings) -> dict[str, Any]:
    """The settings in force, as the form shows them."""
    return {
        "results_public": "on" if current.results_public else "",
        "support_threshold_count": str(current.support_threshold_count or ""),
        "support_threshold_percent": str(current.support_threshold_percent),
        "support_threshold_minimum": str(current.support_threshold_minimum),
    }


def settings_change(form: dict[str, Any]) -> SettingsChange:
    """Every field of the settings form; raises ``InvalidInput`` marking each field that is not
    a whole number, all at once (the service then marks those out of range)."""
    numbers: dict[str, int | None] = {}
    problems: dict[str, str] = {}
    for name in NUMBERS:
        try:
            numbers[name] = whole_number(form, name, None)
        except InvalidInput as problem:
            problems.update(problem.field_errors)
    if problems:
        raise InvalidInput("Please correct the marked fields.", field_errors=problems)
    return SettingsChange(
        results_public=checked(form, "results_public"),
        support_threshold_count=numbers["support_threshold_count"],
        # An empty percentage or minimum is out of range (0), as the service then says.
        support_threshold_percent=numbers["support_threshold_percent"] or 0,
        support_threshold_minimum=numbers["support_threshold_minimum"] or 0,
    )


class AdminPages(Controller):
    path = "/admin"
    opt = requires(Role.ADMIN)
    include_in_schema = False

    @get("/roles", sync_to_thread=True)
    def roles(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return page(request, "admin/roles.html", holders=views.office_holders(db), offices=OFFICES)

    @post("/roles", sync_to_thread=True)
    def grant(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        form = OfficeForm.parse(data)
        try:
            member = members.grant_office(
                db, email=form.email, office=form.role, actor_id=principal.member_id, now=now
            )
        except DomainError as problem:
            return reshow(
                request,
                "admin/roles.html",
                problem,
                data,
                holders=views.office_holders(db),
                offices=OFFICES,
            )
        return redirect(request, "/admin/roles", f"{member.name} is now {form.role}.")

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
        member = views.get_member(db, member_id)
        if problem := attempt(
            db,
            lambda: members.revoke_role(
                db, member=member, role=role, actor_id=principal.member_id, now=now
            ),
        ):
            return redirect(request, "/admin/roles", problem.detail, "error")
        return redirect(request, "/admin/roles", f"{member.name} is no longer {role.value}.")

    @get("/groups", sync_to_thread=True)
    def groups(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return page(
            request,
            GROUPS,
            organisations=views.organisations(db),
            constituencies=views.constituencies(db),
        )

    @post("/groups/{kind:str}", sync_to_thread=True)
    def add_group(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        kind: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        """Add an organisation or a constituency (``kind``), as ``coopvote organisations add``
        and ``coopvote constituencies add`` do."""
        adders = {
            "organisation": members.add_organisation,
            "constituency": members.add_constituency,
        }
        if kind not in adders:
            raise NotFoundException("No such list.")
        name, slug = _group_form(kind, data)
        try:
            adders[kind](db, slug=slug, name=name, now=now, actor_id=principal.member_id)
        except DomainError as problem:
            marked = {f"{kind}-{field}": said for field, said in problem.field_errors.items()}
            return page(
                request,
                GROUPS,
                status_code=problem.status_code,
                errors=marked or {"form": problem.detail},
                form=data,
                acted=kind,
                organisations=views.organisations(db),
                constituencies=views.constituencies(db),
            )
        return redirect(request, "/admin/groups", f"{name.strip()} added.")

    @get("/settings", sync_to_thread=True)
    def settings(self, request: Request[Any, Any, Any], db: Db) -> Template:
        current = cooperative_views.current(db)
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
            return reshow(request, "admin/settings.html", problem, data)
        return redirect(request, "/admin/settings", "Settings saved.")
