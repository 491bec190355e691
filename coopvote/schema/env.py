"""Alembic environment: runs against the connection it is handed, or COOPVOTE_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from coopvote.db.engine import make_engine
from coopvote.schema import metadata
from coopvote.settings import Settings


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given: Connection | None = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = make_engine(Settings.from_env().database_url)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()
