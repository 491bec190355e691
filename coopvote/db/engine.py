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
#: The execution option that marks a read-only unit of work.
READ_ONLY = "coopvote_read_only"


def make_engine(url: str, **kwargs: Any) -> Engine:
    # Errors must never echo bound values: they can be passwords' hashes or a voter's paper.
    kwargs.setdefault("hide_parameters", True)
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    engine = create_engine(url, pool_pre_ping=True, **kwargs)

    @event.listens_for(engine, "begin")
    def begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


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
    def begin(connection: Any) -> None:
        # Writers take the write lock at BEGIN: a deferred transaction that reads and then
        # writes can fail with SQLITE_BUSY when another writer committed in between, and
        # busy_timeout cannot help it. Readers begin deferred and never wait for writers
        # under WAL; query_only makes any write among them fail at once.
        read_only = bool(connection.get_execution_options().get(READ_ONLY))
        raw = connection.connection.dbapi_connection
        if connection.connection.info.get(READ_ONLY) != read_only:
            raw.execute(f"PRAGMA query_only={int(read_only)}")
            connection.connection.info[READ_ONLY] = read_only
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


COMPACT = "compact_after_commit"


def compact_after_commit(session: Session) -> None:
    """Ask for the engine's traces of deleted and rewritten rows to be cleared once this
    transaction commits: SQLite checkpoints and truncates its write-ahead log; PostgreSQL
    vacuums the table of sealed papers. Neither can run inside a transaction."""
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
        connection.exec_driver_sql("VACUUM sealed_paper")


@dataclass(frozen=True)
class Database:
    """The engine, with two kinds of unit of work: ``sessions`` may write (on SQLite they hold
    the write lock from their first statement); ``read_sessions`` may not, and on SQLite run
    beside writers without waiting (the engine refuses any write they attempt)."""

    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str) -> Database:
        engine = make_engine(url)
        sessions = sessionmaker(engine, class_=Session, expire_on_commit=False)
        event.listen(sessions, "after_commit", _compact)
        reader = engine.execution_options(**{READ_ONLY: True})
        return cls(engine, sessions, sessionmaker(reader, class_=Session, expire_on_commit=False))

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

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work: it sees one consistent snapshot and writes nothing."""
        with self.read_sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
