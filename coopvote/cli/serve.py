"""`coopvote serve`: migrate the database, then serve the app."""

from __future__ import annotations

import copy
import logging
from typing import Any

import click

from coopvote.cli.context import settings
from coopvote.db import Database
from coopvote.schema.migrate import upgrade


class EscapeControls(logging.Filter):
    """Escapes control characters in a record's arguments: uvicorn's access log writes the
    client's request line, which must not forge log lines or send terminal escapes."""

    def filter(self, record: logging.LogRecord) -> bool:
        from coopvote.web.errors import loggable

        if isinstance(record.args, tuple):
            record.args = tuple(loggable(a) if isinstance(a, str) else a for a in record.args)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging, with every handler escaping what it writes."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"escape_controls": {"()": EscapeControls}}
    for handler in config["handlers"].values():
        handler["filters"] = ["escape_controls"]
    return config


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="Worker processes; on PostgreSQL several hosts may run several each.",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Leave the background work (ballots on time, mail) to `coopvote worker`.",
)
def serve(host: str, port: int, workers: int, no_worker: bool) -> None:
    """Migrate the database, then serve the app."""
    import os

    import uvicorn

    from coopvote.app import NO_WORKER

    if no_worker:
        os.environ[NO_WORKER] = "1"  # read by each uvicorn worker's app_from_env

    current = settings()
    database = Database.connect(current.database_url)
    upgrade(database.engine)
    database.dispose()
    click.echo(f"coopvote is serving {current.cooperative_name} at http://{host}:{port}/")
    uvicorn.run(
        "coopvote.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # The app reads X-Forwarded-For itself, trusting only COOPVOTE_TRUSTED_PROXIES hops
        # (web.deps.client_address): uvicorn must leave the connection's address alone.
        proxy_headers=False,
        log_level="info",
        log_config=log_config(),
    )
