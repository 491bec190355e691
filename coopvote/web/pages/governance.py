"""Governors' pages: the admission queue, the register and each member's record."""

from __future__ import annotations

import io
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from coopvote import audit
from coopvote.errors import DomainError
from coopvote.members import service as members
from coopvote.members.models import MemberStatus, Role
from coopvote.members.rules import TRANSITIONS, Transition, can_transition
from coopvote.members.service import RegisterQuery
from coopvote.members.transfer import export_rows, write_csv
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.forms import FormData, text
from coopvote.web.templating import page, redirect

#: The actions a governor takes from a member's record, by their name in the URL.
ACTIONS = {
    "approve": Transition.ADMITTED,
    "reject": Transition.REJECTED,
    "suspend": Transition.SUSPENDED,
    "reinstate": Transition.REINSTATED,
    "cease": Transition.CEASED,
}


def register_query(
    q: FromQuery[str] = "",
    status: FromQuery[str] = "",
    constituency: FromQuery[str] = "",
    organisation: FromQuery[str] = "",
    page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
) -> RegisterQuery:
    """The register's filters, read from the query string of the page and of its CSV."""
    return RegisterQuery(
        search=q,
        status=MemberStatus(status) if status in set(MemberStatus) else None,
        constituency=constituency or None,
        organisation=organisation or None,
        page=page_number,
    )


class GovernancePages(Controller):
    path = "/governance"
    opt = requires(Role.GOVERNOR)
    include_in_schema = False
    dependencies = {"filters": Provide(register_query, sync_to_thread=False)}

    @get("/applications", sync_to_thread=True)
    def applications(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        pending = members.search_register(
            db, RegisterQuery(status=MemberStatus.PENDING, page=page_number)
        )
        return page(request, "governance/applications.html", pending=pending)

    @get("/members", sync_to_thread=True)
    def register(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        filters: NamedDependency[RegisterQuery],
    ) -> Template:
        return page(
            request,
            "governance/register.html",
            results=members.search_register(db, filters),
            query=filters,
            statuses=[s for s in MemberStatus if s is not MemberStatus.NON_MEMBER],
            organisations=members.organisations(db),
            constituencies=members.constituencies(db),
        )

    @get("/members.csv", sync_to_thread=True)
    def export(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        filters: NamedDependency[RegisterQuery],
    ) -> Response[str]:
        buffer = io.StringIO()
        count = write_csv(export_rows(db, filters), buffer)
        audit.record(
            db,
            actor=audit.member_actor(principal.member_id),
            action="members.exported",
            subject="register",
            now=now,
            data={"rows": count},
        )
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="members-{now:%Y-%m-%d}.csv"'},
        )

    @get("/members/{member_id:str}", sync_to_thread=True)
    def member(self, request: Request[Any, Any, Any], db: Db, member_id: FromPath[str]) -> Template:
        return self._member_page(request, db, member_id)

    def _member_page(
        self, request: Request[Any, Any, Any], db: Db, member_id: FromPath[str], **context: Any
    ) -> Template:
        record = members.get_member(db, member_id)
        actions = [(name, t) for name, t in ACTIONS.items() if can_transition(record.status, t)]
        return page(
            request,
            "governance/member.html",
            member=members.summary(db, record),
            history=members.history(db, record),
            actions=actions,
            **context,
        )

    @post("/members/{member_id:str}/{action:str}", sync_to_thread=True)
    def act(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        member_id: FromPath[str],
        action: FromPath[str],
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        transition = ACTIONS.get(action)
        if transition is None:
            raise NotFoundException("No such action.")
        record = members.get_member(db, member_id)
        try:
            members.change_status(
                db,
                member=record,
                transition=transition,
                actor_id=principal.member_id,
                now=now,
                reason=text(data, "reason"),
            )
        except DomainError as problem:
            return self._member_page(
                request,
                db,
                member_id,
                status_code=problem.status_code,
                errors={f"reason-{action}": problem.detail, "form": problem.detail},
                form={f"reason-{action}": text(data, "reason")},
            )
        back = text(data, "back")
        target = (
            "/governance/applications"
            if back == "applications"
            else f"/governance/members/{member_id}"
        )
        status_word = TRANSITIONS[transition][1].value
        return redirect(request, target, f"{record.name} is now {status_word}.")
