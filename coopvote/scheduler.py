"""Ballots open and close on time with no request arriving: every ``coopvote serve`` worker
runs this loop in the app's lifespan. Each tick is one transaction of conditional updates
(``ballots.service.catch_up_due``), so several workers, on several hosts, may tick at once
and each ballot still opens and closes exactly once."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import anyio
from anyio import to_thread

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.security import throttle

#: The longest wait between ticks, in seconds: how late a ballot defined (or rescheduled)
#: after the last tick may open or close.
POLL_SECONDS = 5.0

log = logging.getLogger("coopvote.scheduler")


def tick(database: Database, now: datetime) -> datetime | None:
    """Open and close every ballot due at ``now``, and forget lapsed throttling counters; the
    next moment a ballot is due, if any."""
    with database.transaction() as session:
        ballots.catch_up_due(session, now)
        throttle.purge(session, now)
        return ballot_views.next_due(session, now)


def seconds_to_wait(next_due: datetime | None, now: datetime) -> float:
    """Until the next due moment, but never longer than ``POLL_SECONDS``."""
    if next_due is None:
        return POLL_SECONDS
    return min(POLL_SECONDS, max((next_due - now).total_seconds(), 0.0))


async def _run(database: Database) -> None:
    while True:
        now = utcnow()
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
