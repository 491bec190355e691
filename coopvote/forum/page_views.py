"""The forum's pages as read models: what each page shows a viewer and what it offers them.

Each page's model gathers the proposals and comments that ``views`` describes and adds the
viewer's permissions, each one a rule's verdict, so templates receive booleans, never roles.
The API has no use for these: it answers with ``views``' proposals and comments.

Nothing here writes (a test keeps it so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from coopvote.forum import rules, views
from coopvote.forum.models import Proposal
from coopvote.forum.views import CommentView, ProposalQuery, ProposalView, Viewer
from coopvote.members.models import Organisation
from coopvote.members.views import organisations
from coopvote.paging import Page


@dataclass(frozen=True)
class Permissions:
    """What the viewer may do on a proposal's page, so templates show only what will work.
    Each flag is a rule's verdict; templates receive these, never roles."""

    edit: bool
    withdraw: bool
    support: bool
    withdraw_support: bool
    comment: bool
    hide: bool
    promote: bool
    #: Whether the viewer runs the proposal's ballot (its governance page) or, failing that,
    #: may follow it to the members' ballot page.
    manage_ballot: bool
    see_ballot: bool
    #: Ids of the comments the viewer may still edit, and of those the viewer may hide.
    editable_comments: frozenset[int]
    hidable_comments: frozenset[int]


@dataclass(frozen=True)
class ForumPermissions:
    """What the forum's index offers the viewer."""

    propose: bool
    #: "My proposals and supports".
    see_own: bool
    #: The governors' list of proposals ready for a ballot.
    see_ready: bool
    #: Whether "hidden" is a status worth filtering by: governors see all that is hidden.
    filter_hidden: bool


@dataclass(frozen=True)
class ForumIndex:
    results: Page[ProposalView]
    query: ProposalQuery
    organisations: Sequence[Organisation]
    can: ForumPermissions


@dataclass(frozen=True)
class ProposalPage:
    view: ProposalView
    comments: list[CommentView]
    can: Permissions
    #: How long a comment stays editable, in minutes, for the page to say.
    comment_edit_minutes: int


@dataclass(frozen=True)
class ProposalFormPage:
    """What the proposal form needs: the scopes to choose from and, when editing, the
    proposal as it stands."""

    organisations: Sequence[Organisation]
    editing: ProposalView | None = None


@dataclass(frozen=True)
class MyForum:
    proposed: list[ProposalView]
    supported: list[ProposalView]


# The forum's front page and the viewer's own list


def index(session: Session, query: ProposalQuery, viewer: Viewer, now: datetime) -> ForumIndex:
    """The forum's front page: a page of proposals, the filters' choices, what to offer."""
    me = views.member(session, viewer.member_id)
    return ForumIndex(
        results=views.browse(session, query, viewer, now),
        query=query,
        organisations=organisations(session),
        can=ForumPermissions(
            propose=bool(rules.can_propose(me, None)),
            see_own=bool(rules.can_take_part(me)),
            see_ready=bool(rules.can_call_ballots(viewer)),
            filter_hidden=bool(rules.can_moderate(viewer)),
        ),
    )


def my_forum(session: Session, viewer: Viewer, now: datetime) -> MyForum:
    """The viewer's own proposals and supports."""
    return MyForum(
        proposed=views.proposed_by(session, viewer.member_id, viewer, now),
        supported=views.supported_by(session, viewer.member_id, viewer, now),
    )


# A proposal's page, and what it offers


def permissions(
    session: Session,
    view: ProposalView,
    viewer: Viewer,
    shown: Sequence[CommentView],
    now: datetime,
) -> Permissions:
    proposal, me = view.proposal, views.member(session, viewer.member_id)
    supported = views.has_supported(session, proposal, viewer.member_id)
    return Permissions(
        edit=bool(
            rules.can_edit(proposal, me, has_support=views.has_any_support(session, proposal))
        ),
        withdraw=bool(rules.can_withdraw(proposal, me)),
        support=bool(rules.can_support(proposal, me, view.status, has_supported=supported)),
        withdraw_support=bool(rules.can_withdraw_support(proposal, has_supported=supported)),
        comment=bool(rules.can_comment(proposal, me)),
        hide=bool(rules.can_hide(proposal, viewer)),
        promote=bool(rules.can_promote(view.status, viewer)),
        manage_ballot=view.ballot is not None and bool(rules.can_call_ballots(viewer)),
        see_ballot=view.ballot is not None and bool(rules.can_see_ballot(view.ballot, viewer, now)),
        editable_comments=frozenset(
            c.comment.id
            for c in shown
            if c.comment.id is not None and rules.can_edit_comment(c.comment, me, now)
        ),
        hidable_comments=frozenset(
            c.comment.id
            for c in shown
            if c.comment.id is not None and rules.can_hide_comment(c.comment, viewer)
        ),
    )


def proposal_page(
    session: Session, proposal: Proposal, viewer: Viewer, now: datetime
) -> ProposalPage:
    view = views.describe(session, proposal, now, viewer)
    shown = views.comments(session, proposal, viewer)
    return ProposalPage(
        view=view,
        comments=shown,
        can=permissions(session, view, viewer, shown, now),
        comment_edit_minutes=rules.COMMENT_EDIT_WINDOW.seconds // 60,
    )


# Forms


def proposal_form(session: Session, proposal: Proposal | None, now: datetime) -> ProposalFormPage:
    """The proposal form's choices and, when editing, the proposal as it stands."""
    editing = views.describe(session, proposal, now) if proposal is not None else None
    return ProposalFormPage(organisations(session), editing)


def new_proposal(session: Session, viewer: Viewer, now: datetime) -> ProposalFormPage:
    """The empty form, for a member who may propose (refused with the rule's reason)."""
    rules.can_propose(views.member(session, viewer.member_id), None).ensure()
    return proposal_form(session, None, now)


def editing(
    session: Session, proposal: Proposal, viewer: Viewer, now: datetime
) -> ProposalFormPage:
    """The form filled in with the proposal, for its author while it may still change."""
    me = views.member(session, viewer.member_id)
    rules.can_edit(proposal, me, has_support=views.has_any_support(session, proposal)).ensure()
    return proposal_form(session, proposal, now)


def promotion(session: Session, proposal: Proposal, viewer: Viewer, now: datetime) -> ProposalView:
    """The proposal that a governor is about to put to a ballot, once it may go to one."""
    view = views.describe(session, proposal, now, viewer)
    rules.can_promote(view.status, viewer).ensure()
    return view
