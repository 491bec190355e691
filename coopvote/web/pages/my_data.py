"""A member's data and term (issue 18): see everything held about oneself, download it,
correct one's name; renew a membership that lapses. Separate from ``membership`` (status and
withdrawing) so that the two change apart."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from coopvote.errors import DomainError
from coopvote.members import lapsing, privacy, views
from coopvote.members import service as members
from coopvote.web.access import OWN_ACCOUNT
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.forms import FormData, text
from coopvote.web.templating import page, redirect, reshow

TEMPLATE = "members/my_data.html"


class MyDataPages(Controller):
    path = "/membership"
    opt = OWN_ACCOUNT
    include_in_schema = False

    @get("/data", sync_to_thread=True)
    def show(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal, now: Now
    ) -> Template:
        member = views.get_member(db, principal.public_id)
        return page(request, TEMPLATE, data=privacy.subject_access(db, member, now=now))

    @get("/data/download", sync_to_thread=True)
    def download(self, db: Db, principal: CurrentPrincipal, now: Now) -> Response[str]:
        member = views.get_member(db, principal.public_id)
        body = json.dumps(privacy.subject_access(db, member, now=now), indent=2)
        return Response(
            body,
            media_type="application/json",
            headers={"content-disposition": f'attachment; filename="my-data-{now:%Y-%m-%d}.json"'},
        )

    @post("/data", sync_to_thread=True)
    def correct(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        data: FormData,
        now: Now,
    ) -> Template | Redirect:
        member = views.get_member(db, principal.public_id)
        try:
            with db.begin_nested():  # refused: undo whatever it had changed
                changed = members.correct_details(
                    db,
                    member=member,
                    details=members.Details(name=text(data, "name")),
                    actor_id=principal.member_id,
                    now=now,
                )
        except DomainError as problem:
            return reshow(
                request, TEMPLATE, problem, data, data=privacy.subject_access(db, member, now=now)
            )
        message = "Your details are corrected." if changed else "Nothing needed changing."
        return redirect(request, "/membership/data", message)

    @post("/renew", sync_to_thread=True)
    def renew(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal, now: Now
    ) -> Redirect:
        member = views.get_member(db, principal.public_id)
        try:
            with db.begin_nested():  # refused: undo whatever it had changed
                ends = lapsing.renew(db, member=member, now=now)
        except DomainError as problem:
            return redirect(request, "/membership", problem.detail, "error")
        return redirect(
            request, "/membership", f"Thank you: your membership now runs to {ends:%-d %B %Y}."
        )
