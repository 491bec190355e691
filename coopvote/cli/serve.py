"""`coopvote serve`: migrate the database, then serve the app."""

from __future__ import annotations

import click

from coopvote.cli.context import settings
from coopvote.db import Database
from coopvote.schema.migrate import upgrade


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
def serve(host: str, port: int, workers: int) -> None:
    """Migrate the database, then serve the app."""
    import uvicorn

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
    )
