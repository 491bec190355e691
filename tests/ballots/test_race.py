"""One member, many simultaneous votes against a real multi-worker server: the database,
not the application, makes sure exactly one paper is stored."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlmodel import func, select

from coopvote.ballots.models import RollEntry, SealedPaper
from coopvote.db import Database
from coopvote.members.models import Role
from coopvote.settings import Settings
from tests.factories import PASSWORD, make_ballot, make_member
from tests.live import live_server

ATTEMPTS = 24


def signed_in(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    client.get("/api/v1/health")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    assert (
        client.post("/api/v1/session", json={"email": email, "password": PASSWORD}).status_code
        == 200
    )
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]  # bound to the new session
    return client


def test_simultaneous_votes_by_one_member_store_exactly_one_paper(
    database: Database, settings: Settings
) -> None:
    with database.transaction() as session:
        make_member(session, email="racer@example.org", roles=(Role.GOVERNOR,))
        for _ in range(3):
            make_member(session)
        ballot = make_ballot(session)
        ballot_id = ballot.public_id

    with live_server(settings) as url:
        first = signed_in(url, "racer@example.org")
        clients = [first] + [
            httpx.Client(base_url=url, timeout=60, cookies=first.cookies, headers=first.headers)
            for _ in range(ATTEMPTS - 1)
        ]
        start = threading.Barrier(ATTEMPTS)

        def attempt(client: httpx.Client) -> int:
            start.wait()
            return client.post(
                f"/api/v1/ballots/{ballot_id}/votes", json={"choice": "for"}
            ).status_code

        try:
            with ThreadPoolExecutor(ATTEMPTS) as pool:
                statuses = list(pool.map(attempt, clients))
            turnout = clients[0].get(f"/api/v1/ballots/{ballot_id}").json()["votes_cast"]
        finally:
            for client in clients:
                client.close()

    assert sorted(statuses) == [201] + [409] * (ATTEMPTS - 1)
    assert turnout == 1
    with database.transaction() as session:
        papers = session.exec(select(func.count()).select_from(SealedPaper)).one()
        marked = session.exec(
            select(func.count()).select_from(RollEntry).where(RollEntry.has_voted)
        ).one()
    assert papers == marked == 1
