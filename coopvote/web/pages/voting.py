"""Members' ballot pages: my ballots, the ballot paper, the review step and the receipt."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot, BallotOption, BallotStatus, Method
from coopvote.ballots.rules import RANKED, choices_allowed, parse_paper, ranking_from_positions
from coopvote.errors import InvalidInput
from coopvote.members.models import Role
from coopvote.security.sessions import Principal
from coopvote.web.access import requires
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.forms import FormData, text
from coopvote.web.providers import BALLOT_DEPENDENCY
from coopvote.web.templating import page


def paper_from_form(
    ballot: Ballot, options: list[BallotOption], form: dict[str, Any]
) -> dict[str, Any]:
    """The paper a ballot form describes, in the API's shape (checked by ``parse_paper``)."""
    if ballot.method is Method.RESOLUTION:
        return {"choice": text(form, "choice")}
    if ballot.method in RANKED:
        positions = {o.id: text(form, f"rank-{o.id}") for o in options if o.id is not None}
        return {"ranking": ranking_from_positions(positions)}
    picked = form.get("choices", [])
    picked = picked if isinstance(picked, list) else [picked]
    try:
        return {"choices": [int(p) for p in picked]}
    except ValueError:
        raise InvalidInput("The paper names an option that is not on this ballot.") from None


def described(ballot: Ballot, options: list[BallotOption], paper: dict[str, Any]) -> list[str]:
    """A paper in words, for the review step."""
    labels = {o.id: o.label for o in options}
    if ballot.method is Method.RESOLUTION:
        return [{"for": "For", "against": "Against", "abstain": "Abstain"}[paper["choice"]]]
    if ballot.method in RANKED:
        return [f"{n}. {labels[i]}" for n, i in enumerate(paper["ranking"], start=1)]
    return [labels[i] for i in paper["choices"]]


class VotingPages(Controller):
    path = "/ballots"
    opt = requires(Role.MEMBER)
    include_in_schema = False
    dependencies = BALLOT_DEPENDENCY

    @get("/", sync_to_thread=True)
    def mine(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal, now: Now
    ) -> Template:
        return page(
            request,
            "ballots/mine.html",
            ballots=ballots.my_open_ballots(db, member_id=principal.member_id, now=now),
        )

    def _paper_page(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: Principal,
        ballot: Ballot,
        **context: Any,
    ) -> Template:
        entry = ballots.roll_entry(db, ballot, principal.member_id)
        options = ballots.options(db, ballot)
        return page(
            request,
            "ballots/paper.html",
            ballot=ballot,
            options=options,
            on_roll=entry is not None,
            has_voted=bool(entry and entry.has_voted),
            can_vote=ballot.status is BallotStatus.OPEN
            and entry is not None
            and not entry.has_voted,
            ranks=range(1, len(options) + 1),
            allowed=choices_allowed(ballot, len(options)),
            **context,
        )

    @get("/{ballot_id:str}", sync_to_thread=True)
    def paper(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        ballot: NamedDependency[Ballot],
    ) -> Template:
        return self._paper_page(request, db, principal, ballot)

    @post("/{ballot_id:str}/review", sync_to_thread=True)
    def review(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        ballot: NamedDependency[Ballot],
        data: FormData,
    ) -> Template:
        options = ballots.options(db, ballot)
        try:
            paper = parse_paper(
                ballot,
                [o.id for o in options if o.id is not None],
                paper_from_form(ballot, options, data),
            )
        except InvalidInput as problem:
            return self._paper_page(
                request,
                db,
                principal,
                ballot,
                status_code=422,
                errors={"paper": problem.detail},
                form=data,
            )
        return page(
            request,
            "ballots/review.html",
            ballot=ballot,
            choices=described(ballot, options, paper),
            paper=json.dumps(paper),
            form=data,
        )

    @post("/{ballot_id:str}/change", sync_to_thread=True)
    def change(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        ballot: NamedDependency[Ballot],
        data: FormData,
    ) -> Template:
        """Back from the review step with the choices as they were (by POST, so that no
        choice ever appears in a URL or a server log)."""
        return self._paper_page(request, db, principal, ballot, form=data)

    @post("/{ballot_id:str}/vote", sync_to_thread=True)
    def vote(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        ballot: NamedDependency[Ballot],
        data: FormData,
    ) -> Template:
        try:
            paper = json.loads(text(data, "paper"))
        except ValueError:
            raise InvalidInput(
                "The paper could not be read; please fill in the ballot again."
            ) from None
        if not isinstance(paper, dict):
            raise InvalidInput("The paper could not be read; please fill in the ballot again.")
        receipt = ballots.cast_vote(db, ballot, member_id=principal.member_id, paper=paper, now=now)
        return page(
            request, "ballots/receipt.html", ballot=ballot, receipt=receipt, status_code=201
        )
