"""A fresh installation guides its first admin (issue 17): the home page says what is still to
set up, the admin pages add organisations and constituencies, and the registration page says
plainly that applications are not open yet."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlmodel import col, delete, select

from coopvote.audit.models import AuditEvent
from coopvote.db import Database
from coopvote.members.models import Constituency, Member, Organisation, Role
from tests.factories import make_member
from tests.web.helpers import form, sign_in

Client = TestClient[Any]


def _fresh_with_an_admin(client: Client, database: Database) -> None:
    """An admin (made as the CLI makes one), and no organisation or constituency yet."""
    with database.transaction() as session:
        make_member(session, email="admin@example.org", roles=(Role.ADMIN,))
        session.exec(delete(Member).where(col(Member.email) != "admin@example.org"))
        admin = session.exec(select(Member)).one()
        admin.organisation_id = None
        admin.constituency_id = None
        session.add(admin)
        session.flush()
        session.exec(delete(Organisation))
        session.exec(delete(Constituency))
    sign_in(client, "admin@example.org")


def test_a_new_cooperative_tells_its_admin_what_is_still_to_set_up(
    client: Client, database: Database
) -> None:
    _fresh_with_an_admin(client, database)
    home = client.get("/").text
    assert "Setting up the co-operative" in home
    assert "Organisations (0) and constituencies (0)" in home
    assert 'href="/admin/groups"' in home
    client.cookies.pop("coopvote_session")
    register = client.get("/register").text
    assert "not taking applications yet" in register
    assert "Apply for membership" not in register


def test_an_admin_adds_organisations_and_constituencies_on_the_page(
    client: Client, database: Database
) -> None:
    _fresh_with_an_admin(client, database)
    added = client.post(
        "/admin/groups/organisation",
        data=form(client, **{"organisation-name": "The Grange School"}),
    )
    assert "The Grange School added." in added.text
    assert "the-grange-school" in added.text
    client.post("/admin/groups/constituency", data=form(client, **{"constituency-name": "Staff"}))
    with database.transaction() as session:
        assert [o.slug for o in session.exec(select(Organisation))] == ["the-grange-school"]
        assert [c.slug for c in session.exec(select(Constituency))] == ["staff"]
        actors = session.exec(
            select(AuditEvent.actor).where(AuditEvent.subject == "organisation:the-grange-school")
        ).all()
    assert actors == [f"member:{_admin_id(database)}"]
    # Refused input is re-shown with the field marked and what was typed kept.
    refused = client.post(
        "/admin/groups/constituency",
        data=form(client, **{"constituency-name": "Parents", "constituency-slug": "Bad Slug!"}),
    )
    assert refused.status_code == 422
    assert 'href="#constituency-slug"' in refused.text
    assert 'value="Bad Slug!"' in refused.text
    taken = client.post(
        "/admin/groups/constituency", data=form(client, **{"constituency-name": "Staff"})
    )
    assert taken.status_code == 409
    assert "That slug is taken." in taken.text
    assert "The co-operative is set up" not in client.get("/").text  # no governor yet


def _admin_id(database: Database) -> int:
    with database.transaction() as session:
        admin = session.exec(select(Member).where(Member.email == "admin@example.org")).one()
        assert admin.id is not None
        return admin.id
