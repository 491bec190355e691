"""What governors do in the forum: see the proposals ready for a ballot, put one to a ballot,
and hide a proposal or a comment that breaks the co-operative's rules.

Each handler parses what it is sent, calls one forum command or read model, and chooses a
template or a redirect; the forum's rules decide whether the thing may happen.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from coopvote.errors import DomainError
from coopvote.forum import page_views, views
from coopvote.forum import service as forum
from coopvote.forum.models import Proposal
from coopvote.members.models import Role
from coopvote.web.access import requires
from coopvote.web.deps import CurrentSettings, Db, Now, attempt
from coopvote.web.forms import FormData, text
from coopvote.web.forum_forms import PromotionForm
from coopvote.web.labels import PROPOSAL_STATUS_NAMES, THRESHOLD_NAMES
from coopvote.web.providers import PROPOSAL_DEPENDENCY, CurrentViewer
from coopvote.web.templating import page, redirect, reshow


class ForumGovernancePages(Controller):
    dependencies = PROPOSAL_DEPENDENCY
    path = "/forum"
    opt = requires(Role.GOVERNOR)
    include_in_schema = False

    # Proposals ready for a ballot, and promotion to one

    @get("/ready", sync_to_thread=True)
    def ready(self, request: Request[Any, Any, Any], db: Db, now: Now) -> Template:
        return page(
            request,
            "forum/ready.html",
            ready=views.ready_for_ballot(db, now),
            statuses=PROPOSAL_STATUS_NAMES,
        )

    @get("/{proposal_id:str}/ballot", sync_to_thread=True)
    def promotion(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
    ) -> Template:
        return page(
            request,
            "forum/promote.html",
            view=page_views.promotion(db, proposal, viewer, now),
            thresholds=THRESHOLD_NAMES,
            statuses=PROPOSAL_STATUS_NAMES,
            form=PromotionForm().fields(),
        )

    @post("/{proposal_id:str}/ballot", sync_to_thread=True)
    def promote(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        settings: CurrentSettings,
        proposal: NamedDependency[Proposal],
        data: FormData,
    ) -> Template | Redirect:
        form = PromotionForm.read(data)
        try:
            ballot = forum.promote_to_ballot(
                db,
                proposal,
                form.schedule(ZoneInfo(settings.timezone)),
                actor_id=viewer.member_id,
                now=now,
            )
        except DomainError as problem:
            return reshow(
                request,
                "forum/promote.html",
                problem,
                form.fields(),
                view=views.describe(db, proposal, now, viewer),
                thresholds=THRESHOLD_NAMES,
                statuses=PROPOSAL_STATUS_NAMES,
            )
        return redirect(
            request,
            f"/governance/ballots/{ballot.public_id}",
            "A draft resolution ballot now carries the proposal: check it, then open it.",
        )

    # Moderation

    @post("/{proposal_id:str}/comments/{comment_id:str}/hide", sync_to_thread=True)
    def hide_comment(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        comment_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        comment = views.get_comment(db, proposal, comment_id, viewer)
        reason = text(data, "reason")
        if problem := attempt(
            db,
            lambda: forum.hide_comment(
                db, proposal, comment, reason=reason, actor_id=viewer.member_id, now=now
            ),
        ):
            return redirect(request, f"/forum/{proposal_id}", problem.detail, "error")
        return redirect(request, f"/forum/{proposal_id}", "The comment is hidden.")

    @post("/{proposal_id:str}/hide", sync_to_thread=True)
    def hide(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        data: FormData,
    ) -> Redirect:
        reason = text(data, "reason")
        if problem := attempt(
            db,
            lambda: forum.hide_proposal(
                db, proposal, reason=reason, actor_id=viewer.member_id, now=now
            ),
        ):
            return redirect(request, f"/forum/{proposal_id}", problem.detail, "error")
        return redirect(request, f"/forum/{proposal_id}", "The proposal is hidden.")
