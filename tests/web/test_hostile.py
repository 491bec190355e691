"""Hostile input gets a 4xx with a message, never a 500, and never reaches the database:
huge and non-ASCII numbers, dates at the edge of the calendar, NUL characters, deep JSON."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import select

from coopvote.ballots.models import BallotOption, Method
from coopvote.db import Database
from coopvote.errors import InvalidInput
from coopvote.forum.models import Proposal
from coopvote.members.models import Member, Role
from coopvote.web.forms import MAX_WHOLE_NUMBER, local_time
from coopvote.web.hostile import json_too_deep
from tests.factories import make_ballot, make_member
from tests.web.helpers import form, sign_in

Client = TestClient[Any]
HUGE = str(10**25)


@pytest.fixture
def officer(client: Client, database: Database) -> Client:
    with database.transaction() as session:
        make_member(
            session, email="gov@example.org", roles=(Role.GOVERNOR, Role.AUDITOR, Role.ADMIN)
        )
    sign_in(client, "gov@example.org")
    return client


def assert_refused(response: Any) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/members?page={HUGE}",
        f"/api/v1/proposals?page={HUGE}",
        f"/api/v1/audit?after={HUGE}",
        f"/governance/members?page={HUGE}",
        f"/audit/log?page={HUGE}",
        f"/forum?page={HUGE}",
        "/api/v1/audit?action=%00",
        "/forum?q=%00",
        "/static/%00",
        "/static/style.css%00",
    ],
)
def test_hostile_queries_and_paths_get_a_4xx(officer: Client, url: str) -> None:
    assert_refused(officer.get(url))


def test_every_integer_parameter_of_every_route_is_bounded(app: Litestar) -> None:
    """The kind, not the cases: a number larger than the database's integers must be refused
    where it is read, whichever route reads it."""
    unbounded = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for name, field in handler.parsed_fn_signature.parameters.items():
                if field.annotation is int:
                    bound = getattr(field.kwarg_definition, "le", None)
                    if bound is None or bound > MAX_WHOLE_NUMBER:
                        unbounded.append(f"{route.path} {name}")
    assert unbounded == []


def test_a_year_9999_day_in_the_audit_filter_is_answered(officer: Client) -> None:
    assert officer.get("/api/v1/audit?from=9999-12-31&to=9999-12-31").json() == []


def test_a_superscript_preference_is_refused_with_a_message(
    client: Client, database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="voter@example.org")
        ballot = make_ballot(session, method=Method.IRV)
        option_id = session.exec(
            select(BallotOption.id).where(BallotOption.ballot_id == ballot.id)
        ).first()
    sign_in(client, "voter@example.org")
    response = client.post(
        f"/ballots/{ballot.public_id}/review", data=form(client, **{f"rank-{option_id}": "²"})
    )
    assert response.status_code == 422, response.text[:300]
    assert "Enter a whole number" in response.text or "Preferences are numbers" in response.text


def test_a_date_that_overflows_utc_is_refused_in_a_form() -> None:
    """The last half hour of year 9999 in New York is in year 10000 in UTC."""
    with pytest.raises(InvalidInput) as raised:
        local_time({"opens_at": "9999-12-31T23:30"}, "opens_at", ZoneInfo("America/New_York"))
    assert raised.value.field_errors == {
        "opens_at": "Enter a date and time, such as 2026-03-01 09:00."
    }


def test_a_date_that_overflows_utc_is_refused_in_the_api(officer: Client) -> None:
    response = officer.post(
        "/api/v1/ballots",
        json={
            "title": "Far future",
            "method": "resolution",
            "threshold": "simple",
            "closes_at": "9999-12-31T23:59:59-05:00",
        },
    )
    assert_refused(response)
    assert "check the year" in response.json()["extra"]["closes_at"]


def test_deeply_nested_json_is_a_400(officer: Client) -> None:
    response = officer.post(
        "/api/v1/proposals", content=b"[" * 100_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_json_nesting_is_measured_outside_strings() -> None:
    assert not json_too_deep(b'{"a": [[1, 2], {"b": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}]}')
    assert json_too_deep(b"[" * 33 + b"]" * 33)
    assert not json_too_deep(b"[" * 32 + b"]" * 32)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/proposals", {"title": "An orchard\u0000", "body": "Fruit"}),
        (
            "/api/v1/members",
            {
                "name": "Ann\u0000",
                "email": "ann@example.org",
                "password": "a long enough password",
                "constituency": "parents-carers",
                "organisation": "the-grange",
            },
        ),
    ],
)
def test_nul_in_json_text_is_refused_and_never_stored(
    officer: Client, database: Database, path: str, body: dict[str, str]
) -> None:
    response = officer.post(path, json=body)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    with database.reading() as session:
        assert session.exec(select(Proposal)).all() == []
        assert session.exec(select(Member).where(Member.email == "ann@example.org")).all() == []


def test_nul_in_a_form_is_refused_with_a_page(officer: Client, database: Database) -> None:
    response = officer.post("/forum/new", data=form(officer, title="An orchard\x00", body="Fruit"))
    assert response.status_code == 400
    assert "text/html" in response.headers["content-type"]
    assert "NUL" in response.text
    with database.reading() as session:
        assert session.exec(select(Proposal)).all() == []


def test_logged_paths_are_escaped(
    client: Client, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crafted path must not forge a log line, nor send a terminal escape."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(Database, "check_writable", broken)
    with caplog.at_level(logging.ERROR, logger="coopvote.web"):
        client.get("/api/v1/health%0A2026-01-01 INFO forged%1B[31m")
        client.get("/api/v1/health")
    messages = [r.getMessage() for r in caplog.records if r.name == "coopvote.web"]
    assert messages
    assert all("\n" not in m and "\x1b" not in m for m in messages)


def test_the_servers_access_log_escapes_the_request_line() -> None:
    from coopvote.cli.serve import EscapeControls, log_config

    config = log_config()
    assert all(h["filters"] == ["escape_controls"] for h in config["handlers"].values())
    assert config["filters"]["escape_controls"]["()"] is EscapeControls
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/x\n2026 INFO forged\x1b[31m", "1.1", 404),
        None,
    )
    assert EscapeControls().filter(record)
    line = record.getMessage()
    assert "\n" not in line
    assert "\x1b" not in line
    assert "/x\\x0a2026 INFO forged\\x1b[31m" in line
