"""The home page: to visitors, what the co-operative is; to a member, their dashboard; to an
admin of a new installation, what is still to set up."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Redirect, Template

from coopvote.ballots import views as ballots
from coopvote.cooperative import views as cooperative
from coopvote.forum import views as forum
from coopvote.members.models import Role
from coopvote.results import views as results
from coopvote.results.summary import outcome_sentence
from coopvote.web.access import OWN_ACCOUNT, PUBLIC, principal_of
from coopvote.web.deps import CurrentSettings, Db, Now
from coopvote.web.navigation import WELCOME, workspace
from coopvote.web.templating import page, redirect

#: How many recently published results the dashboard lists.
RECENT_RESULTS = 3


@get("/", opt=PUBLIC, sync_to_thread=True, include_in_schema=False)
def home(request: Request[Any, Any, Any], db: Db, settings: CurrentSettings, now: Now) -> Template:
    principal = principal_of(request)
    if principal is None:
        return page(request, "home.html")
    context: dict[str, Any] = {
        "offers_governance": principal.has(Role.GOVERNOR),
        "offers_audit": principal.has(Role.AUDITOR),
    }
    if principal.has(Role.MEMBER):
        context["ballots"] = ballots.my_open_ballots(db, member_id=principal.member_id, now=now)
        context["supported"] = forum.supported_by(
            db, principal.member_id, forum.viewer_of(db, principal.member_id), now
        )
        context["results"] = [
            (p.ballot, outcome_sentence(p.result))
            for p in results.list_published(db)[:RECENT_RESULTS]
        ]
    if principal.has(Role.ADMIN):
        context["setup"] = cooperative.setup_steps(
            db,
            name=settings.cooperative_name,
            timezone=settings.timezone,
        )
    return page(request, "home.html", **context)


@get(WELCOME, opt=OWN_ACCOUNT, sync_to_thread=False, include_in_schema=False)
def welcome(request: Request[Any, Any, Any]) -> Redirect:
    """Where signing in leads: the signed-in person's own workspace (``workspace``)."""
    principal = principal_of(request)
    return redirect(request, workspace(principal) if principal else "/")
