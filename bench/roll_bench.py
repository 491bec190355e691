"""How long opening a ballot takes: freezing the roll of a large membership in one statement.

    python -m bench.roll_bench [--members 1000000] [--database-url URL]

Builds a scratch database (SQLite in a temporary file unless a URL is given: use an empty
PostgreSQL database, it is filled), loads the members and their histories with bulk inserts,
then times ``open_ballot`` and prints the figures.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

from coopvote.ballots import service as ballots
from coopvote.ballots.models import Method, Threshold
from coopvote.ballots.rules import Definition
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Member, MemberStatus, StatusChange
from coopvote.members.service import add_organisation
from coopvote.members.views import constituency_by_slug
from coopvote.schema.migrate import upgrade

BATCH = 50_000


def load_members(database: Database, count: int) -> None:
    now = utcnow()
    with database.transaction() as session:
        organisation = add_organisation(session, slug="bench", name="Bench School", now=now)
        constituency = constituency_by_slug(session, "parents-carers")
        assert constituency is not None
        org_id, con_id = organisation.id, constituency.id
    applied = now - timedelta(days=30)
    for start in range(0, count, BATCH):
        ids = range(start + 1, min(start + BATCH, count) + 1)
        with database.transaction() as session:
            session.execute(
                insert(Member),
                [
                    {
                        "id": i,
                        "public_id": f"m{i:09d}",
                        "name": f"Member {i}",
                        "email": f"m{i}@bench.example",
                        "password_hash": "!",
                        "status": MemberStatus.ACTIVE if i % 10 else MemberStatus.SUSPENDED,
                        "member_number": i,
                        "constituency_id": con_id,
                        "organisation_id": org_id,
                        "applied_at": applied,
                    }
                    for i in ids
                ],
            )
            session.execute(
                insert(StatusChange),
                [
                    {
                        "member_id": i,
                        "from_status": None,
                        "to_status": MemberStatus.PENDING,
                        "reason": "",
                        "at": applied,
                    }
                    for i in ids
                ],
            )
            session.execute(
                insert(StatusChange),
                [
                    {
                        "member_id": i,
                        "from_status": MemberStatus.PENDING,
                        "to_status": MemberStatus.ACTIVE,
                        "reason": "",
                        "at": applied + timedelta(days=1),
                    }
                    for i in ids
                ],
            )
            session.execute(
                insert(StatusChange),
                [
                    {
                        "member_id": i,
                        "from_status": MemberStatus.ACTIVE,
                        "to_status": MemberStatus.SUSPENDED,
                        "reason": "bench",
                        "at": applied + timedelta(days=2),
                    }
                    for i in ids
                    if i % 10 == 0
                ],
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        database = Database.connect(url)
        upgrade(database.engine)
        started = time.perf_counter()
        load_members(database, args.members)
        print(f"loaded {args.members:,} members in {time.perf_counter() - started:.1f} s")
        now = utcnow()
        with database.transaction() as session:
            ballot = ballots.create_ballot(
                session,
                Definition(
                    title="Bench",
                    method=Method.RESOLUTION,
                    threshold=Threshold.SIMPLE,
                    closes_at=now + timedelta(days=1),
                ),
                actor_id=None,
                now=now,
            )
        started = time.perf_counter()
        with database.transaction() as session:
            ballot = ballots.get_ballot(session, ballot.public_id, now)
            ballots.open_ballot(session, ballot, actor_id=None, now=now)
            size = ballot.roll_size
        elapsed = time.perf_counter() - started
        print(
            f"opened a ballot: roll of {size:,} frozen (statement, hash, audit) in {elapsed:.2f} s "
            f"on {database.engine.dialect.name}"
        )
        database.dispose()


if __name__ == "__main__":
    main()
