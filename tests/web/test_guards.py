"""Every route against every role: deny by default, allow only what each route declares."""

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from coopvote.db import Database
from coopvote.members.models import MemberStatus, Role
from coopvote.web.access import ACCESS, PUBLIC_RULE, RESULTS_RULE, SIGNED_IN_RULE
from tests.factories import make_member
from tests.web.helpers import sign_in

PERSONAS: dict[str, tuple[Role, ...] | None] = {
    "anonymous": None,
    "member": (),
    "governor": (Role.GOVERNOR,),
    "auditor": (Role.AUDITOR,),
    "admin": (Role.ADMIN,),
}


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
    roles = PERSONAS[persona]
    if rule == PUBLIC_RULE:
        return True
    if roles is None:
        return False  # results too: by default they are for signed-in members only
    return rule in {SIGNED_IN_RULE, RESULTS_RULE} or bool(({Role.MEMBER, *roles}) & rule)


def test_every_route_declares_who_may_call_it(app: Litestar) -> None:
    undeclared = [(m, p) for m, p, h in routes(app) if h.opt.get(ACCESS) is None]
    assert undeclared == []


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_the_role_route_matrix(
    app: Litestar, client: TestClient[Any], database: Database, persona: str
) -> None:
    roles = PERSONAS[persona]
    if roles is not None:
        with database.transaction() as session:
            make_member(
                session, email="persona@example.org", roles=roles, status=MemberStatus.ACTIVE
            )
        sign_in(client, "persona@example.org")
    checked = 0
    for method, path, handler in routes(app):
        # Files; sign-in answers 401 to bad credentials by design; sign-out ends the test.
        if path.startswith("/static") or path in {"/sign-in", "/sign-out", "/api/v1/session"}:
            continue
        rule = handler.opt[ACCESS]
        response = client.request(method, concrete(path), follow_redirects=False)
        denied = response.status_code in {401, 403} or (
            response.status_code == 303 and response.headers["location"].startswith("/sign-in")
        )
        assert denied != allowed(rule, persona), (method, path, response.status_code)
        checked += 1
    assert checked > 20
