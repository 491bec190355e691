"""Fresh, migrated databases for tests: SQLite by default, PostgreSQL when
``COOPVOTE_TEST_DATABASE_URL`` is set (each test run gets a schema of its own)."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, insert, text
from sqlalchemy.engine import make_url

from coopvote.db import Database
from coopvote.schema.migrate import upgrade

POSTGRES_URL = os.environ.get("COOPVOTE_TEST_DATABASE_URL", "")


class SQLiteDatabases:
    """Migrate once, then give each test a copy of the file."""

    def __init__(self, workdir: Path) -> None:
        self.template = workdir / "template.db"
        database = Database.connect(f"sqlite:///{self.template}")
        upgrade(database.engine)
        database.dispose()

    def fresh(self, directory: Path) -> str:
        target = directory / "coopvote.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def close(self) -> None:
        pass


class PostgresDatabases:
    """Migrate one schema per test run, then empty it and restore its seed rows per test."""

    def __init__(self, url: str) -> None:
        self.schema = f"coopvote_test_{os.getpid()}_{secrets.token_hex(4)}"
        self.admin = create_engine(url)
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        self.url = make_url(url).update_query_dict({"options": f"-csearch_path={self.schema}"})
        self.url_string = self.url.render_as_string(hide_password=False)
        database = Database.connect(self.url_string)
        upgrade(database.engine)
        self.metadata = MetaData()
        with database.engine.connect() as connection:
            self.metadata.reflect(connection)
            self.seed: dict[str, list[dict[str, Any]]] = {
                table.name: [dict(row._mapping) for row in connection.execute(table.select())]
                for table in self.metadata.sorted_tables
            }
        database.dispose()
        self.engine = create_engine(self.url)

    def fresh(self, directory: Path) -> str:
        del directory
        tables = [t for t in self.metadata.sorted_tables if t.name != "alembic_version"]
        with self.engine.begin() as connection:
            names = ", ".join(f'"{t.name}"' for t in tables)
            # The append-only tables' triggers refuse TRUNCATE; the harness, as the database's
            # owner, empties them with triggers off for this transaction.
            connection.execute(text("SET LOCAL session_replication_role = replica"))
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            for table in tables:
                if self.seed[table.name]:
                    connection.execute(insert(table), self.seed[table.name])
        return self.url_string

    def close(self) -> None:
        self.engine.dispose()
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.admin.dispose()


def test_databases(workdir: Path) -> Iterator[SQLiteDatabases | PostgresDatabases]:
    databases = PostgresDatabases(POSTGRES_URL) if POSTGRES_URL else SQLiteDatabases(workdir)
    try:
        yield databases
    finally:
        databases.close()
