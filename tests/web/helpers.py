"""Signing in through the API, as a client would."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.factories import PASSWORD


def sign_in(client: TestClient[Any], email: str, password: str = PASSWORD) -> None:
    response = client.post("/api/v1/session", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    # Signing in binds a new CSRF token to the session (issue 11): send it from now on.
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]


def form(client: TestClient[Any], **fields: str) -> dict[str, str]:
    """Form fields with the CSRF token, as a page's form would send them."""
    return {"_csrf_token": client.cookies["csrftoken"], **fields}
