"""Members' ballot pages: my ballots, the ballot paper, the review step and the receipt."""

from __future__ import annotations

import json
from typing import Any

from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie, State
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coopvote.ballots import service as ballots
from coopvote.ballots import trustees, views
from coopvote.ballots.models import Ballot
from coopvote.errors import InvalidInput, NotFound
from coopvote.members.models import MemberStatus, Role
from coopvote.web import paper_draft, receipt_cookie
from coopvote.web.access import KEEP_ON_SIGN_IN, SIGNED_IN, requires
from coopvote.web.ballot_forms import PaperForm, reviewed_paper
from coopvote.web.deps import CurrentPrincipal, CurrentSettings, Db, Now, Votes
from coopvote.web.errors import VOTE_NOT_RECORDED, WHEN_UNAVAILABLE
from coopvote.web.forms import FormData, text
from coopvote.web.templating import page, redirect, reshow

PAPER = "ballots/paper.html"
REVIEW = "ballots/review.html"
TRUSTEE_KEY = "ballots/trustee_key.html"
OPEN_BOX = "ballots/open_box.html"


def no_store(response: Template) -> Template:
    """Answer a request that carried a secret key so that no cache keeps the page."""
    response.headers["cache-control"] = "no-store"  # as templating.page names it: one header
    return response


def paper_context(
    db: Db, principal: CurrentPrincipal, settings: CurrentSettings, ballot: Ballot, now: Now
) -> dict[str, Any]:
    """What the paper page shows this member: the template only lays it out. ``voter`` tags
    the form as theirs, for a draft kept after their session ended (``paper_draft``)."""
    view = views.paper(db, ballot, principal.member_id, now)
    # Said before the paper, not after it is cast: cast_vote refuses a member not active.
    suspended = principal.status is not MemberStatus.ACTIVE
    return {
        **vars(view),
        "can_vote": view.can_vote and not suspended,
        "suspended": suspended,
        "ranks": range(1, len(view.options) + 1),
        "voter": paper_draft.voter_tag(settings, principal.member_id),
    }


async def keep_paper_for_sign_in(request: Request[Any, Any, Any]) -> Cookie | None:
    """A paper sent after the member's session ended, kept for when they sign in again (the
    paper then shows it filled in; nothing is cast without a fresh review)."""
    form = {
        name: values if len(values) > 1 else values[0]
        for name, values in (await request.form()).dict().items()
    }
    voter = text(form, "voter")
    if not voter:
        return None
    return paper_draft.keeping(
        request.app.state.settings,
        voter=voter,
        ballot_id=str(request.path_params.get("ballot_id", "")),
        form=form,
    )


class VotingPages(Controller):
    path = "/ballots"
    opt = requires(Role.MEMBER)
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def mine(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal, now: Now
    ) -> Template:
        """The open ballots on whose roll the member is; to a suspended member, also why
        they may vote in none of them now."""
        return page(
            request,
            "ballots/mine.html",
            ballots=views.my_open_ballots(db, member_id=principal.member_id, now=now),
            suspended=principal.status is MemberStatus.SUSPENDED,
        )

    @get("/{ballot_id:str}", sync_to_thread=True)
    def paper(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        settings: CurrentSettings,
        now: Now,
        ballot_id: FromPath[str],
    ) -> Template:
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        draft = paper_draft.read(request, settings, principal.member_id, ballot.public_id)
        return page(
            request,
            PAPER,
            form=draft or {},
            **paper_context(db, principal, settings, ballot, now),
        )

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

    @post(
        "/{ballot_id:str}/review",
        sync_to_thread=True,
        opt={KEEP_ON_SIGN_IN: keep_paper_for_sign_in},
    )
    def check(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        settings: CurrentSettings,
        now: Now,
        ballot_id: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        """The paper as filled in: re-shown with its problem, or kept (``paper_draft``) and
        shown on the review page by a redirect, so that refreshing or going Back to the review
        step never re-posts anything."""
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        try:
            PaperForm(ballot, views.options(db, ballot)).paper(data)
        except InvalidInput as problem:
            return reshow(
                request, PAPER, problem, data, **paper_context(db, principal, settings, ballot, now)
            )
        shown = redirect(request, f"/ballots/{ballot.public_id}/review")
        shown.cookies.append(
            paper_draft.keeping(
                settings,
                voter=paper_draft.voter_tag(settings, principal.member_id),
                ballot_id=ballot.public_id,
                form=data,
            )
        )
        return shown

    @get("/{ballot_id:str}/review", sync_to_thread=True)
    def review(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        settings: CurrentSettings,
        now: Now,
        ballot_id: FromPath[str],
    ) -> Template | Redirect:
        """The review step: the choices kept in words and the Cast button; once the member has
        voted (Back from the receipt), that they have voted instead; with nothing kept, the
        paper."""
        ballot = views.visible_ballot(db, ballot_id, principal.roles, now)
        view = views.paper(db, ballot, principal.member_id, now)
        if view.has_voted:
            kept = receipt_cookie.read(request, settings, principal.member_id)
            return page(request, REVIEW, ballot=ballot, voted=True, receipt=kept.get(ballot_id))
        draft = paper_draft.read(request, settings, principal.member_id, ballot.public_id)
        if draft is None or not view.can_vote or principal.status is not MemberStatus.ACTIVE:
            return redirect(request, f"/ballots/{ballot.public_id}")  # which says why
        form = PaperForm(ballot, view.options)
        try:
            paper = form.paper(draft)
        except InvalidInput as problem:
            return reshow(
                request,
                PAPER,
                problem,
                draft,
                **paper_context(db, principal, settings, ballot, now),
            )
        return page(
            request, REVIEW, ballot=ballot, choices=form.described(paper), paper=json.dumps(paper)
        )

    @post("/{ballot_id:str}/vote", opt={WHEN_UNAVAILABLE: VOTE_NOT_RECORDED})
    async def vote(
        self,
        request: Request[Any, Any, Any],
        state: State,
        votes: Votes,
        principal: CurrentPrincipal,
        settings: CurrentSettings,
        ballot_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        """Cast the reviewed paper (through the worker's vote writer, ``ballots.casting``), then
        show the receipt by a redirect: refreshing the receipt page re-posts nothing, and the
        receipt stays in this browser session's cookie."""
        cast = await votes.cast(
            state.database,
            ballot_id,
            member_id=principal.member_id,
            roles=principal.roles,
            paper=reviewed_paper(data),
        )
        shown = redirect(request, f"/ballots/{cast.ballot.public_id}/receipt")
        shown.cookies += [
            receipt_cookie.keeping(
                request, settings, principal.member_id, cast.ballot.public_id, cast.tracker
            ),
            paper_draft.forgotten(settings),
        ]
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
