"""The main navigation offers exactly the pages each person may open."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from coopvote.db import Database
from coopvote.members.models import Role
from coopvote.web.navigation import MAIN
from tests.factories import PASSWORD, make_member
from tests.web.helpers import sign_in

PERSONAS: dict[str, tuple[Role, ...] | None] = {
    "anonymous": None,
    "member": (),
    "governor": (Role.GOVERNOR,),
    "auditor": (Role.AUDITOR,),
    "admin": (Role.ADMIN,),
}


def offered(client: TestClient[Any]) -> set[str]:
    nav = client.get("/").text.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    return set(re.findall(r'href="([^"]+)"', nav))


def opens(client: TestClient[Any], path: str) -> bool:
    status = client.get(path, follow_redirects=False).status_code
    return status == 200


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_the_menu_offers_what_the_guard_lets_in(
    client: TestClient[Any], database: Database, persona: str
) -> None:
    roles = PERSONAS[persona]
    if roles is not None:
        with database.transaction() as session:
            make_member(session, email="persona@example.org", roles=roles)
        sign_in(client, "persona@example.org")
    links = offered(client)
    for _label, path in MAIN:
        if persona == "anonymous" and path == "/results":
            assert path in links  # offered, and asks the visitor to sign in unless public
            continue
        assert (path in links) == opens(client, path), (persona, path)


@pytest.mark.parametrize(
    ("roles", "lands_on"), [((), "/"), ((Role.AUDITOR,), "/audit"), ((Role.ADMIN,), "/")]
)
def test_signing_in_on_the_page_lands_on_ones_own_workspace(
    client: TestClient[Any], database: Database, roles: tuple[Role, ...], lands_on: str
) -> None:
    with database.transaction() as session:
        make_member(session, email="who@example.org", roles=roles)
    checked = client.post(
        "/sign-in",
        data={
            "_csrf_token": client.cookies["csrftoken"],
            "email": "who@example.org",
            "password": PASSWORD,
        },
    )
    # Through the privacy notice first (issue 18), then on to the workspace.
    assert checked.url.path == "/privacy/check"
    assert checked.url.params["next"] == "/welcome"
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]  # bound to the new session
    landed = client.post(
        "/privacy/accept",
        data={"_csrf_token": client.cookies["csrftoken"], "next": "/welcome", "version": "1"},
    )
    assert landed.url.path == lands_on
