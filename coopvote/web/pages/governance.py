"""Governors' pages: the admission queue, the register and each member's record."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from coopvote.errors import DomainError
from coopvote.members import accounts, views
from coopvote.members import service as members
from coopvote.members.models import Member, MemberStatus, Role
from coopvote.members.rules import GOVERNOR_ACTIONS, Transition, leads_to
from coopvote.members.transfer import export_register
from coopvote.members.views import REGISTER_STATUSES, RegisterQuery
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, Db, Now, attempt
from coopvote.web.forms import MAX_WHOLE_NUMBER, FormData, text, without_secrets
from coopvote.web.templating import page, redirect, reshow


def register_query(
    q: FromQuery[str] = "",
    status: FromQuery[str] = "",
    constituency: FromQuery[str] = "",
    organisation: FromQuery[str] = "",
    page_number: Annotated[int, QueryParameter(name="page", ge=1, le=MAX_WHOLE_NUMBER)] = 1,
) -> RegisterQuery:
    """The register's filters, read from the query string of the page and of its CSV."""
    return RegisterQuery(
        search=q,
        status=MemberStatus(status) if status in set(MemberStatus) else None,
        constituency=constituency or None,
        organisation=organisation or None,
        page=page_number,
    )


@dataclass(frozen=True)
class MemberActionForm:
    """A governor's action on a member's record, from the record or from the queue."""

    reason: str
    #: Where the form was sent from: "applications" (the queue), or the member's record.
    back: str

    @classmethod
    def parse(cls, form: dict[str, Any]) -> MemberActionForm:
        return cls(text(form, "reason"), text(form, "back"))

    def next_page(self, member_id: str) -> str:
        if self.back == "applications":
            return "/governance/applications"
        return f"/governance/members/{member_id}"


#: Who may read the register of members and a member's record.
REGISTER_READERS = requires(Role.GOVERNOR, Role.ADMIN)


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
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=MAX_WHOLE_NUMBER)] = 1,
    ) -> Template:
        pending = views.search_register(
            db, RegisterQuery(status=MemberStatus.PENDING, page=page_number)
        )
        return page(request, "governance/applications.html", pending=pending)

    # Admins read the register and its records too: erasure on request is an admin's act on
    # a former member's record (issue 18), whether or not the admin is also a governor.
    @get("/members", opt=REGISTER_READERS, sync_to_thread=True)
    def register(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        filters: NamedDependency[RegisterQuery],
    ) -> Template:
        found = views.register(db, filters)
        return page(
            request,
            "governance/register.html",
            results=found.results,
            query=filters,
            statuses=REGISTER_STATUSES,
            organisations=found.organisations,
            constituencies=found.constituencies,
        )

    @post("/members.csv", sync_to_thread=True)
    def export(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        filters: NamedDependency[RegisterQuery],
    ) -> Response[str]:
        """A POST, from a button on the register: each export is recorded in the audit log."""
        buffer = io.StringIO()
        export_register(db, filters, buffer, actor_id=principal.member_id, now=now)
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="members-{now:%Y-%m-%d}.csv"'},
        )

    @get("/members/{member_id:str}", opt=REGISTER_READERS, sync_to_thread=True)
    def member(self, request: Request[Any, Any, Any], db: Db, member_id: FromPath[str]) -> Template:
        return page(request, "governance/member.html", record=views.member_record(db, member_id))

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
        record = views.get_member(db, member_id)
        if action == "invite":
            return self._invite(request, db, principal, record, now)
        transition = GOVERNOR_ACTIONS.get(action)
        if transition is None:
            raise NotFoundException("No such action.")
        form = MemberActionForm.parse(data)
        if transition is Transition.CEASED and text(data, "confirmed") != "yes":
            # Ending a membership cannot be undone: it is asked for once more, saying so.
            return page(
                request,
                "governance/confirm.html",
                record=views.member_record(db, member_id),
                form=without_secrets(data),
            )
        try:
            with db.begin_nested():  # refused: undo whatever it had changed
                members.change_status(
                    db,
                    member=record,
                    transition=transition,
                    actor_id=principal.member_id,
                    now=now,
                    reason=form.reason,
                )
        except DomainError as problem:
            return reshow(
                request,
                "governance/member.html",
                problem,
                data,
                record=views.member_record(db, member_id),
                acted=action,
            )
        return redirect(
            request,
            form.next_page(member_id),
            f"{record.name} is now {leads_to(transition).value}.",
        )

    def _invite(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        record: Member,
        now: Now,
    ) -> Template | Redirect:
        """Mail an imported member (who has no password) an invitation to set one."""
        problem = attempt(
            db, lambda: accounts.invite(db, member=record, actor_id=principal.member_id, now=now)
        )
        if problem is not None:
            return reshow(
                request,
                "governance/member.html",
                problem,
                {},
                record=views.member_record(db, record.public_id),
            )
        return redirect(
            request,
            f"/governance/members/{record.public_id}",
            f"An invitation is on its way to {record.name}.",
        )
