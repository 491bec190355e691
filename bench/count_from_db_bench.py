"""How long publishing a large ballot's result takes: load the opened papers, count, store.

    python -m bench.count_from_db_bench [--papers 1000000] [--method stv] [--runs 3]
                                        [--page 50] [--profile N]

Issue 12's goal: counting a 1,000,000-paper ballot from the database (load + count + store
the declaration) in < 3 s. A scratch SQLite database (a temporary file) gets a ranked ballot
of 12 options, opened and closed through the services with no vote cast (the box opens
itself, empty); then the opened papers are written straight into its `paper` table with one
bulk insert, as opening a box of that many sealed papers would have left them (sealing a
million papers one by one is not what is measured here, and the box check would see that
the board does not hold them). The papers are drawn as in `bench.tally_bench`'s whole-command
file: Plackett–Luce, 12 candidates, about 450,000 distinct rankings.

Then `results.service.publish_result` runs in one transaction, committed, as the governors'
Publish button runs it. Printed: its wall-clock time and CPU time (user + sys of this process;
the machine may be shared, which inflates the first, not the second), and with `--profile N`
the N functions that take the most time in a second, profiled run on a fresh copy. Then
(unless `--page 0`) the published ballot's results page is read 50 times by a signed-in
member, through the app in this process: its p50 and p95 (goal: p95 < 50 ms).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import pstats
import random
import resource
import secrets
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from litestar.testing import TestClient
from sqlmodel import select

from bench.tally_bench import SEED, make_papers
from coopvote.app import create_app
from coopvote.ballots import keys
from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Ballot, Method
from coopvote.ballots.rules import Definition
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.results import service as results
from coopvote.schema.migrate import upgrade
from coopvote.settings import Settings

BATCH = 100_000
SEATS = {"stv": 5, "irv": 1, "meek": 5, "schulze": 1}


def closed_ballot(database: Database, method: str, papers: int) -> str:
    """A closed ballot of 12 options holding `papers` opened papers; its public id."""
    now = utcnow()
    labels = [f"Candidate {n:02d}" for n in range(1, 13)]
    with database.transaction() as session:
        ballot = ballots.create_ballot(
            session,
            Definition(
                title="Bench",
                method=Method(method),
                closes_at=now + timedelta(days=1),
                options=labels,
                seats=SEATS[method],
            ),
            actor_id=None,
            now=now,
        )
        ballots.open_ballot(session, ballot, actor_id=None, now=now)
        ballots.close_ballot(session, ballot, actor_id=None, now=now)
        ids = {option.label: option.id for option in ballot_views.options(session, ballot)}
        ballot_id, public_id = ballot.id, ballot.public_id
    drawn = make_papers(papers, labels, random.Random(SEED), long_rankings=0.5)
    with database.engine.begin() as connection:
        for start in range(0, papers, BATCH):
            connection.exec_driver_sql(
                "INSERT INTO paper (id, ballot_id, choice) VALUES (?, ?, ?)",
                [
                    (
                        secrets.token_hex(16),
                        ballot_id,
                        json.dumps({"ranking": [ids[label] for label in paper]}),
                    )
                    for paper in drawn[start : start + BATCH]
                ],
            )
    return public_id


def publish(url: str, public_id: str) -> tuple[float, float]:
    """Publish the ballot's result in one committed transaction: (wall, CPU) seconds."""
    database = Database.connect(url)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    with database.transaction() as session:
        now = utcnow()
        ballot = session.exec(select(Ballot).where(Ballot.public_id == public_id)).one()
        results.publish_result(session, ballot, actor_id=None, now=now)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    database.dispose()
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def results_page(url: str, public_id: str, requests: int) -> tuple[list[float], float]:
    """Seconds each of `requests` GETs of the ballot's results page takes, served in process
    by the app (Litestar's test client, no network) to a signed-in member; and the CPU
    seconds of the process per request (client and server together)."""
    # The tests' factories reach a member through the real lifecycle, with a precomputed
    # password hash (no argon2 per member).
    from tests.factories import PASSWORD, make_member

    database = Database.connect(url)
    with database.transaction() as session:
        member = make_member(session, email=f"reader-{secrets.token_hex(4)}@example.org")
        email = member.email
    app = create_app(Settings(database_url=url), database)
    times = []
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    with TestClient(app) as client:
        client.get("/")  # sets the CSRF cookie, which the sign-in must send back
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        signed_in = client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        before = resource.getrusage(resource.RUSAGE_SELF)
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(f"/results/{public_id}")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        after = resource.getrusage(resource.RUSAGE_SELF)
    database.dispose()
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return times, cpu / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--papers", type=int, default=1_000_000)
    parser.add_argument("--method", choices=sorted(SEATS), default="stv")
    parser.add_argument("--runs", type=int, default=3, help="publications timed (default 3)")
    parser.add_argument(
        "--page", type=int, default=50, metavar="N", help="time N GETs of the results page"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N", help="print the N costliest functions"
    )
    arguments = parser.parse_args()
    keys.use_secret(secrets.token_bytes(keys.SECRET_BYTES))  # the ballot's box opens at close
    with tempfile.TemporaryDirectory() as scratch:
        seeded = Path(scratch) / "seeded.db"
        database = Database.connect(f"sqlite:///{seeded}")
        upgrade(database.engine)
        started = time.perf_counter()
        public_id = closed_ballot(database, arguments.method, arguments.papers)
        database.dispose()
        print(
            f"seeded {arguments.papers:,} opened papers ({arguments.method}, 12 options) in "
            f"{time.perf_counter() - started:.1f} s"
        )
        copy = Path(scratch) / "run.db"
        for _ in range(arguments.runs):
            shutil.copy(seeded, copy)
            wall, cpu = publish(f"sqlite:///{copy}", public_id)
            verdict = "within" if wall < 3.0 else "OVER"
            print(
                f"load + count + store the declaration: {wall:5.2f} s (CPU {cpu:5.2f} s) "
                f"[{verdict} target 3 s]"
            )
        if arguments.page:
            times, cpu = results_page(f"sqlite:///{copy}", public_id, arguments.page)
            times.sort()
            p50, p95 = times[len(times) // 2], times[min(len(times) - 1, len(times) * 95 // 100)]
            verdict = "within" if p95 < 0.05 else "OVER"
            print(
                f"results page, {len(times)} GETs by a signed-in member: p50 {p50 * 1000:.1f} ms, "
                f"p95 {p95 * 1000:.1f} ms [{verdict} target 50 ms]; "
                f"CPU {cpu * 1000:.1f} ms a request"
            )
        if arguments.profile:
            shutil.copy(seeded, copy)
            profile = cProfile.Profile()
            profile.runcall(publish, f"sqlite:///{copy}", public_id)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(arguments.profile)


if __name__ == "__main__":
    main()
