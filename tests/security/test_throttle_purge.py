"""Throttling counters are forgotten once their count has lapsed: the scheduler's tick purges
them, so the table holds live counts only (it grew with every address ever seen)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from coopvote import scheduler
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.security import throttle
from coopvote.security.models import ThrottleCounter

MINUTE = timedelta(minutes=1)


def keys(database: Database) -> set[str]:
    with database.reading() as session:
        return set(session.exec(select(ThrottleCounter.key)).all())


def test_the_scheduler_purges_lapsed_counters_and_keeps_live_ones(database: Database) -> None:
    start = utcnow()
    limits: dict[str, throttle.Limit] = {
        "backoff": throttle.Backoff(5, timedelta(seconds=1), MINUTE, forget_after=10 * MINUTE),
        "rate": throttle.RateLimit(3, per=MINUTE),
    }
    with database.transaction() as session:
        assert throttle.count(session, limits, start) == throttle.NO_WAIT
    scheduler.tick(database, start + 2 * MINUTE)  # the rate's period is over
    assert keys(database) == {"backoff"}
    scheduler.tick(database, start + 11 * MINUTE)  # a quiet spell: the back-off is forgotten
    assert keys(database) == set()
