"""The main navigation: each link is offered to those whom the access rule of the page it
leads to lets in, so the menu and the guard cannot disagree."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request

from coopvote.members.models import MemberStatus, Role
from coopvote.security.sessions import Principal
from coopvote.web.access import ACCESS, RESULTS_RULE, permits

#: (label, path) in the order shown.
MAIN = [
    ("My ballots", "/ballots"),
    ("My membership", "/membership"),
    ("Elections", "/elections"),
    ("Forum", "/forum"),
    ("Meetings", "/meetings"),
    ("Results", "/results"),
    ("Applications", "/governance/applications"),
    ("Register", "/governance/members"),
    ("Ballots", "/governance/ballots"),
    ("Outbox", "/governance/outbox"),
    ("Audit", "/audit"),
    ("Audit log", "/audit/log"),
    ("Roles", "/admin/roles"),
    ("Trustees", "/admin/trustees"),
    ("Settings", "/admin/settings"),
    ("Organisations", "/admin/groups"),
]
RULES_KEY = "navigation_rules"
#: Where signing in leads, unless it was asked for elsewhere: each person's own workspace.
WELCOME = "/welcome"


def workspace(principal: Principal) -> str:
    """Where someone lands after signing in: an auditor on the audit workspace; an applicant
    on their own application (issue 11: it is all they may see); everyone else on the home
    page, which is a member's dashboard and tells an admin what is left to set up."""
    if principal.has(Role.AUDITOR):
        return "/audit"
    return "/membership" if principal.status is MemberStatus.PENDING else "/"


def _rules(app: Litestar) -> dict[str, Any]:
    """The access rule of each page in ``MAIN``, read once from the app's own routes."""
    if RULES_KEY not in app.state:
        paths = {path for _label, path in MAIN}
        app.state[RULES_KEY] = {
            route.path: handler.opt.get(ACCESS)
            for route in app.routes
            if route.path in paths
            for handler in getattr(route, "route_handlers", [])
            if "GET" in handler.http_methods
        }
    rules: dict[str, Any] = app.state[RULES_KEY]
    return rules


def main_navigation(
    request: Request[Any, Any, Any], principal: Principal | None
) -> list[tuple[str, str]]:
    """The links of the main navigation that ``principal`` may follow."""
    rules = _rules(request.app)
    return [
        (label, path)
        for label, path in MAIN
        # Results are offered to visitors too: where the co-operative keeps them for members,
        # the link asks the visitor to sign in (rendering a page reads no database).
        if permits(rules[path], principal) or (principal is None and rules[path] == RESULTS_RULE)
    ]
