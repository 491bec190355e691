"""Every route against every role: deny by default, allow only what each route declares."""

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members import service as members
from coopvote.members.models import MemberStatus, Role
from coopvote.members.rules import Transition
from coopvote.security.sessions import start_session
from coopvote.web.access import ACCESS, ACCOUNT_RULE, PUBLIC_RULE, RESULTS_RULE, SIGNED_IN_RULE
from coopvote.web.middleware import bound_csrf_token
from tests.factories import make_member

#: Each persona's standing and offices granted, and the roles whose powers they hold.
PERSONAS: dict[str, tuple[MemberStatus, tuple[Role, ...], tuple[Role, ...]] | None] = {
    "anonymous": None,
    "member": (MemberStatus.ACTIVE, (), (Role.MEMBER,)),
    "governor": (MemberStatus.ACTIVE, (Role.GOVERNOR,), (Role.MEMBER, Role.GOVERNOR)),
    "auditor": (MemberStatus.ACTIVE, (Role.AUDITOR,), (Role.MEMBER, Role.AUDITOR)),
    "admin": (MemberStatus.ACTIVE, (Role.ADMIN,), (Role.MEMBER, Role.ADMIN)),
    # Issue 11: an applicant sees the public pages and their own application only...
    "pending": (MemberStatus.PENDING, (), ()),
    # ...and a suspended governor and admin keep a member's reading, not their offices.
    "suspended": (MemberStatus.SUSPENDED, (Role.GOVERNOR, Role.ADMIN), (Role.MEMBER,)),
}


GUARD_REFUSAL = "You do not have permission to do that."


def routes(app: Litestar) -> list[tuple[str, str, Any]]:
    """Every (method, path, handler); the one that ends the caller's membership comes last."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                found.append((method, route.path, handler))
    return sorted(found, key=lambda route: route[1] == "/api/v1/me/withdraw")


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "some-id", path)


def allowed(rule: Any, persona: str) -> bool:
    standing = PERSONAS[persona]
    if rule == PUBLIC_RULE:
        return True
    if standing is None:
        return False  # results too: by default they are for signed-in members only
    roles = set(standing[2])
    if rule == ACCOUNT_RULE:
        return True
    if rule in {SIGNED_IN_RULE, RESULTS_RULE}:
        return bool(roles)
    return bool(roles & rule)


def test_every_route_declares_who_may_call_it(app: Litestar) -> None:
    undeclared = [(m, p) for m, p, h in routes(app) if h.opt.get(ACCESS) is None]
    assert undeclared == []


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_the_role_route_matrix(
    app: Litestar, client: TestClient[Any], database: Database, persona: str
) -> None:
    standing = PERSONAS[persona]
    if standing is not None:
        status, offices, _ = standing
        with database.transaction() as session:
            # Offices first, then the standing: an office is granted only to a member.
            initial = (
                MemberStatus.PENDING if status is MemberStatus.PENDING else MemberStatus.ACTIVE
            )
            persona_member = make_member(session, status=initial, roles=offices)
            if status is MemberStatus.SUSPENDED:
                make_member(session, roles=(Role.ADMIN,))  # never the last admin
                members.change_status(
                    session,
                    member=persona_member,
                    transition=Transition.SUSPENDED,
                    actor_id=None,
                    now=utcnow(),
                    reason="test",
                )
            assert persona_member.id is not None
            # A session as sign-in would start it (applicants may not sign in: issue 11).
            token = start_session(session, persona_member.id, utcnow())
        client.cookies.set("coopvote_session", token, domain="testserver.local")
        csrf = bound_csrf_token(app.state.settings, token)
        client.cookies.set("csrftoken", csrf, domain="testserver.local")
        client.headers["x-csrftoken"] = csrf
    checked = 0
    for method, path, handler in routes(app):
        # Files; sign-in answers 401 to bad credentials by design; sign-out ends the test.
        if path.startswith("/static") or path in {"/sign-in", "/sign-out", "/api/v1/session"}:
            continue
        rule = handler.opt[ACCESS]
        response = client.request(method, concrete(path), follow_redirects=False)
        # The guard's refusal, not a rule's (a suspended member may not propose: a 403 too).
        denied = (
            response.status_code == 401
            or (response.status_code == 403 and GUARD_REFUSAL in response.text)
            or (response.status_code == 303 and response.headers["location"].startswith("/sign-in"))
        )
        assert denied != allowed(rule, persona), (method, path, response.status_code)
        checked += 1
    assert checked > 20
