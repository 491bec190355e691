"""Ballots open and close on time with no request arriving, and reads never write."""

import threading
import time
from datetime import timedelta

from sqlmodel import func, select

from coopvote import scheduler
from coopvote.audit.models import AuditEvent
from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot, BallotStatus, Method, RollEntry
from coopvote.ballots.rules import Definition
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.settings import Settings
from tests.factories import make_member
from tests.live import live_server


def scheduled_ballot(database: Database, *, opens_in: timedelta, members: int = 3) -> str:
    now = utcnow()
    with database.transaction() as session:
        for _ in range(members):
            make_member(session, at=now - timedelta(days=1))
        ballot = ballots.create_ballot(
            session,
            Definition(
                title="Adopt the budget",
                method=Method.RESOLUTION,
                opens_at=now + opens_in,
                closes_at=now + opens_in + timedelta(hours=1),
            ),
            actor_id=None,
            now=now,
        )
        return ballot.public_id


def stored(database: Database, public_id: str) -> Ballot:
    with database.transaction() as session:
        ballot = session.exec(select(Ballot).where(Ballot.public_id == public_id)).one()
        session.expunge(ballot)
        return ballot


def actions(database: Database) -> list[str]:
    with database.transaction() as session:
        return list(session.exec(select(AuditEvent.action)).all())


def test_the_scheduler_opens_and_closes_a_ballot_at_its_times(database: Database) -> None:
    public_id = scheduled_ballot(database, opens_in=timedelta(hours=1))
    ballot = stored(database, public_id)
    assert ballot.opens_at is not None
    before = ballot.opens_at - timedelta(seconds=1)
    assert scheduler.tick(database, before) == ballot.opens_at
    assert stored(database, public_id).status is BallotStatus.DRAFT
    assert scheduler.tick(database, ballot.opens_at) == ballot.closes_at
    opened = stored(database, public_id)
    assert opened.status is BallotStatus.OPEN
    assert opened.opened_at == ballot.opens_at
    assert opened.roll_size == 3
    assert scheduler.tick(database, ballot.closes_at) is None
    assert stored(database, public_id).status is BallotStatus.CLOSED
    assert actions(database).count("ballot.opened") == actions(database).count("ballot.closed") == 1


def test_the_scheduler_waits_until_the_next_due_moment_or_polls() -> None:
    now = utcnow()
    assert scheduler.seconds_to_wait(now + timedelta(seconds=2), now) == 2
    assert scheduler.seconds_to_wait(now - timedelta(seconds=2), now) == 0
    assert scheduler.seconds_to_wait(now + timedelta(days=1), now) == scheduler.POLL_SECONDS
    assert scheduler.seconds_to_wait(None, now) == scheduler.POLL_SECONDS


def test_two_schedulers_ticking_at_once_open_a_ballot_once(database: Database) -> None:
    public_id = scheduled_ballot(database, opens_in=timedelta(hours=1))
    opens_at = stored(database, public_id).opens_at
    assert opens_at is not None
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            scheduler.tick(database, opens_at + timedelta(minutes=1))
        except BaseException as problem:  # reported below, not lost in the thread
            failures.append(problem)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert actions(database).count("ballot.opened") == 1
    with database.transaction() as session:
        entries = session.exec(select(func.count()).select_from(RollEntry)).one()
    assert entries == stored(database, public_id).roll_size == 3


def test_a_ballot_opens_on_its_own_in_the_running_app(
    database: Database, settings: Settings
) -> None:
    public_id = scheduled_ballot(database, opens_in=timedelta(seconds=3))
    with live_server(settings):  # two workers, two schedulers
        deadline = time.monotonic() + 30
        while stored(database, public_id).status is BallotStatus.DRAFT:
            assert time.monotonic() < deadline, "the ballot did not open on its own"
            time.sleep(0.2)
    assert stored(database, public_id).status is BallotStatus.OPEN
    assert stored(database, public_id).roll_size == 3
    assert actions(database).count("ballot.opened") == 1
