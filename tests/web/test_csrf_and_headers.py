from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from coopvote.db import Database
from tests.factories import make_member
from tests.web.helpers import sign_in


@pytest.fixture
def bare_client(app: Litestar) -> Any:
    with TestClient(app, base_url="http://testserver.local") as client:
        yield client


def test_an_api_request_without_the_csrf_header_is_refused(bare_client: TestClient[Any]) -> None:
    bare_client.get("/api/v1/health")
    response = bare_client.post("/api/v1/session", json={"email": "a@b.org", "password": "x" * 12})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_forged_csrf_token_is_refused(bare_client: TestClient[Any]) -> None:
    bare_client.get("/api/v1/health")
    response = bare_client.post(
        "/api/v1/session",
        json={"email": "a@b.org", "password": "x" * 12},
        headers={"x-csrftoken": "0" * 128},
    )
    assert response.status_code == 403


def test_a_form_without_its_csrf_field_is_refused_with_a_page(bare_client: TestClient[Any]) -> None:
    bare_client.get("/sign-in")
    response = bare_client.post("/sign-in", data={"email": "a@b.org", "password": "x" * 12})
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]


def test_a_form_with_its_csrf_field_is_accepted(bare_client: TestClient[Any]) -> None:
    bare_client.get("/sign-in")
    response = bare_client.post(
        "/sign-in",
        data={
            "_csrf_token": bare_client.cookies["csrftoken"],
            "email": "a@b.org",
            "password": "x" * 12,
        },
    )
    assert response.status_code == 401  # past CSRF, and the credentials are wrong


def test_signed_in_actions_need_the_token_too(client: TestClient[Any], database: Database) -> None:
    with database.transaction() as session:
        make_member(session, email="pat@example.org")
    sign_in(client, "pat@example.org")
    del client.headers["x-csrftoken"]
    assert client.post("/api/v1/me/withdraw").status_code == 403
    assert client.get("/api/v1/me").json()["status"] == "active"


@pytest.mark.parametrize("path", ["/", "/sign-in", "/api/v1/health", "/static/site.css", "/nope"])
def test_every_response_carries_the_security_headers(client: TestClient[Any], path: str) -> None:
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"]


def test_a_csrf_token_from_another_visit_does_not_work_in_a_signed_in_session(
    app: Litestar, client: TestClient[Any], database: Database
) -> None:
    """Issue 11: a token from the attacker's own visit, planted in the victim's browser."""
    with database.transaction() as session:
        make_member(session, email="pat@example.org")
    from litestar.middleware.csrf import generate_csrf_token

    # What any visit of the attacker's own is given: a token the app signed.
    planted = generate_csrf_token(app.state.settings.secret_key)
    sign_in(client, "pat@example.org")
    client.cookies.set("csrftoken", planted, domain="testserver.local")
    client.headers["x-csrftoken"] = planted
    refused = client.post("/api/v1/me/withdraw")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert client.get("/api/v1/me").json()["status"] == "active"


def test_signing_in_again_ends_the_old_session(
    client: TestClient[Any], database: Database, settings: Any
) -> None:
    with database.transaction() as session:
        make_member(session, email="pat@example.org")
    sign_in(client, "pat@example.org")
    old = client.cookies["coopvote_session"]
    sign_in(client, "pat@example.org")
    client.cookies.set("coopvote_session", old, domain="testserver.local")
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
    ],
)
def test_unsafe_requests_from_other_sites_are_refused(
    client: TestClient[Any], headers: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/session", json={"email": "a@b.org", "password": "x" * 12}, headers=headers
    )
    assert response.status_code == 403
    assert "other sites" in response.json()["detail"]


def test_unsafe_requests_from_this_site_pass_the_origin_check(client: TestClient[Any]) -> None:
    response = client.post(
        "/api/v1/session",
        json={"email": "a@b.org", "password": "x" * 12},
        headers={"origin": "http://testserver.local", "sec-fetch-site": "same-origin"},
    )
    assert response.status_code == 401  # past the check; the credentials are wrong


def test_the_csrf_cookie_takes_the_host_prefix_over_https(settings: Any) -> None:
    from dataclasses import replace

    from coopvote.app import create_app

    app = create_app(replace(settings, https=True))
    with TestClient(app, base_url="https://testserver.local") as secure:
        cookie = secure.get("/api/v1/health").headers["set-cookie"]
    assert cookie.startswith("__Host-csrftoken=")
    assert "Secure" in cookie
    assert "Path=/" in cookie
