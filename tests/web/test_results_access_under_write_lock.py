"""A GET is a reader: deciding whether an anonymous visitor may read results must not queue
for SQLite's write lock (README: "reading transactions (every GET) begin deferred and
read-only, beside the writers ... only writers take the lock")."""

from __future__ import annotations

import sqlite3
import time

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from coopvote.db import Database


def test_an_anonymous_get_of_results_runs_beside_a_writer(
    worker_app: Litestar, database: Database
) -> None:
    if not database.is_sqlite:
        pytest.skip("the write lock taken at BEGIN is SQLite's")
    url = database.engine.url
    # A short wait, so that the defect shows in a second rather than five.
    quick = Database.connect(url.render_as_string(hide_password=False), wait=1.0)
    worker_app.state.database = quick
    assert url.database is not None
    writer = sqlite3.connect(url.database, isolation_level=None)
    try:
        with TestClient(worker_app, base_url="http://testserver.local") as client:
            assert client.get("/", follow_redirects=False).status_code == 200
            writer.execute("BEGIN IMMEDIATE")  # another worker is writing (a vote, say)
            started = time.monotonic()
            home = client.get("/", follow_redirects=False)
            results = client.get("/results", follow_redirects=False)
            took = time.monotonic() - started
            writer.execute("ROLLBACK")
    finally:
        writer.close()
        quick.dispose()
    assert home.status_code == 200
    # Results are not public by default: the visitor is sent to sign in, at once.
    assert results.status_code == 303, results.status_code
    assert took < 0.9, took
