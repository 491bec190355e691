"""Dependencies that take a proposal or the audit log's filters from the request, as the
caller may see them: shared by the API and the pages.

(A ballot is not provided this way: in Litestar 2.25, a dependency that raises — a 404 for
a hidden ballot — leaves the request's transaction open, since the cleanup of the
dependencies resolved before it never runs. Handlers call ``ballots.views.visible_ballot``.)"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter

from coopvote.audit.views import EventFilter
from coopvote.errors import InvalidInput
from coopvote.forum import views as forum_views
from coopvote.forum.models import Proposal
from coopvote.forum.views import Viewer
from coopvote.members.models import Role
from coopvote.security.sessions import Principal
from coopvote.web.deps import CurrentPrincipal, Db


def viewer(principal: Principal) -> Viewer:
    """Who is asking, as the forum's rules and read models need to know them."""
    return Viewer(
        principal.member_id,
        is_governor=principal.has(Role.GOVERNOR),
        is_member=principal.has(Role.MEMBER),
    )


def provide_viewer(principal: CurrentPrincipal) -> Viewer:
    return viewer(principal)


def provide_proposal(db: Db, viewer: CurrentViewer, proposal_id: FromPath[str]) -> Proposal:
    """The proposal in the path, as this caller may see it (404 when hidden from them)."""
    return forum_views.get_proposal(db, proposal_id, viewer)


#: How handlers ask for the viewer: ``viewer: CurrentViewer``.
CurrentViewer = NamedDependency[Viewer]
#: Controllers whose routes take a proposal from the path declare this; it also gives them
#: the viewer, for the forum's read models.
PROPOSAL_DEPENDENCY = {
    "viewer": Provide(provide_viewer, sync_to_thread=False),
    "proposal": Provide(provide_proposal, sync_to_thread=True),
}


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a date such as 2026-03-31.") from None


def event_filter(
    action: FromQuery[str] = "",
    actor: FromQuery[str] = "",
    subject: FromQuery[str] = "",
    since: Annotated[str, QueryParameter(name="from", description="First UTC day")] = "",
    until: Annotated[str, QueryParameter(name="to", description="Last UTC day")] = "",
) -> EventFilter:
    """The log's filters from the query string. Empty values mean "any", so an HTML form that
    sends every field works unchanged; the pages and their exports use this too."""
    return EventFilter(
        action=action.strip(),
        actor=actor.strip(),
        subject=subject.strip(),
        since=_day(since.strip(), "from"),
        until=_day(until.strip(), "to"),
    )


#: How handlers ask for the filters above.
Filters = NamedDependency[EventFilter]
FILTER_DEPENDENCIES = {"filters": Provide(event_filter, sync_to_thread=False)}
