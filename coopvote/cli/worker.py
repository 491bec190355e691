"""`coopvote worker`: the background work alone — ballots opened and closed on time,
reminders, mail delivered — for installs that serve with `coopvote serve --no-worker`."""

from __future__ import annotations

import logging

import anyio
import click

from coopvote.ballots import keys
from coopvote.cli.context import settings


@click.command()
def worker() -> None:
    """Open and close ballots on time, send reminders and deliver mail, until stopped."""
    from coopvote import scheduler
    from coopvote.app import TEMPLATES
    from coopvote.db import Database
    from coopvote.schema.migrate import upgrade

    current = settings()
    keys.use_settings(current)  # closing a ballot opens its box with the server's key
    database = Database.connect(current.database_url, wait=current.database_wait.total_seconds())
    upgrade(database.engine)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(f"coopvote worker for {current.cooperative_name}: press Ctrl-C to stop")

    async def run() -> None:
        async with scheduler.running(database, current, TEMPLATES):
            await anyio.sleep_forever()

    try:
        anyio.run(run)
    except KeyboardInterrupt:
        pass
    finally:
        database.dispose()
