"""``/api/v1/proposals``: the members' forum. Support is not a vote, and nothing here is one.

Each handler parses, calls one forum command or read model, and shapes the answer; what a
caller may see (a hidden proposal, a hiding reason) is the forum's rules' decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from coopvote.ballots.models import Threshold
from coopvote.errors import InvalidInput
from coopvote.forum import service as forum
from coopvote.forum import views
from coopvote.forum.models import Comment, Proposal, ProposalStatus
from coopvote.forum.views import CommentView, ProposalQuery, ProposalView, Viewer
from coopvote.members.models import Role
from coopvote.web.access import SIGNED_IN, requires
from coopvote.web.deps import CurrentPrincipal, Db, Now
from coopvote.web.forms import MAX_WHOLE_NUMBER
from coopvote.web.providers import PROPOSAL_DEPENDENCY, CurrentViewer
from coopvote.web.shapes import BallotOut, ReasonIn, present_ballot


@dataclass
class ProposalIn:
    title: str
    body: str
    #: An organisation's slug; absent or null for the whole trust.
    organisation: str | None = None

    def text(self) -> forum.ProposalText:
        return forum.ProposalText(self.title, self.body, self.organisation)


@dataclass
class CommentIn:
    body: str


@dataclass
class ScheduleIn:
    closes_at: datetime
    opens_at: datetime | None = None
    threshold: Threshold = Threshold.SIMPLE

    def schedule(self) -> forum.BallotSchedule:
        naive = {
            name: "Give the time with an offset, e.g. 2026-12-01T09:00:00+00:00."
            for name, moment in (("opens_at", self.opens_at), ("closes_at", self.closes_at))
            if moment is not None and moment.tzinfo is None
        }
        if naive:
            raise InvalidInput(
                "Give times with an offset, e.g. 2026-12-01T09:00:00+00:00.", field_errors=naive
            )
        return forum.BallotSchedule(self.closes_at, self.opens_at, self.threshold)


@dataclass
class AuthorOut:
    id: str
    name: str


@dataclass
class ProposalOut:
    id: str
    title: str
    body: str
    #: The organisation's slug, or null for the whole trust.
    organisation: str | None
    author: AuthorOut
    status: str
    supporters: int
    support_needed: int
    created_at: datetime
    edited_at: datetime | None
    #: The linked ballot's id once balloted, and its outcome once its result is published.
    ballot: str | None
    outcome: str | None
    #: Whether the caller supports it.
    supported: bool
    #: Shown to the author and governors only.
    hidden_reason: str | None


@dataclass
class CommentOut:
    id: int
    body: str
    author: AuthorOut
    created_at: datetime
    edited_at: datetime | None
    hidden: bool
    hidden_reason: str | None


def proposal_out(view: ProposalView) -> ProposalOut:
    """``view`` is described for the caller: it says whether they support the proposal and,
    only to those the rules let know, why it was hidden."""
    p = view.proposal
    return ProposalOut(
        id=p.public_id,
        title=p.title,
        body=p.body,
        organisation=view.organisation.slug if view.organisation else None,
        author=AuthorOut(view.author.public_id, view.author.name),
        status=view.status.value,
        supporters=view.supporters,
        support_needed=view.support_needed,
        created_at=p.created_at,
        edited_at=p.edited_at,
        ballot=view.ballot.public_id if view.ballot else None,
        outcome=view.outcome.value if view.outcome else None,
        supported=view.supported,
        hidden_reason=view.hiding_reason,
    )


def comment_out(view: CommentView) -> CommentOut:
    c = view.comment
    return CommentOut(
        id=c.id or 0,
        body=c.body,
        author=AuthorOut(view.author.public_id, view.author.name),
        created_at=c.created_at,
        edited_at=c.edited_at,
        hidden=c.hidden_at is not None,
        hidden_reason=view.hiding_reason,
    )


def _answer(db: Db, proposal: Proposal, viewer: Viewer, now: datetime) -> ProposalOut:
    return proposal_out(views.describe(db, proposal, now, viewer))


def _comment(db: Db, comment: Comment, viewer: Viewer) -> CommentOut:
    return comment_out(views.comment_view(db, comment, viewer))


class ProposalsController(Controller):
    dependencies = PROPOSAL_DEPENDENCY
    path = "/api/v1/proposals"
    tags = ["forum"]
    opt = requires(Role.MEMBER)

    @get("/", opt=SIGNED_IN, sync_to_thread=True)
    def list_proposals(
        self,
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        status: FromQuery[ProposalStatus | None] = None,
        scope_filter: Annotated[str, QueryParameter(name="scope")] = "",
        q: FromQuery[str] = "",
        page: Annotated[int, QueryParameter(ge=1, le=MAX_WHOLE_NUMBER)] = 1,
    ) -> list[ProposalOut]:
        """Newest first, 20 a page. ``scope`` is an organisation's slug or ``whole-trust``."""
        query = ProposalQuery(search=q, status=status, scope=scope_filter, page=page)
        return [proposal_out(view) for view in views.browse(db, query, viewer, now).items]

    @get("/{proposal_id:str}", opt=SIGNED_IN, sync_to_thread=True)
    def proposal(
        self, db: Db, viewer: CurrentViewer, now: Now, proposal: NamedDependency[Proposal]
    ) -> ProposalOut:
        return _answer(db, proposal, viewer, now)

    @post("/", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def create(
        self,
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        data: JSONBody[ProposalIn],
    ) -> ProposalOut:
        proposal = forum.create_proposal(db, data.text(), author_id=viewer.member_id, now=now)
        return _answer(db, proposal, viewer, now)

    @put("/{proposal_id:str}", sync_to_thread=True)
    def edit(
        self,
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        data: JSONBody[ProposalIn],
    ) -> ProposalOut:
        forum.edit_proposal(db, proposal, data.text(), actor_id=viewer.member_id, now=now)
        return _answer(db, proposal, viewer, now)

    @post("/{proposal_id:str}/withdraw", status_code=HTTP_200_OK, sync_to_thread=True)
    def withdraw(
        self,
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
    ) -> ProposalOut:
        forum.withdraw_proposal(db, proposal, actor_id=viewer.member_id, now=now)
        return _answer(db, proposal, viewer, now)

    @post("/{proposal_id:str}/support", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def support(
        self,
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
    ) -> ProposalOut:
        forum.support(db, proposal, member_id=viewer.member_id, now=now)
        return _answer(db, proposal, viewer, now)

    @delete("/{proposal_id:str}/support", status_code=HTTP_200_OK, sync_to_thread=True)
    def withdraw_support(
        self,
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
    ) -> ProposalOut:
        forum.withdraw_support(db, proposal, member_id=viewer.member_id, now=now)
        return _answer(db, proposal, viewer, now)

    @get("/{proposal_id:str}/comments", opt=SIGNED_IN, sync_to_thread=True)
    def comments(
        self, db: Db, viewer: CurrentViewer, proposal: NamedDependency[Proposal]
    ) -> list[CommentOut]:
        return [comment_out(c) for c in views.comments(db, proposal, viewer)]

    @post("/{proposal_id:str}/comments", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def comment(
        self,
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        data: JSONBody[CommentIn],
    ) -> CommentOut:
        added = forum.add_comment(db, proposal, data.body, author_id=viewer.member_id, now=now)
        return _comment(db, added, viewer)

    @put("/{proposal_id:str}/comments/{comment_id:str}", sync_to_thread=True)
    def edit_comment(
        self,
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        comment_id: FromPath[str],
        data: JSONBody[CommentIn],
    ) -> CommentOut:
        comment = views.get_comment(db, proposal, comment_id, viewer)
        forum.edit_comment(db, proposal, comment, data.body, actor_id=viewer.member_id, now=now)
        return _comment(db, comment, viewer)

    @post(
        "/{proposal_id:str}/ballot",
        opt=requires(Role.GOVERNOR),
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
    )
    def promote(
        self,
        db: Db,
        principal: CurrentPrincipal,
        now: Now,
        proposal: NamedDependency[Proposal],
        data: JSONBody[ScheduleIn],
    ) -> BallotOut:
        """Create the linked draft resolution ballot; 409 until support reaches the threshold."""
        ballot = forum.promote_to_ballot(
            db, proposal, data.schedule(), actor_id=principal.member_id, now=now
        )
        return present_ballot(db, ballot, principal, now)

    @post(
        "/{proposal_id:str}/hide",
        opt=requires(Role.GOVERNOR),
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def hide(
        self,
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        data: JSONBody[ReasonIn],
    ) -> ProposalOut:
        forum.hide_proposal(db, proposal, reason=data.reason, actor_id=viewer.member_id, now=now)
        return _answer(db, proposal, viewer, now)

    @post(
        "/{proposal_id:str}/comments/{comment_id:str}/hide",
        opt=requires(Role.GOVERNOR),
        status_code=HTTP_200_OK,
        sync_to_thread=True,
    )
    def hide_comment(
        self,
        db: Db,
        viewer: CurrentViewer,
        now: Now,
        proposal: NamedDependency[Proposal],
        comment_id: FromPath[str],
        data: JSONBody[ReasonIn],
    ) -> CommentOut:
        comment = views.get_comment(db, proposal, comment_id, viewer)
        forum.hide_comment(
            db, proposal, comment, reason=data.reason, actor_id=viewer.member_id, now=now
        )
        return _comment(db, comment, viewer)
