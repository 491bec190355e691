"""A request's unit of work ends whatever happens to the request."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from coopvote.db import Database
from coopvote.web.deps import UNIT_OF_WORK, end_failed_unit_of_work


def test_a_failed_request_ends_a_unit_of_work_its_dependencies_left_open(
    database: Database,
) -> None:
    """Litestar finalises a dependency that yielded only when the dependency is collected; if
    a later dependency refused the request, that can wait for the cycle collector, and the
    transaction (on SQLite the write lock) with it. The after-exception hook ends it at once."""
    session = database.sessions()
    session.execute(text("SELECT 1"))  # the transaction has begun
    scope: dict[str, Any] = {"state": {UNIT_OF_WORK: session}}
    assert database.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    asyncio.run(end_failed_unit_of_work(RuntimeError("refused"), scope))  # type: ignore[arg-type]
    assert database.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert UNIT_OF_WORK not in scope["state"]
