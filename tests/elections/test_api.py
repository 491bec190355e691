"""The elections API through Litestar's test client: who may do what, and the answers' shapes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.testing import TestClient
from sqlmodel import Session

from coopvote.clock import utcnow
from coopvote.members.models import Member, Role
from tests.factories import make_member
from tests.web.helpers import sign_in


def timetable(
    opened: timedelta = timedelta(hours=-1), closes: timedelta = timedelta(days=1)
) -> dict[str, str]:
    now = utcnow()
    return {
        "nominations_open_at": (now + opened).isoformat(),
        "nominations_close_at": (now + closes).isoformat(),
        "voting_opens_at": (now + timedelta(days=2)).isoformat(),
        "voting_closes_at": (now + timedelta(days=9)).isoformat(),
    }


def create(client: TestClient[Any], **times: timedelta) -> dict[str, Any]:
    response = client.post(
        "/api/v1/elections",
        json={
            "title": "Stakeholder forum elections 2027",
            **timetable(**times),
            "contests": [
                {
                    "title": "Parents and carers",
                    "seats": 1,
                    "method": "stv",
                    "eligible": {"constituencies": ["parents-carers"]},
                },
                {
                    "title": "Community",
                    "seats": 1,
                    "method": "plurality",
                    "eligible": {"constituencies": ["community"]},
                },
            ],
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def people(session: Session) -> dict[str, Member]:
    return {
        "governor": make_member(
            session, email="gov@example.org", roles=(Role.GOVERNOR,), constituency="staff"
        ),
        "parent": make_member(session, email="parent@example.org", name="Pat Parent"),
        "seconder": make_member(session, email="seconder@example.org"),
        "staff": make_member(session, email="staff@example.org", constituency="staff"),
    }


def test_the_whole_cycle_through_the_api(client: TestClient[Any], session: Session) -> None:
    who = people(session)
    session.commit()
    sign_in(client, "gov@example.org")
    election = create(client)
    assert election["status"] == "nominations"
    parents = election["contests"][0]["id"]
    sign_in(client, "parent@example.org")
    nominated = client.post(
        f"/api/v1/elections/{election['id']}/contests/{parents}/nominations",
        json={"statement": "I will **listen**. <script>alert(1)</script>"},
    )
    assert nominated.status_code == 201, nominated.text
    nomination = nominated.json()
    assert nomination["status"] == "submitted"
    assert client.post(f"/api/v1/nominations/{nomination['id']}/second").status_code == 403
    sign_in(client, "staff@example.org")
    assert client.post(f"/api/v1/nominations/{nomination['id']}/second").status_code == 403
    outsider = client.post(
        f"/api/v1/elections/{election['id']}/contests/{parents}/nominations",
        json={"statement": "Staff, but standing for parents."},
    )
    assert outsider.status_code == 403
    sign_in(client, "seconder@example.org")
    seconded = client.post(f"/api/v1/nominations/{nomination['id']}/second")
    assert seconded.status_code == 200
    assert seconded.json()["seconds"] == 1
    assert client.post(f"/api/v1/nominations/{nomination['id']}/second").status_code == 409
    assert client.post(f"/api/v1/nominations/{nomination['id']}/approve").status_code == 403
    sign_in(client, "gov@example.org")
    approved = client.post(f"/api/v1/nominations/{nomination['id']}/approve")
    assert approved.json()["status"] == "approved"
    assert client.get(f"/api/v1/elections/{election['id']}/results").status_code == 404
    closed = client.post(f"/api/v1/elections/{election['id']}/close-nominations")
    assert closed.status_code == 200
    outcomes = [
        (c["outcome"], [x["name"] for x in c["candidates"]]) for c in closed.json()["contests"]
    ]
    assert outcomes == [("unopposed", ["Pat Parent"]), ("vacant", [])]
    again = client.post(f"/api/v1/elections/{election['id']}/close-nominations")
    assert again.status_code == 200
    results = client.get(f"/api/v1/elections/{election['id']}/results").json()
    assert [(c["title"], c["elected"], c["vacant"]) for c in results["contests"]] == [
        ("Parents and carers", ["Pat Parent"], 0),
        ("Community", [], 1),
    ]
    assert results["declared"] is True
    sign_in(client, "parent@example.org")
    assert client.post(f"/api/v1/nominations/{nomination['id']}/withdraw").status_code == 409
    del who


def test_a_nomination_after_the_window_is_refused_with_409(
    client: TestClient[Any], session: Session
) -> None:
    people(session)
    session.commit()
    sign_in(client, "gov@example.org")
    election = create(client, opened=timedelta(days=-2), closes=timedelta(days=-1))
    sign_in(client, "parent@example.org")
    late = client.post(
        f"/api/v1/elections/{election['id']}/contests/{election['contests'][0]['id']}/nominations",
        json={"statement": "Too late."},
    )
    assert late.status_code == 409
    # Past the window the election is in voting, whether or not the scheduler has come by.
    assert client.get(f"/api/v1/elections/{election['id']}").json()["status"] == "voting"


def test_bad_definitions_are_422_with_the_fields_named(
    client: TestClient[Any], session: Session
) -> None:
    people(session)
    session.commit()
    sign_in(client, "gov@example.org")
    response = client.post(
        "/api/v1/elections",
        json={
            "title": "",
            **timetable(closes=timedelta(hours=-2)),
            "contests": [
                {
                    "title": "Parents",
                    "seats": 2,
                    "method": "irv",
                    "eligible": {"constituencies": ["nobody"]},
                }
            ],
        },
    )
    assert response.status_code == 422
    extra = str(response.json())
    for field in (
        "title",
        "nominations_close_at",
        "contests.0.seats",
        "contests.0.eligible_constituencies",
    ):
        assert field in extra
    sign_in(client, "parent@example.org")
    assert client.post("/api/v1/elections", json={}).status_code in {400, 403}
