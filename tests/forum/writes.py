"""Watching the database for writes, so that tests can hold reads to never writing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import event

from coopvote.db import Database

WRITING = ("insert", "update", "delete", "replace", "merge", "upsert")


@contextmanager
def writes_during(database: Database) -> Iterator[list[str]]:
    """Every statement sent to the database inside the block that changes a row or locks one
    to change it (``SELECT … FOR UPDATE``)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        text = " ".join(statement.split()).lower()
        if text.startswith(WRITING) or "for update" in text:
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def read_without_writing(
    client: TestClient[Any], database: Database, paths: Sequence[tuple[str, int]]
) -> tuple[list[tuple[str, int]], list[str]]:
    """GET each path; return each path with the status it answered, and any writes made."""
    with writes_during(database) as writes:
        answered = [(path, client.get(path).status_code) for path, _ in paths]
    return answered, writes
