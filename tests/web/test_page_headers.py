"""Headers every page keeps (issue 17): ``HEAD`` wherever ``GET`` works, and private pages
kept out of the browser's cache."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from coopvote.db import Database
from coopvote.members.models import Role
from tests.factories import make_ballot, make_member
from tests.web.helpers import sign_in

Client = TestClient[Any]


def _get_paths(app: Litestar) -> list[str]:
    """Every path the app answers to GET that needs no parameter."""
    return sorted(
        route.path
        for route in app.routes
        if "GET" in route.methods and "{" not in route.path and not route.path.startswith("/static")
    )


@pytest.fixture
def governor(client: Client, database: Database) -> Client:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR, Role.ADMIN))
        make_ballot(session)
    sign_in(client, "gov@example.org")
    return client


def test_head_answers_wherever_get_does_with_its_headers_and_no_body(
    app: Litestar, governor: Client
) -> None:
    paths = [*_get_paths(app), "/static/site.css", "/no-such-page"]
    assert len(paths) > 20
    for path in paths:
        got = governor.get(path, follow_redirects=False)
        head = governor.head(path, follow_redirects=False)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        if "content-length" in got.headers and got.status_code != 200:
            assert head.headers["content-length"] == got.headers["content-length"], path


def test_pages_shown_to_someone_signed_in_are_never_stored(app: Litestar, governor: Client) -> None:
    for path in [*_get_paths(app), "/no-such-page"]:
        if path.startswith("/schema"):
            continue  # the API's description: the same for everyone
        shown = governor.get(path, follow_redirects=False)
        if "text/html" in shown.headers.get("content-type", ""):
            assert shown.headers.get("cache-control") == "no-store", path


def test_public_pages_may_be_kept_by_the_browser(client: Client) -> None:
    assert "cache-control" not in client.get("/").headers
    assert "cache-control" not in client.get("/sign-in").headers


def test_a_page_that_is_not_there_shows_the_signed_in_navigation(governor: Client) -> None:
    for method, path in [("GET", "/no-such-page"), ("GET", "/sign-out")]:
        shown = governor.request(method, path)
        assert shown.status_code in (404, 405), path
        assert 'href="/governance/ballots"' in shown.text, path
        assert "Sign out" in shown.text, path
        assert shown.headers["cache-control"] == "no-store", path


def test_the_schema_is_a_titled_page_with_a_language(client: Client) -> None:
    shown = client.get("/schema")
    assert shown.headers["content-type"].startswith("text/html")
    assert '<html lang="en-GB">' in shown.text
    assert "<title>coopvote API" in shown.text
    assert 'href="/schema/openapi.json"' in shown.text
