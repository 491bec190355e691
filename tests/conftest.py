from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from coopvote.app import create_app
from coopvote.db import Database
from coopvote.settings import Environment, Settings
from tests.databases import PostgresDatabases, SQLiteDatabases, test_databases

TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-checks"


@pytest.fixture(scope="session")
def databases(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SQLiteDatabases | PostgresDatabases]:
    yield from test_databases(tmp_path_factory.mktemp("databases"))


@pytest.fixture
def database(databases: SQLiteDatabases | PostgresDatabases, tmp_path: Path) -> Iterator[Database]:
    database = Database.connect(databases.fresh(tmp_path))
    yield database
    database.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A unit of work that commits at the end of the test's setup and use."""
    with database.transaction() as session:
        yield session


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(
        database_url=str(database.engine.url.render_as_string(hide_password=False)),
        secret_key=TEST_SECRET,
        env=Environment.TEST,
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> Litestar:
    return create_app(settings, database)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://testserver.local") as client:
        client.get("/api/v1/health")  # sets the CSRF cookie, as any first visit does
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        yield client
