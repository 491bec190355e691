"""The background worker: what must happen at a time, or after a request has been answered.

- Ballots open and close on time with no request arriving, and memberships lapse when their
  term ends. Each tick is one transaction of conditional updates
  (``ballots.service.catch_up_due``), so several workers, on several hosts, may tick at once
  and each ballot still opens and closes exactly once. The same tick queues ballots' reminders
  that are due (``mail.service.queue_due_reminders``, claimed alike).
- The register's retention rules are applied hourly.
- The outbox is delivered over SMTP (``mail.sender``), each message claimed with a lease, so
  that several workers never send one message twice.

Every ``coopvote serve`` worker runs it in the app's lifespan (unless started with
``--no-worker``); ``coopvote worker`` runs it alone, for larger installs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import anyio
from anyio import to_thread

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.clock import utcnow
from coopvote.cooperative import views as cooperative
from coopvote.db import Database
from coopvote.elections import service as elections
from coopvote.mail import sender
from coopvote.mail import service as mail
from coopvote.members import lapsing, retention
from coopvote.security import throttle
from coopvote.settings import Settings

#: The longest wait between ticks, in seconds: how late a ballot defined (or rescheduled)
#: after the last tick may open or close.
POLL_SECONDS = 5.0
#: How often the outbox is looked at when it was last found empty, in seconds.
MAIL_POLL_SECONDS = 2.0

#: How often each worker applies the register's retention rules: erasure is due by the day,
#: so an hour late is on time.
PURGE_EVERY = timedelta(hours=1)

log = logging.getLogger("coopvote.scheduler")


def tick(database: Database, now: datetime) -> datetime | None:
    """Lapse the memberships whose term has ended (first, so that a ballot opening now
    leaves them off its roll: a lapse takes effect when the term ended), then open and close
    every ballot due at ``now``, queue its due reminders and forget lapsed throttling counters;
    the next moment a ballot is due, if any."""
    with database.transaction() as session:
        lapsing.lapse_overdue(session, now=now)
    with database.transaction() as session:
        elections.close_due(session, now)  # before ballots: a contest's ballot may be due
        ballots.catch_up_due(session, now)
        throttle.purge(session, now)
        mail.queue_due_reminders(session, now)
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


async def _deliver(database: Database, settings: Settings, renderer: sender.Renderer) -> None:
    while True:
        try:
            sent = await to_thread.run_sync(
                sender.deliver_due, database, settings, renderer, utcnow
            )
        except Exception:  # the database failed: the messages stay queued for the next round
            log.exception("delivering mail failed")
            sent = 0
        # A full batch went: more may be waiting. Otherwise look again in a moment.
        await anyio.sleep(0 if sent else MAIL_POLL_SECONDS)


@asynccontextmanager
async def running(database: Database, settings: Settings, templates: Path) -> AsyncIterator[None]:
    """Work in the background for as long as the app (or ``coopvote worker``) runs."""
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_run, database)
        if settings.smtp_host:
            tasks.start_soon(_deliver, database, settings, sender.Renderer(templates, settings))
        else:
            log.warning("no COOPVOTE_SMTP_HOST: mail waits in the outbox, unsent")
        yield
        tasks.cancel_scope.cancel()
