"""Engines and the unit of work: one transaction per request or CLI command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 15_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    # Errors must never echo bound values: they can be passwords' hashes or a voter's paper.
    kwargs.setdefault("hide_parameters", True)
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **kwargs,
    )

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged vote survives a power cut
        cursor.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left behind
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin_immediate(connection: Any) -> None:
        # Take the write lock at BEGIN: a deferred transaction that reads and then writes can
        # fail with SQLITE_BUSY when another writer committed in between, and busy_timeout
        # cannot help it. Readers are not blocked under WAL.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


COMPACT = "compact_after_commit"


def compact_after_commit(session: Session) -> None:
    """Ask for the engine's traces of deleted and rewritten rows to be cleared once this
    transaction commits: SQLite checkpoints and truncates its write-ahead log; PostgreSQL
    vacuums the table of papers. Neither can run inside a transaction."""
    session.info[COMPACT] = True


def _compact(session: Session) -> None:
    # Releasing a savepoint is a "commit" too, but the transaction still holds its lock and its
    # traces: compacting then would wait out the busy timeout and clear nothing.
    if session.in_nested_transaction() or not session.info.pop(COMPACT, False):
        return
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()  # outside SQLAlchemy's BEGIN: a checkpoint needs none
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM paper")


@dataclass(frozen=True)
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str) -> Database:
        engine = make_engine(url)
        sessions = sessionmaker(engine, class_=Session, expire_on_commit=False)
        event.listen(sessions, "after_commit", _compact)
        return cls(engine, sessions)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on any error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
