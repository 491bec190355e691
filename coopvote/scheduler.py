"""Ballots open and close on time with no request arriving, memberships lapse when their
term ends, and the register's retention rules are applied hourly: every ``coopvote serve``
worker runs this loop in the app's lifespan. Each tick is one transaction of conditional updates
(``ballots.service.catch_up_due``), so several workers, on several hosts, may tick at once
and each ballot still opens and closes exactly once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import anyio
from anyio import to_thread

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.clock import utcnow
from coopvote.cooperative import views as cooperative
from coopvote.db import Database
from coopvote.members import lapsing, retention
from coopvote.security import throttle

#: The longest wait between ticks, in seconds: how late a ballot defined (or rescheduled)
#: after the last tick may open or close.
POLL_SECONDS = 5.0

#: How often each worker applies the register's retention rules: erasure is due by the day,
#: so an hour late is on time.
PURGE_EVERY = timedelta(hours=1)

log = logging.getLogger("coopvote.scheduler")


def tick(database: Database, now: datetime) -> datetime | None:
    """Lapse the memberships whose term has ended (first, so that a ballot opening now
    leaves them off its roll: a lapse takes effect when the term ended), then open and close
    every ballot due at ``now`` and forget lapsed throttling counters; the next moment a ballot
    is due, if any."""
    with database.transaction() as session:
        lapsing.lapse_overdue(session, now=now)
    with database.transaction() as session:
        ballots.catch_up_due(session, now)
        throttle.purge(session, now)
        return ballot_views.next_due(session, now)


def seconds_to_wait(next_due: datetime | None, now: datetime) -> float:
    """Until the next due moment, but never longer than ``POLL_SECONDS``."""
    if next_due is None:
        return POLL_SECONDS
    return min(POLL_SECONDS, max((next_due - now).total_seconds(), 0.0))


def purge(database: Database, now: datetime) -> None:
    """Apply the register's retention rules (``members.retention``), as the co-operative's
    setting has them; ``coopvote register purge`` does the same by hand."""
    with database.transaction() as session:
        erase_after = timedelta(days=cooperative.current(session).erase_after_days)
        retention.purge(session, now=now, erase_after=erase_after)


async def _run(database: Database) -> None:
    purged_at: datetime | None = None
    while True:
        now = utcnow()
        if purged_at is None or now - purged_at >= PURGE_EVERY:
            purged_at = now
            try:
                await to_thread.run_sync(purge, database, now)
            except Exception:  # as a failed tick: the next hour tries again
                log.exception("applying the register's retention failed")
        try:
            due = await to_thread.run_sync(tick, database, now)
        except Exception:  # a locked or unreachable database: try again at the next tick
            log.exception("the scheduler's tick failed")
            due = None
        await anyio.sleep(seconds_to_wait(due, utcnow()))


@asynccontextmanager
async def running(database: Database) -> AsyncIterator[None]:
    """Tick in the background for as long as the app runs."""
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_run, database)
        yield
        tasks.cancel_scope.cancel()
