"""Officers' side of the register's rights and duties (issue 18): governors correct a
member's details and lapse leavers' memberships; admins erase a former member's personal
data at their request."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coopvote.errors import DomainError
from coopvote.members import lapsing, retention, views
from coopvote.members import service as members
from coopvote.members.models import Role
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.forms import FormData, checked, text
from coopvote.web.templating import page, redirect, reshow

RECORD = "governance/member.html"
LEAVERS = "governance/leavers.html"


class RegisterRightsPages(Controller):
    path = "/register/members/{member_id:str}"
    opt = requires(Role.GOVERNOR)
    include_in_schema = False

    @post("/details", sync_to_thread=True)
    def correct(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        member = views.get_member(db, member_id)
        details = members.Details(name=text(data, "name"), email=text(data, "email"))
        try:
            with db.begin_nested():  # refused: undo whatever it had changed
                changed = members.correct_details(
                    db, member=member, details=details, actor_id=principal.member_id, now=now
                )
        except DomainError as problem:
            record = views.member_record(db, member_id)
            return reshow(request, RECORD, problem, data, record=record, acted="details")
        message = f"Corrected: {', '.join(changed)}." if changed else "Nothing needed changing."
        return redirect(request, f"/governance/members/{member_id}", message)

    @post("/consent", sync_to_thread=True)
    def consent(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        member = views.get_member(db, member_id)
        try:
            with db.begin_nested():  # refused: undo whatever it had changed
                members.record_guardian_consent(
                    db,
                    member=member,
                    guardian=text(data, "guardian"),
                    actor_id=principal.member_id,
                    now=now,
                )
        except DomainError as problem:
            record = views.member_record(db, member_id)
            return reshow(request, RECORD, problem, data, record=record, acted="consent")
        return redirect(request, f"/governance/members/{member_id}", "Consent recorded.")

    @post("/representative", sync_to_thread=True)
    def representative(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        member = views.get_member(db, member_id)
        try:
            with db.begin_nested():  # refused: undo whatever it had changed
                members.replace_representative(
                    db,
                    member=member,
                    name=text(data, "representative-name"),
                    email=text(data, "representative-email"),
                    actor_id=principal.member_id,
                    now=now,
                )
        except DomainError as problem:
            problem.field_errors = {
                f"representative-{field}": message
                for field, message in problem.field_errors.items()
            }
            record = views.member_record(db, member_id)
            return reshow(request, RECORD, problem, data, record=record, acted="representative")
        return redirect(
            request,
            f"/governance/members/{member_id}",
            f"{member.representative} now represents {member.name}.",
        )

    @post("/erase", opt=requires(Role.ADMIN), sync_to_thread=True)
    def erase(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        member = views.get_member(db, member_id)
        if not checked(data, "confirm"):
            return page(
                request,
                RECORD,
                status_code=422,
                errors={"confirm": "Tick the box to confirm the erasure."},
                record=views.member_record(db, member_id),
                acted="erase",
            )
        try:
            with db.begin_nested():  # refused: undo whatever it had changed
                retention.erase(
                    db, member=member, actor_id=principal.member_id, now=now, on_request=True
                )
        except DomainError as problem:
            record = views.member_record(db, member_id)
            return reshow(request, RECORD, problem, data, record=record, acted="erase")
        return redirect(
            request,
            f"/governance/members/{member_id}",
            "Their personal data is erased; the register entry is kept, as the law requires.",
        )


class LeaversPages(Controller):
    """Governors lapse the memberships of leavers (parents whose children left the school)
    from a CSV of their email addresses, pasted in: every line is checked before any lapses."""

    path = "/register/leavers"
    opt = requires(Role.GOVERNOR)
    include_in_schema = False

    @get("/", sync_to_thread=False)
    def form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, LEAVERS)

    @post("/", sync_to_thread=True)
    def lapse(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        try:
            with db.begin_nested():  # refused: undo whatever it had changed
                leavers = lapsing.read_leavers(db, text(data, "leavers"))
                count = lapsing.lapse_leavers(db, leavers, actor_id=principal.member_id, now=now)
        except DomainError as problem:
            problem.field_errors = problem.field_errors or {"leavers": problem.detail}
            return reshow(request, LEAVERS, problem, data)
        return redirect(request, "/governance/members", f"Lapsed {count} memberships.")
