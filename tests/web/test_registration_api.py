from typing import Any

from litestar.testing import TestClient
from sqlmodel import func, select

from coopvote.db import Database
from coopvote.members.models import Member
from tests.factories import ensure_organisation

APPLICATION = {
    "name": "Pat Parent",
    "email": "pat@example.org",
    "password": "a long new password for me",
    "constituency": "parents-carers",
    "organisation": "the-grange",
}


def test_registration_is_pending_and_a_taken_email_gets_the_same_answer(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
    first = client.post("/api/v1/members", json=APPLICATION)
    again = client.post("/api/v1/members", json={**APPLICATION, "name": "Impostor"})
    assert first.status_code == again.status_code == 201
    assert first.json()["status"] == again.json()["status"] == "pending"
    assert set(first.json()) == set(again.json())
    assert first.json()["id"] != again.json()["id"]
    with database.transaction() as session:
        assert session.exec(select(func.count()).select_from(Member)).one() == 1


def test_bad_registrations_get_422_naming_each_field(client: TestClient[Any]) -> None:
    response = client.post(
        "/api/v1/members",
        json={**APPLICATION, "password": "password1234", "organisation": "nowhere"},
    )
    assert response.status_code == 422
    assert set(response.json()["extra"]) == {"password", "organisation"}


def test_malformed_json_is_a_400_not_a_500(client: TestClient[Any]) -> None:
    response = client.post(
        "/api/v1/members", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert client.post("/api/v1/members", json={"name": 3}).status_code == 400


def test_organisations_constituencies_and_health(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
    assert client.get("/api/v1/health").json() == {"status": "ok", "database": "ok"}
    assert {"slug": "the-grange", "name": "The Grange School"} in client.get(
        "/api/v1/organisations"
    ).json()
    slugs = [c["slug"] for c in client.get("/api/v1/constituencies").json()]
    assert slugs == ["parents-carers", "staff", "students", "community", "partners"]


def test_the_openapi_schema_describes_the_api(client: TestClient[Any]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    for path in [
        "/api/v1/health",
        "/api/v1/organisations",
        "/api/v1/constituencies",
        "/api/v1/members",
        "/api/v1/session",
        "/api/v1/me",
        "/api/v1/me/withdraw",
        "/api/v1/members/{member_id}/approve",
        "/api/v1/members/{member_id}/suspend",
        "/api/v1/members/{member_id}/reinstate",
        "/api/v1/members/{member_id}/cease",
    ]:
        assert path in paths, path
