"""The privacy notice (issue 18): a default, admins' versions, the version accepted at
registration, and a new version shown at the next sign-in."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlmodel import select

from coopvote.db import Database
from coopvote.members.models import Member, Role
from tests.factories import PASSWORD, ensure_organisation, make_member
from tests.web.helpers import form, sign_in


def sign_in_page(client: TestClient[Any], email: str) -> Any:
    return client.post(
        "/sign-in",
        data=form(client, email=email, password=PASSWORD, next="/forum"),
        follow_redirects=False,
    )


def test_a_new_notice_is_shown_at_the_next_sign_in_and_accepted_once(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
        make_member(session, roles=(Role.ADMIN,), email="admin@example.org")
    client.get("/")
    public = client.get("/api/v1/privacy").json()
    assert public["version"] == 1
    assert "Aylesbury Learning Partnership" in public["text"]
    applied = client.post(
        "/api/v1/members",
        json={
            "name": "Pat Parent",
            "email": "pat@example.org",
            "password": PASSWORD,
            "constituency": "parents-carers",
            "organisation": "the-grange",
        },
    )
    assert applied.status_code == 201
    with database.reading() as session:
        pat = session.exec(select(Member).where(Member.email == "pat@example.org")).one()
    assert pat.privacy_version == 1

    sign_in(client, "admin@example.org")
    assert client.post("/privacy/edit", data=form(client, text="")).status_code == 422
    published = client.post("/privacy/edit", data=form(client, text="## New\n\nWe changed."))
    assert "Version 2 published" in published.text
    assert client.get("/api/v1/privacy").json() == {"version": 2, "text": "## New\n\nWe changed."}
    client.delete("/api/v1/session")
    del client.headers["x-csrftoken"]  # the pages send the token in their forms

    # The admin's own next sign-in: the check shows the notice once, then lets them through.
    signed_in = sign_in_page(client, "admin@example.org")
    assert signed_in.headers["location"] == "/privacy/check?next=%2Fforum"
    shown = client.get(signed_in.headers["location"])
    assert "We changed." in shown.text
    assert "I have read it" in shown.text
    accepted = client.post(
        "/privacy/accept", data=form(client, next="/forum", version="2"), follow_redirects=False
    )
    assert accepted.status_code == 303, accepted.text[:3000]
    assert accepted.headers["location"] == "/forum"
    client.post("/sign-out", data=form(client))
    again = sign_in_page(client, "admin@example.org")
    onward = client.get(again.headers["location"], follow_redirects=False)
    assert onward.status_code == 303
    assert onward.headers["location"] == "/forum"
    assert "Privacy notice" in client.get("/").text  # the footer's link
