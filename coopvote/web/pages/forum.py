"""The forum's pages: proposals, support, discussion, moderation and promotion to a ballot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from coopvote.ballots.models import Threshold
from coopvote.errors import DomainError, InvalidInput
from coopvote.forum import service as forum
from coopvote.forum.models import Proposal, ProposalStatus
from coopvote.forum.rules import COMMENT_EDIT_WINDOW
from coopvote.forum.service import ProposalQuery, ProposalText
from coopvote.members import views as members
from coopvote.members.models import Role
from coopvote.web.access import SIGNED_IN, requires
from coopvote.web.deps import CurrentPrincipal, CurrentSettings, Db, Now, attempt
from coopvote.web.forms import FormData, local_time, text
from coopvote.web.labels import THRESHOLD_NAMES
from coopvote.web.providers import PROPOSAL_DEPENDENCY, viewer
from coopvote.web.templating import page, redirect

STATUS_NAMES = {
    ProposalStatus.OPEN: "Open",
    ProposalStatus.READY_FOR_BALLOT: "Ready for ballot",
    ProposalStatus.BALLOTED: "Balloted",
    ProposalStatus.CARRIED: "Carried",
    ProposalStatus.NOT_CARRIED: "Not carried",
    ProposalStatus.WITHDRAWN: "Withdrawn",
    ProposalStatus.HIDDEN: "Hidden",
}


def text_from_form(form: dict[str, Any]) -> ProposalText:
    return ProposalText(text(form, "title"), text(form, "body"), text(form, "organisation") or None)


def form_of(proposal: Proposal, organisation: str | None) -> dict[str, str]:
    return {"title": proposal.title, "body": proposal.body, "organisation": organisation or ""}


def at(proposal_id: str) -> str:
    return f"/forum/{proposal_id}"


class ForumPages(Controller):
    dependencies = PROPOSAL_DEPENDENCY
    path = "/forum"
    opt = requires(Role.MEMBER)
    include_in_schema = False

    @get("/", opt=SIGNED_IN, sync_to_thread=True)
    def index(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        scope_filter: Annotated[str, QueryParameter(name="scope")] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        query = ProposalQuery(
            search=q,
            status=ProposalStatus(status) if status in set(ProposalStatus) else None,
            scope=scope_filter,
            page=page_number,
        )
        return page(
            request,
            "forum/index.html",
            results=forum.browse(db, query, viewer(principal), now),
            query=query,
            statuses=STATUS_NAMES,
            organisations=members.organisations(db),
            whole_trust=forum.WHOLE_TRUST,
        )

    def _form(self, request: Request[Any, Any, Any], db: Db, **context: Any) -> Template:
        return page(request, "forum/form.html", organisations=members.organisations(db), **context)

    @get("/new", sync_to_thread=True)
    def new(self, request: Request[Any, Any, Any], db: Db) -> Template:
        return self._form(request, db, action="/forum/new")

    @post("/new", sync_to_thread=True)
    def create(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        data: FormData,
    ) -> Template | Redirect:
        try:
            proposal = forum.create_proposal(
                db, text_from_form(data), author_id=principal.member_id, now=now
            )
        except InvalidInput as problem:
            return self._form(
                request,
                db,
                action="/forum/new",
                status_code=422,
                errors=problem.field_errors or {"form": problem.detail},
                form=data,
            )
        return redirect(request, at(proposal.public_id), "Your proposal is published.")

    @get("/mine", sync_to_thread=True)
    def mine(
        self, request: Request[Any, Any, Any], db: Db, principal: CurrentPrincipal, now: Now
    ) -> Template:
        return page(
            request,
            "forum/mine.html",
            proposed=forum.proposed_by(db, principal.member_id, now),
            supported=forum.supported_by(db, principal.member_id, now),
            statuses=STATUS_NAMES,
        )

    @get("/ready", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def ready(self, request: Request[Any, Any, Any], db: Db, now: Now) -> Template:
        return page(
            request,
            "forum/ready.html",
            ready=forum.ready_for_ballot(db, now),
            statuses=STATUS_NAMES,
        )

    @get("/{proposal_id:str}", opt=SIGNED_IN, sync_to_thread=True)
    def show(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        proposal: NamedDependency[Proposal],
    ) -> Template:
        view = forum.describe(db, proposal, now)
        shown = forum.comments(db, proposal, viewer(principal))
        return page(
            request,
            "forum/show.html",
            view=view,
            comments=shown,
            can=forum.permissions(db, view, viewer(principal), shown, now),
            statuses=STATUS_NAMES,
            edit_minutes=COMMENT_EDIT_WINDOW.seconds // 60,
        )

    @get("/{proposal_id:str}/edit", sync_to_thread=True)
    def edit(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
    ) -> Template:
        view = forum.describe(db, proposal, now)
        return self._form(
            request,
            db,
            action=f"/forum/{proposal_id}/edit",
            proposal=proposal,
            form=form_of(proposal, view.organisation.slug if view.organisation else None),
        )

    @post("/{proposal_id:str}/edit", sync_to_thread=True)
    def update(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        try:
            forum.edit_proposal(
                db, proposal, text_from_form(data), actor_id=principal.member_id, now=now
            )
        except InvalidInput as problem:
            return self._form(
                request,
                db,
                action=f"/forum/{proposal_id}/edit",
                proposal=proposal,
                status_code=422,
                errors=problem.field_errors or {"form": problem.detail},
                form=data,
            )
        return redirect(request, at(proposal_id), "Changes saved.")

    @post("/{proposal_id:str}/comments", sync_to_thread=True)
    def comment(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        body = text(data, "body")
        if problem := attempt(
            db,
            lambda: forum.add_comment(db, proposal, body, author_id=principal.member_id, now=now),
        ):
            return redirect(request, at(proposal_id), problem.detail, "error")
        return redirect(request, f"{at(proposal_id)}#comments", "Comment posted.")

    @post("/{proposal_id:str}/comments/{comment_id:str}/edit", sync_to_thread=True)
    def edit_comment(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        comment_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        comment = forum.get_comment(db, proposal, comment_id)
        body = text(data, "body")
        if problem := attempt(
            db,
            lambda: forum.edit_comment(
                db, proposal, comment, body, actor_id=principal.member_id, now=now
            ),
        ):
            return redirect(request, at(proposal_id), problem.detail, "error")
        return redirect(request, f"{at(proposal_id)}#comment-{comment_id}", "Comment updated.")

    @post(
        "/{proposal_id:str}/comments/{comment_id:str}/hide",
        opt=requires(Role.GOVERNOR),
        sync_to_thread=True,
    )
    def hide_comment(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        comment_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        comment = forum.get_comment(db, proposal, comment_id)
        reason = text(data, "reason")
        if problem := attempt(
            db,
            lambda: forum.hide_comment(
                db, proposal, comment, reason=reason, actor_id=principal.member_id, now=now
            ),
        ):
            return redirect(request, at(proposal_id), problem.detail, "error")
        return redirect(request, at(proposal_id), "The comment is hidden.")

    @post("/{proposal_id:str}/hide", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def hide(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        reason = text(data, "reason")
        if problem := attempt(
            db,
            lambda: forum.hide_proposal(
                db, proposal, reason=reason, actor_id=principal.member_id, now=now
            ),
        ):
            return redirect(request, at(proposal_id), problem.detail, "error")
        return redirect(request, at(proposal_id), "The proposal is hidden.")

    def _promotion_form(
        self, request: Request[Any, Any, Any], view: forum.ProposalView, **context: Any
    ) -> Template:
        return page(
            request,
            "forum/promote.html",
            view=view,
            thresholds=THRESHOLD_NAMES,
            statuses=STATUS_NAMES,
            **context,
        )

    @get("/{proposal_id:str}/ballot", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def promotion(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        proposal: NamedDependency[Proposal],
    ) -> Template:
        return self._promotion_form(
            request, forum.describe(db, proposal, now), form={"threshold": Threshold.SIMPLE.value}
        )

    @post("/{proposal_id:str}/ballot", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def promote(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        settings: CurrentSettings,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        zone = ZoneInfo(settings.timezone)
        try:
            threshold = Threshold(text(data, "threshold"))
        except ValueError:
            threshold = Threshold.SIMPLE
        try:
            schedule = forum.BallotSchedule(
                closes_at=local_time(data, "closes_at", zone),
                opens_at=local_time(data, "opens_at", zone),
                threshold=threshold,
            )
            ballot = forum.promote_to_ballot(
                db, proposal, schedule, actor_id=principal.member_id, now=now
            )
        except InvalidInput as problem:
            return self._promotion_form(
                request,
                forum.describe(db, proposal, now),
                status_code=422,
                errors=problem.field_errors or {"form": problem.detail},
                form=data,
            )
        except DomainError as problem:
            return redirect(request, at(proposal_id), problem.detail, "error")
        return redirect(
            request,
            f"/governance/ballots/{ballot.public_id}",
            "A draft resolution ballot now carries the proposal: check it, then open it.",
        )

    @post("/{proposal_id:str}/{action:str}", sync_to_thread=True)
    def act(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        action: FromPath[str],
    ) -> Redirect:
        """The author's withdrawal and members' support, by their name in the URL."""
        me = principal.member_id
        steps: dict[str, tuple[Callable[[], object], str]] = {
            "withdraw": (
                lambda: forum.withdraw_proposal(db, proposal, actor_id=me, now=now),
                "Your proposal is withdrawn.",
            ),
            "support": (
                lambda: forum.support(db, proposal, member_id=me, now=now),
                "You support this proposal.",
            ),
            "unsupport": (
                lambda: forum.withdraw_support(db, proposal, member_id=me, now=now),
                "You no longer support this proposal.",
            ),
        }
        if action not in steps:
            raise NotFoundException("No such action.")
        step, done = steps[action]
        if problem := attempt(db, step):
            return redirect(request, at(proposal_id), problem.detail, "error")
        return redirect(request, at(proposal_id), done)
