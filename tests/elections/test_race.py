"""Two governors closing nominations at the same moment, against a real multi-worker server:
the database (a conditional update, and a contest's unique ballot) declares once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import col, func, select

from coopvote.audit.models import AuditEvent
from coopvote.ballots.models import Ballot, Method
from coopvote.db import Database
from coopvote.elections import views
from coopvote.elections.rules import ContestDefinition
from coopvote.members.models import Role
from coopvote.settings import Settings
from tests.ballots.test_race import signed_in
from tests.elections.helpers import make_election, stand
from tests.factories import make_member
from tests.live import live_server

CONTESTS = (
    ("Parents", 1, Method.STV, "parents-carers"),  # two candidates: a ballot
    ("Staff", 2, Method.STV, "staff"),  # one: unopposed
    ("Community", 1, Method.PLURALITY, "community"),  # none: vacant
)
COUNTED = ("election.nominations_closed", "contest.declared", "ballot.created")
#: Requests per governor.
ATTEMPTS = 6


def test_two_governors_closing_nominations_at_once_declare_once(
    database: Database, settings: Settings
) -> None:
    with database.transaction() as session:
        for n in (1, 2):
            make_member(session, email=f"governor{n}@example.org", roles=(Role.GOVERNOR,))
        election = make_election(
            session,
            contests=(
                ContestDefinition(
                    "Parents", 1, Method.STV, eligible_constituencies=("parents-carers",)
                ),
                ContestDefinition("Staff", 2, Method.STV, eligible_constituencies=("staff",)),
                ContestDefinition(
                    "Community", 1, Method.PLURALITY, eligible_constituencies=("community",)
                ),
            ),
        )
        parents, staff, _ = views.contests(session, election)
        for _ in range(2):
            stand(session, election, parents, make_member(session), make_member(session))
        stand(
            session,
            election,
            staff,
            make_member(session, constituency="staff"),
            make_member(session, constituency="staff"),
        )
        election_id = election.public_id

    with live_server(settings) as url:
        clients = [signed_in(url, f"governor{n}@example.org") for n in (1, 2)] * ATTEMPTS
        start = threading.Barrier(len(clients))

        def close(client: object) -> int:
            start.wait()
            return client.post(f"/api/v1/elections/{election_id}/close-nominations").status_code  # type: ignore[attr-defined]

        try:
            with ThreadPoolExecutor(len(clients)) as pool:
                statuses = list(pool.map(close, clients))
        finally:
            for client in clients[:2]:
                client.close()

    assert statuses == [200] * len(clients)
    with database.transaction() as session:
        actions = dict(
            session.exec(
                select(AuditEvent.action, func.count())
                .where(
                    col(AuditEvent.action).in_(
                        ["election.nominations_closed", "contest.declared", "ballot.created"]
                    )
                )
                .group_by(col(AuditEvent.action))
            ).all()
        )
        ballots = session.exec(select(func.count()).select_from(Ballot)).one()
    assert actions == {"election.nominations_closed": 1, "contest.declared": 2, "ballot.created": 1}
    assert ballots == 1
