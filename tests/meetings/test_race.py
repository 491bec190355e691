"""One counted vote per member per resolution, under truly parallel requests against a real
multi-worker server (``tests.live``), on SQLite and, with COOPVOTE_TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
from sqlmodel import col, func, select

from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.meetings import service
from coopvote.meetings.models import Channel, CountedVote, RoomPaper
from coopvote.members.models import Role
from coopvote.settings import Settings
from tests.ballots.test_race import signed_in
from tests.factories import make_member
from tests.live import live_server
from tests.meetings.helpers import ident, noticed_meeting, resolutions

ATTEMPTS = 8  # per member
VOTERS = 3


def test_parallel_votes_count_each_member_once_whatever_the_channel(
    database: Database, settings: Settings
) -> None:
    now = utcnow()
    with database.transaction() as session:
        gov = make_member(session, roles=(Role.GOVERNOR,))
        chair = make_member(session)
        attendees = [make_member(session, email=f"room{n}@example.org") for n in range(VOTERS)]
        early = make_member(session, email="early@example.org")
        meeting = noticed_meeting(session, gov, now=now, chair=chair)
        item = resolutions(session, meeting)[1]
        advance = session.get(Ballot, item.advance_ballot_id)
        assert advance is not None
        ballots.cast_vote(
            session, advance, member_id=ident(early), paper={"choice": "for"}, now=now
        )
        for m in [chair, early, *attendees]:
            service.check_in(session, meeting, m, actor_id=ident(m), now=now)
        service.open_meeting(session, meeting, actor_id=ident(chair), now=now)
        service.open_motion(session, meeting, item, actor_id=ident(chair), now=now)
        path = f"/api/v1/meetings/{meeting.public_id}/items/{item.public_id}/votes"
        item_id = item.id

    emails = [f"room{n}@example.org" for n in range(VOTERS)] + ["early@example.org"]
    with live_server_clients(settings, emails) as by_member:
        start = threading.Barrier(len(by_member) * ATTEMPTS)

        def attempt(client: httpx.Client) -> int:
            start.wait()
            return client.post(path, json={"choice": "against"}).status_code

        jobs = [c for clients in by_member for c in clients]
        with ThreadPoolExecutor(len(jobs)) as pool:
            statuses = list(pool.map(attempt, jobs))

    per_member = [statuses[i * ATTEMPTS : (i + 1) * ATTEMPTS] for i in range(len(by_member))]
    for member_statuses in per_member[:VOTERS]:
        assert sorted(member_statuses) == [201] + [409] * (ATTEMPTS - 1)
    # The advance voter's vote is counted already: every in-room attempt is refused.
    assert per_member[VOTERS] == [409] * ATTEMPTS
    with database.transaction() as session:
        ledger = session.exec(
            select(CountedVote.channel, func.count())
            .where(col(CountedVote.item_id) == item_id)
            .group_by(col(CountedVote.channel))
        ).all()
        papers = session.exec(
            select(func.count()).select_from(RoomPaper).where(col(RoomPaper.item_id) == item_id)
        ).one()
    assert dict(ledger) == {Channel.IN_ROOM: VOTERS, Channel.ADVANCE: 1}
    assert papers == VOTERS


@contextmanager
def live_server_clients(
    settings: Settings, emails: list[str]
) -> Iterator[list[list[httpx.Client]]]:
    """A live server and, per email, ``ATTEMPTS`` clients sharing that member's session."""
    with live_server(settings) as url:
        clients: list[list[httpx.Client]] = []
        try:
            for email in emails:
                first = signed_in(url, email)
                clients.append(
                    [first]
                    + [
                        httpx.Client(
                            base_url=url, timeout=60, cookies=first.cookies, headers=first.headers
                        )
                        for _ in range(ATTEMPTS - 1)
                    ]
                )
            yield clients
        finally:
            for client in (c for member in clients for c in member):
                client.close()
