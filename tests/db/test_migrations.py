import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from coopvote.db import Database
from coopvote.schema import metadata


def test_migrations_match_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("pragmas are SQLite's")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert (connection.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 5000
