"""Appends from many workers at once stay one chain, on whichever database the suite runs on.

Each thread has its own engine and connections, as separate worker processes would: SQLite
serialises them with ``BEGIN IMMEDIATE``, PostgreSQL with a lock on the ``audit_head`` row.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from coopvote import audit
from coopvote.audit.chain import Verdict
from coopvote.audit.service import verify_chain
from coopvote.clock import utcnow
from coopvote.db import Database

WORKERS = 8
APPENDS = 15
#: Every this-many-th transaction of a worker rolls back after appending: it must leave no gap.
ROLLBACK_EVERY = 5


class Abandoned(Exception):
    """Raised inside a transaction to roll it back."""


def url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def run_together(count: int, work: Callable[[int, threading.Barrier], None]) -> None:
    """Run ``work`` in ``count`` threads that start at the same moment; re-raise any failure."""
    barrier = threading.Barrier(count)
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(work, n, barrier) for n in range(count)]
        for future in futures:
            future.result()


def appender(url: str) -> Callable[[int, threading.Barrier], None]:
    def work(worker: int, barrier: threading.Barrier) -> None:
        database = Database.connect(url)
        try:
            barrier.wait()
            for i in range(APPENDS):
                try:
                    with database.transaction() as session:
                        audit.record(
                            session,
                            actor=f"member:{worker}",
                            action="test.appended",
                            subject=f"worker:{worker}",
                            now=utcnow(),
                            data={"i": i},
                        )
                        if i % ROLLBACK_EVERY == ROLLBACK_EVERY - 1:
                            raise Abandoned
                except Abandoned:
                    pass
        finally:
            database.dispose()

    return work


def committed_per_worker() -> int:
    return sum(1 for i in range(APPENDS) if i % ROLLBACK_EVERY != ROLLBACK_EVERY - 1)


def test_concurrent_appends_stay_one_chain(database: Database) -> None:
    run_together(WORKERS, appender(url_of(database)))

    total = WORKERS * committed_per_worker()
    with database.engine.connect() as connection:
        seqs = connection.execute(text("SELECT seq FROM audit_event ORDER BY seq")).scalars().all()
        prev_hashes = connection.execute(text("SELECT prev_hash FROM audit_event")).scalars().all()
        per_worker: dict[str, int] = dict(
            connection.execute(
                text("SELECT subject, COUNT(*) FROM audit_event GROUP BY subject")
            ).all()
        )
    assert seqs == list(range(1, total + 1))
    assert len(set(prev_hashes)) == total  # no two events follow the same one: no fork
    assert per_worker == {f"worker:{n}": committed_per_worker() for n in range(WORKERS)}
    with database.transaction() as session:
        verdict = verify_chain(session)
    assert verdict.ok, verdict
    assert verdict.head.seq == total


def test_verifying_while_others_append_never_reports_a_false_break(database: Database) -> None:
    """Verification reads the head and the events as one consistent state."""
    url = url_of(database)
    append = appender(url)
    verdicts: list[Verdict] = []
    writers_done = threading.Event()

    def work(n: int, barrier: threading.Barrier) -> None:
        # Workers 0..WORKERS-1 append; the last one verifies until the first writer is done.
        if n < WORKERS:
            try:
                append(n, barrier)
            finally:
                if n == 0:
                    writers_done.set()
            return
        checker = Database.connect(url)
        try:
            barrier.wait()
            while not writers_done.is_set():
                with checker.transaction() as session:
                    verdicts.append(verify_chain(session))
        finally:
            checker.dispose()

    run_together(WORKERS + 1, work)
    assert verdicts
    assert [v for v in verdicts if not v.ok] == []
