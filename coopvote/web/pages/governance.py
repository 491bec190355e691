"""Governors' pages: the admission queue, the register and each member's record."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlmodel import Session

from coopvote import audit
from coopvote.errors import DomainError
from coopvote.members import service as members
from coopvote.members.models import MemberStatus, Role
from coopvote.members.rules import TRANSITIONS, Transition, can_transition
from coopvote.members.service import RegisterQuery
from coopvote.members.transfer import export_rows, write_csv
from coopvote.security.sessions import Principal
from coopvote.web.access import requires
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
    q: str, status: str, constituency: str, organisation: str, page_number: int
) -> RegisterQuery:
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

    @get("/applications", sync_to_thread=True)
    def applications(
        self,
        request: Request[Any, Any, Any],
        db: Session,
        page_number: int = Parameter(query="page", default=1, ge=1),
    ) -> Template:
        pending = members.search_register(
            db, RegisterQuery(status=MemberStatus.PENDING, page=page_number)
        )
        return page(request, "governance/applications.html", pending=pending)

    @get("/members", sync_to_thread=True)
    def register(
        self,
        request: Request[Any, Any, Any],
        db: Session,
        q: str = "",
        status: str = "",
        constituency: str = "",
        organisation: str = "",
        page_number: int = Parameter(query="page", default=1, ge=1),
    ) -> Template:
        query = register_query(q, status, constituency, organisation, page_number)
        return page(
            request,
            "governance/register.html",
            results=members.search_register(db, query),
            query=query,
            statuses=[s for s in MemberStatus if s is not MemberStatus.NON_MEMBER],
            organisations=members.organisations(db),
            constituencies=members.constituencies(db),
        )

    @get("/members.csv", sync_to_thread=True)
    def export(
        self,
        db: Session,
        principal: Principal,
        now: datetime,
        q: str = "",
        status: str = "",
        constituency: str = "",
        organisation: str = "",
    ) -> Response[str]:
        buffer = io.StringIO()
        count = write_csv(
            export_rows(db, register_query(q, status, constituency, organisation, 1)), buffer
        )
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
    def member(self, request: Request[Any, Any, Any], db: Session, member_id: str) -> Template:
        return self._member_page(request, db, member_id)

    def _member_page(
        self, request: Request[Any, Any, Any], db: Session, member_id: str, **context: Any
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
        db: Session,
        principal: Principal,
        member_id: str,
        action: str,
        data: FormData,
        now: datetime,
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
