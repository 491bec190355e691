from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import hypothesis
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from coopvote.app import create_app
from coopvote.ballots import keys as ballot_keys
from coopvote.db import Database
from coopvote.security.passwords import use_argon2
from coopvote.settings import ASVS_ARGON2, Environment, Settings
from tests.databases import PostgresDatabases, SQLiteDatabases, test_databases

TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-checks"

# CI draws the same examples on every run, so that a red run is never a new random draw, and
# waits out slow examples on a loaded machine; .ci/run chooses it.
hypothesis.settings.register_profile(
    "ci", derandomize=True, deadline=None, database=None, print_blob=True
)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


#: One ballot key file for every test, app and live server of a run (live servers inherit the
#: environment), so that a paper sealed by one can be opened by another.
BALLOT_KEY_FILE = os.environ.setdefault(
    "COOPVOTE_BALLOT_KEY_FILE", str(Path(tempfile.gettempdir()) / "coopvote-tests.ballot-key")
)

#: The settings of each worker's app; a test's own differ only in naming its database.
WORKER_SETTINGS = Settings(
    database_url="sqlite://",
    secret_key=TEST_SECRET,
    env=Environment.TEST,
    ballot_key_file=BALLOT_KEY_FILE,
)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> None:
    """The test environment's argon2 (and ballot key) for every test, with or without an app."""
    use_argon2(WORKER_SETTINGS.argon2)
    ballot_keys.use_settings(WORKER_SETTINGS)


@pytest.fixture
def password_hashing() -> Iterator[None]:
    """For a test that changes the process's argon2 parameters: the test ones come back after."""
    yield
    use_argon2(WORKER_SETTINGS.argon2)


@pytest.fixture
def asvs_password_hashing(password_hashing: None) -> None:
    """Production's argon2, for a test about it."""
    use_argon2(ASVS_ARGON2)


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
    return replace(
        WORKER_SETTINGS, database_url=database.engine.url.render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def worker_app() -> Litestar:
    """One app per test worker: building it takes longer than most tests. Until a test swaps
    its own database in, the app has an empty one in memory, so a test cannot reach another's."""
    return create_app(WORKER_SETTINGS)


@pytest.fixture
def app(worker_app: Litestar, database: Database) -> Litestar:
    worker_app.state.database = database
    return worker_app


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://testserver.local") as client:
        client.get("/api/v1/health")  # sets the CSRF cookie, as any first visit does
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        yield client
