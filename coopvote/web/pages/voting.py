"""Members' ballot pages: my ballots, the ballot paper, the review step and the receipt."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from coopvote.ballots import service as ballots
from coopvote.ballots import views
from coopvote.ballots.models import Ballot
from coopvote.errors import InvalidInput
from coopvote.members.models import Role
from coopvote.web.access import requires
from coopvote.web.ballot_forms import PaperForm, reviewed_paper
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.errors import VOTE_NOT_RECORDED, WHEN_UNAVAILABLE
from coopvote.web.forms import FormData
from coopvote.web.templating import page, reshow

PAPER = "ballots/paper.html"


def paper_context(db: Db, principal: CurrentPrincipal, ballot: Ballot, now: Now) -> dict[str, Any]:
    """What the paper page shows this member: the template only lays it out."""
    view = views.paper(db, ballot, principal.member_id, now)
    return {**vars(view), "ranks": range(1, len(view.options) + 1)}


class VotingPages(Controller):
    path = "/ballots"
    opt = requires(Role.MEMBER)
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def mine(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal, now: Now
    ) -> Template:
        return page(
            request,
            "ballots/mine.html",
            ballots=views.my_open_ballots(db, member_id=principal.member_id, now=now),
        )

    @get("/{ballot_id:str}", sync_to_thread=True)
    def paper(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
    ) -> Template:
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        return page(request, PAPER, **paper_context(db, principal, ballot, now))

    @post("/{ballot_id:str}/review", sync_to_thread=True)
    def review(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
        data: FormData,
    ) -> Template:
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        form = PaperForm(ballot, views.options(db, ballot))
        try:
            paper = form.paper(data)
        except InvalidInput as problem:
            return reshow(
                request, PAPER, problem, data, **paper_context(db, principal, ballot, now)
            )
        return page(
            request,
            "ballots/review.html",
            ballot=ballot,
            choices=form.described(paper),
            paper=json.dumps(paper),
            form=data,
        )

    @post("/{ballot_id:str}/change", sync_to_thread=True)
    def change(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
        data: FormData,
    ) -> Template:
        """Back from the review step with the choices as they were (by POST, so that no
        choice ever appears in a URL or a server log)."""
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        return page(request, PAPER, form=data, **paper_context(db, principal, ballot, now))

    @post("/{ballot_id:str}/vote", sync_to_thread=True, opt={WHEN_UNAVAILABLE: VOTE_NOT_RECORDED})
    def vote(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
        data: FormData,
    ) -> Template:
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        receipt = ballots.cast_vote(
            db, ballot, member_id=principal.member_id, paper=reviewed_paper(data), now=now
        )
        return page(
            request, "ballots/receipt.html", ballot=ballot, receipt=receipt, status_code=201
        )
