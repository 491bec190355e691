"""Members' ballot pages: my ballots, the ballot paper, the review step and the receipt."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from coopvote.ballots import service as ballots
from coopvote.ballots import trustees, views
from coopvote.ballots.models import Ballot
from coopvote.errors import InvalidInput, NotFound
from coopvote.members.models import Role
from coopvote.web import receipt_cookie
from coopvote.web.access import SIGNED_IN, requires
from coopvote.web.ballot_forms import PaperForm, reviewed_paper
from coopvote.web.deps import CurrentPrincipal, CurrentSettings, Db, Now
from coopvote.web.errors import VOTE_NOT_RECORDED, WHEN_UNAVAILABLE
from coopvote.web.forms import FormData, text
from coopvote.web.templating import page, reshow

PAPER = "ballots/paper.html"
TRUSTEE_KEY = "ballots/trustee_key.html"
OPEN_BOX = "ballots/open_box.html"


def no_store(response: Template) -> Template:
    """Answer a request that carried a secret key so that no cache keeps the page."""
    response.headers["Cache-Control"] = "no-store"
    return response


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

    @get("/{ballot_id:str}/board", opt=SIGNED_IN, sync_to_thread=True)
    def board(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
    ) -> Template:
        """The ballot's bulletin board, to whoever may see the ballot."""
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        return page(request, "ballots/board.html", ballot=ballot, board=views.board(db, ballot))

    @get("/trustee/key", opt=SIGNED_IN, sync_to_thread=True)
    def trustee_key_form(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal
    ) -> Template:
        """Where a trustee registers the public key they made offline."""
        return page(request, TRUSTEE_KEY, trustee=trustees.trustee_of(db, principal.member_id))

    @post("/trustee/key", opt=SIGNED_IN, sync_to_thread=True)
    def trustee_key(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        data: FormData,
    ) -> Template:
        """Two steps: a public key alone is answered with its challenge; with the challenge's
        answer, the key is registered."""
        public_key, answer = text(data, "public_key"), text(data, "answer")
        trustee = trustees.trustee_of(db, principal.member_id)
        try:
            if not answer:
                challenge = trustees.challenge(db, principal.member_id, public_key)
                return page(request, TRUSTEE_KEY, trustee=trustee, challenge=challenge)
            registered = trustees.register_public_key(
                db, principal.member_id, public_key, answer, now=now
            )
        except InvalidInput as problem:
            shown = {"public_key": public_key}
            if "answer" in problem.field_errors:
                shown["answer"] = answer
                challenge = trustees.challenge(db, principal.member_id, public_key)
                return reshow(
                    request, TRUSTEE_KEY, problem, shown, trustee=trustee, challenge=challenge
                )
            return reshow(request, TRUSTEE_KEY, problem, shown, trustee=trustee)
        return page(request, TRUSTEE_KEY, trustee=registered, registered=True, status_code=201)

    @get("/{ballot_id:str}/open-box", opt=SIGNED_IN, sync_to_thread=True)
    def open_box_form(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
    ) -> Template:
        """Where trustees, together, enter their keys to open a closed ballot's box."""
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        return page(request, OPEN_BOX, ballot=ballot)

    @post("/{ballot_id:str}/open-box", opt=SIGNED_IN, sync_to_thread=True)
    def open_box(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot_id: FromPath[str],
        data: FormData,
    ) -> Template:
        ballot = ballots.get_ballot(db, ballot_id, now)
        keys = [text(data, f"key_{i}") for i in range(1, (ballot.trustees_needed or 0) + 1)]
        try:
            papers = trustees.open_with_trustees(
                db, ballot, keys, actor_id=principal.member_id, now=now
            )
        except InvalidInput as problem:
            # Keys are never put back into the page.
            return no_store(reshow(request, OPEN_BOX, problem, {}, ballot=ballot))
        return no_store(page(request, OPEN_BOX, ballot=ballot, opened=papers))

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
        settings: CurrentSettings,
        ballot_id: FromPath[str],
        data: FormData,
    ) -> Template:
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        receipt = ballots.cast_vote(
            db, ballot, member_id=principal.member_id, paper=reviewed_paper(data), now=now
        )
        shown = page(
            request, "ballots/receipt.html", ballot=ballot, receipt=receipt, status_code=201
        )
        shown.cookies.append(
            receipt_cookie.keeping(
                request, settings, principal.member_id, ballot.public_id, receipt
            )
        )
        return shown

    @get("/{ballot_id:str}/receipt", sync_to_thread=True)
    def receipt(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        settings: CurrentSettings,
        now: Now,
        ballot_id: FromPath[str],
    ) -> Template:
        """The receipt again, from this browser's session cookie (404 when it has none)."""
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        kept = receipt_cookie.read(request, settings, principal.member_id)
        receipt = kept.get(ballot.public_id)
        if receipt is None:
            raise NotFound("This browser keeps no receipt for this ballot.")
        return page(request, "ballots/receipt.html", ballot=ballot, receipt=receipt, again=True)
