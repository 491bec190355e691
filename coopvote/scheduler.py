"""The background worker: what must happen at a time, or after a request has been answered.

- Ballots open and close on time with no request arriving. Each tick is one transaction of
  conditional updates (``ballots.service.catch_up_due``), so several workers, on several hosts,
  may tick at once and each ballot still opens and closes exactly once. The same tick queues
  ballots' reminders that are due (``mail.service.queue_due_reminders``, claimed alike).
- The outbox is delivered over SMTP (``mail.sender``), each message claimed with a lease, so
  that several workers never send one message twice.

Every ``coopvote serve`` worker runs it in the app's lifespan (unless started with
``--no-worker``); ``coopvote worker`` runs it alone, for larger installs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import anyio
from anyio import to_thread

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.mail import sender
from coopvote.mail import service as mail
from coopvote.settings import Settings

#: The longest wait between ticks, in seconds: how late a ballot defined (or rescheduled)
#: after the last tick may open or close.
POLL_SECONDS = 5.0
#: How often the outbox is looked at when it was last found empty, in seconds.
MAIL_POLL_SECONDS = 2.0

log = logging.getLogger("coopvote.scheduler")


def tick(database: Database, now: datetime) -> datetime | None:
    """Open and close every ballot due at ``now`` and queue its due reminders; the next
    moment one is due, if any."""
    with database.transaction() as session:
        ballots.catch_up_due(session, now)
        mail.queue_due_reminders(session, now)
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
