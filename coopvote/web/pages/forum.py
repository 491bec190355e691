"""The forum's pages: proposals, support, discussion, moderation and promotion to a ballot.

Each handler parses what it is sent, calls one forum command or read model, and chooses a
template or a redirect. What a page offers comes from the read models' permissions, which
ask the forum's rules; templates receive those booleans, never roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
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
from coopvote.forum import views
from coopvote.forum.models import Proposal, ProposalStatus
from coopvote.forum.service import BallotSchedule, ProposalText
from coopvote.forum.views import ProposalQuery
from coopvote.members.models import Role
from coopvote.web.access import SIGNED_IN, requires
from coopvote.web.deps import CurrentSettings, Db, Now, attempt
from coopvote.web.forms import FormData, local_time, text
from coopvote.web.labels import THRESHOLD_NAMES
from coopvote.web.providers import PROPOSAL_DEPENDENCY, CurrentViewer
from coopvote.web.templating import page, redirect, reshow

STATUS_NAMES = {
    ProposalStatus.OPEN: "Open",
    ProposalStatus.READY_FOR_BALLOT: "Ready for ballot",
    ProposalStatus.BALLOTED: "Balloted",
    ProposalStatus.CARRIED: "Carried",
    ProposalStatus.NOT_CARRIED: "Not carried",
    ProposalStatus.WITHDRAWN: "Withdrawn",
    ProposalStatus.HIDDEN: "Hidden",
}


@dataclass(frozen=True)
class ProposalForm:
    """The proposal form's fields, as typed. Each is text, so reading them cannot fail; the
    forum's service then reports every field's problem at once (title, body, scope)."""

    title: str = ""
    body: str = ""
    #: An organisation's slug, or ``""`` for the whole trust.
    organisation: str = ""

    @classmethod
    def read(cls, data: dict[str, Any]) -> ProposalForm:
        return cls(text(data, "title"), text(data, "body"), text(data, "organisation").strip())

    @classmethod
    def of(cls, shown: views.ProposalFormPage) -> ProposalForm:
        """Filled in with the proposal being edited as it stands; empty for a new one."""
        if shown.editing is None:
            return cls()
        p, scope = shown.editing.proposal, shown.editing.organisation
        return cls(p.title, p.body, scope.slug if scope else "")

    def text(self) -> ProposalText:
        return ProposalText(self.title, self.body, self.organisation or None)

    def fields(self) -> dict[str, str]:
        return {"title": self.title, "body": self.body, "organisation": self.organisation}


@dataclass(frozen=True)
class PromotionForm:
    """The form that puts a proposal to a ballot: its threshold, and when it opens (empty: by
    hand) and closes, in the co-operative's time zone."""

    threshold: str = Threshold.SIMPLE.value
    opens_at: str = ""
    closes_at: str = ""

    @classmethod
    def read(cls, data: dict[str, Any]) -> PromotionForm:
        threshold = text(data, "threshold") or cls.threshold  # a select always sends one
        return cls(threshold, text(data, "opens_at"), text(data, "closes_at"))

    def schedule(self, zone: ZoneInfo) -> BallotSchedule:
        """The schedule, once every field reads; otherwise every field's problem at once."""
        problems: dict[str, str] = {}
        threshold = Threshold.SIMPLE
        if self.threshold not in set(Threshold):
            problems["threshold"] = "Choose a threshold."
        else:
            threshold = Threshold(self.threshold)
        times: dict[str, datetime | None] = {}
        for name in ("opens_at", "closes_at"):
            try:
                times[name] = local_time(self.fields(), name, zone)
            except InvalidInput as problem:
                problems.update(problem.field_errors)
        if "closes_at" in times and times["closes_at"] is None:
            problems["closes_at"] = "Say when voting closes."
        if problems:
            raise InvalidInput("Please correct the marked fields.", field_errors=problems)
        return BallotSchedule(times["closes_at"], times["opens_at"], threshold)

    def fields(self) -> dict[str, str]:
        return {"threshold": self.threshold, "opens_at": self.opens_at, "closes_at": self.closes_at}


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
        viewer: CurrentViewer,
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
            index=views.index(db, query, viewer, now),
            statuses=STATUS_NAMES,
            whole_trust=views.WHOLE_TRUST,
        )

    # The proposal form

    @get("/new", sync_to_thread=True)
    def new(
        self, request: Request[Any, Any, Any], db: Db, viewer: CurrentViewer, now: Now
    ) -> Template:
        return page(
            request,
            "forum/form.html",
            action="/forum/new",
            proposal_form=views.new_proposal(db, viewer, now),
        )

    @post("/new", sync_to_thread=True)
    def create(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        data: FormData,
    ) -> Template | Redirect:
        form = ProposalForm.read(data)
        try:
            proposal = forum.create_proposal(db, form.text(), author_id=viewer.member_id, now=now)
        except DomainError as problem:
            return reshow(
                request,
                "forum/form.html",
                problem,
                form.fields(),
                action="/forum/new",
                proposal_form=views.proposal_form(db, None, now),
            )
        return redirect(request, at(proposal.public_id), "Your proposal is published.")

    @get("/{proposal_id:str}/edit", sync_to_thread=True)
    def edit(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
    ) -> Template:
        shown = views.editing(db, proposal, viewer, now)
        return page(
            request,
            "forum/form.html",
            action=f"{at(proposal_id)}/edit",
            proposal_form=shown,
            form=ProposalForm.of(shown).fields(),
        )

    @post("/{proposal_id:str}/edit", sync_to_thread=True)
    def update(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        form = ProposalForm.read(data)
        try:
            forum.edit_proposal(db, proposal, form.text(), actor_id=viewer.member_id, now=now)
        except DomainError as problem:
            return reshow(
                request,
                "forum/form.html",
                problem,
                form.fields(),
                action=f"{at(proposal_id)}/edit",
                proposal_form=views.proposal_form(db, proposal, now),
            )
        return redirect(request, at(proposal_id), "Changes saved.")

    # Lists

    @get("/mine", sync_to_thread=True)
    def mine(
        self, request: Request[Any, Any, Any], db: Db, viewer: CurrentViewer, now: Now
    ) -> Template:
        return page(
            request, "forum/mine.html", mine=views.my_forum(db, viewer, now), statuses=STATUS_NAMES
        )

    @get("/ready", opt=requires(Role.GOVERNOR), sync_to_thread=True)
    def ready(self, request: Request[Any, Any, Any], db: Db, now: Now) -> Template:
        return page(
            request,
            "forum/ready.html",
            ready=views.ready_for_ballot(db, now),
            statuses=STATUS_NAMES,
        )

    # A proposal and its discussion

    @get("/{proposal_id:str}", opt=SIGNED_IN, sync_to_thread=True)
    def show(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
    ) -> Template:
        return page(
            request,
            "forum/show.html",
            shown=views.proposal_page(db, proposal, viewer, now),
            statuses=STATUS_NAMES,
        )

    @post("/{proposal_id:str}/comments", sync_to_thread=True)
    def comment(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        """A refused comment is shown again under the discussion, as it was typed."""
        body = text(data, "body")
        if problem := attempt(
            db,
            lambda: forum.add_comment(db, proposal, body, author_id=viewer.member_id, now=now),
        ):
            return reshow(
                request,
                "forum/show.html",
                problem,
                {"body": body},
                shown=views.proposal_page(db, proposal, viewer, now),
                statuses=STATUS_NAMES,
            )
        return redirect(request, f"{at(proposal_id)}#comments", "Comment posted.")

    @post("/{proposal_id:str}/comments/{comment_id:str}/edit", sync_to_thread=True)
    def edit_comment(
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
        body = text(data, "body")
        if problem := attempt(
            db,
            lambda: forum.edit_comment(
                db, proposal, comment, body, actor_id=viewer.member_id, now=now
            ),
        ):
            return redirect(request, at(proposal_id), problem.detail, "error")
        return redirect(request, f"{at(proposal_id)}#comment-{comment_id}", "Comment updated.")

    # Moderation

    @post(
        "/{proposal_id:str}/comments/{comment_id:str}/hide",
        opt=requires(Role.GOVERNOR),
        sync_to_thread=True,
    )
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
            return redirect(request, at(proposal_id), problem.detail, "error")
        return redirect(request, at(proposal_id), "The comment is hidden.")

    @post("/{proposal_id:str}/hide", opt=requires(Role.GOVERNOR), sync_to_thread=True)
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
            return redirect(request, at(proposal_id), problem.detail, "error")
        return redirect(request, at(proposal_id), "The proposal is hidden.")

    # Promotion to a ballot

    @get("/{proposal_id:str}/ballot", opt=requires(Role.GOVERNOR), sync_to_thread=True)
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
            view=views.promotion(db, proposal, viewer, now),
            thresholds=THRESHOLD_NAMES,
            statuses=STATUS_NAMES,
            form=PromotionForm().fields(),
        )

    @post("/{proposal_id:str}/ballot", opt=requires(Role.GOVERNOR), sync_to_thread=True)
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
                statuses=STATUS_NAMES,
            )
        return redirect(
            request,
            f"/governance/ballots/{ballot.public_id}",
            "A draft resolution ballot now carries the proposal: check it, then open it.",
        )

    # The author's withdrawal and members' support

    @post("/{proposal_id:str}/{action:str}", sync_to_thread=True)
    def act(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        proposal_id: FromPath[str],
        action: FromPath[str],
    ) -> Redirect:
        """The author's withdrawal and members' support, by their name in the URL."""
        me = viewer.member_id
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
