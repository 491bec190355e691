"""Compaction after closing a ballot runs once the request's whole transaction has committed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from coopvote.db import Database
from coopvote.db.engine import COMPACT, compact_after_commit


def test_a_released_savepoint_leaves_compaction_for_the_outer_commit(database: Database) -> None:
    with database.transaction() as session:
        with session.begin_nested():
            compact_after_commit(session)
        assert session.info.get(COMPACT)
    assert COMPACT not in session.info


def test_sqlite_truncates_its_log_after_the_outer_commit(database: Database) -> None:
    if not database.is_sqlite:
        pytest.skip("the write-ahead log is SQLite's")
    database_file = database.engine.url.database
    assert database_file
    with database.transaction() as session:
        session.execute(text("INSERT INTO constituency (slug, name) VALUES ('x', 'X')"))
        with session.begin_nested():
            compact_after_commit(session)
    assert os.path.getsize(Path(f"{database_file}-wal")) == 0
