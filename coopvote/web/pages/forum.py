"""The forum's pages for members: proposals, support and discussion. What governors do in
the forum (moderation, promotion to a ballot) is in ``forum_governance``.

Each handler parses what it is sent, calls one forum command or read model, and chooses a
template or a redirect. What a page offers comes from the read models' permissions, which
ask the forum's rules; templates receive those booleans, never roles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from coopvote.errors import DomainError
from coopvote.forum import page_views, views
from coopvote.forum import service as forum
from coopvote.forum.models import Proposal, ProposalStatus
from coopvote.forum.views import ProposalQuery
from coopvote.members.models import Role
from coopvote.web.access import SIGNED_IN, requires
from coopvote.web.deps import Db, Now, attempt
from coopvote.web.forms import MAX_WHOLE_NUMBER, FormData, text
from coopvote.web.forum_forms import ProposalForm
from coopvote.web.labels import PROPOSAL_STATUS_NAMES
from coopvote.web.providers import PROPOSAL_DEPENDENCY, CurrentViewer
from coopvote.web.templating import page, redirect, reshow


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
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=MAX_WHOLE_NUMBER)] = 1,
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
            index=page_views.index(db, query, viewer, now),
            statuses=PROPOSAL_STATUS_NAMES,
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
            proposal_form=page_views.new_proposal(db, viewer, now),
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
                proposal_form=page_views.proposal_form(db, None, now),
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
        shown = page_views.editing(db, proposal, viewer, now)
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
                proposal_form=page_views.proposal_form(db, proposal, now),
            )
        return redirect(request, at(proposal_id), "Changes saved.")

    # Lists

    @get("/mine", sync_to_thread=True)
    def mine(
        self, request: Request[Any, Any, Any], db: Db, viewer: CurrentViewer, now: Now
    ) -> Template:
        return page(
            request,
            "forum/mine.html",
            mine=page_views.my_forum(db, viewer, now),
            statuses=PROPOSAL_STATUS_NAMES,
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
            shown=page_views.proposal_page(db, proposal, viewer, now),
            statuses=PROPOSAL_STATUS_NAMES,
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
                shown=page_views.proposal_page(db, proposal, viewer, now),
                statuses=PROPOSAL_STATUS_NAMES,
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
