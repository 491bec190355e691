"""Engines and the unit of work: one transaction per request or CLI command."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

#: How long a unit of work waits, in seconds, for a lock, a pooled connection or a new
#: connection before it fails (and the request is answered 503); ``Settings.database_wait``.
DEFAULT_WAIT_SECONDS = 5.0
#: The execution option that marks a read-only unit of work.
READ_ONLY = "coopvote_read_only"

#: SQLite's primary result codes that say the database could not serve, not that the
#: statement was wrong: BUSY, LOCKED, NOMEM, IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL.
_SQLITE_UNAVAILABLE = frozenset({5, 6, 7, 10, 11, 13, 14, 15})
#: Free space, in bytes, below which SQLite's disk counts as full: room for a burst of votes
#: and a checkpoint's worth of write-ahead log, so the health check fails before a write does.
MIN_FREE_BYTES = 16 * 1024 * 1024


class DatabaseFull(Exception):
    """SQLite has no room for a write: the disk (or the file's ``max_page_count``) is full or
    all but, as ``Database.check_writable`` finds before any write fails."""


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database could not serve (locked past the wait, full,
    unreachable, out of pooled connections) rather than that the code asked something wrong:
    the first is "try again later" (503), the second a fault (500)."""
    if isinstance(error, sa_exc.TimeoutError | DatabaseFull):  # no pooled connection, no room
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, sa_exc.OperationalError):
        return False
    code = getattr(error.orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_UNAVAILABLE
    # PostgreSQL's operational errors are all of this kind: refused or lost connections, lock
    # and statement timeouts, a full disk, too many connections, an administrator's shutdown.
    return True


def make_engine(url: str, *, wait: float = DEFAULT_WAIT_SECONDS, **kwargs: Any) -> Engine:
    """An engine whose every wait is bounded by ``wait`` seconds: SQLite's busy timeout,
    PostgreSQL's connect and lock timeouts, and the pool's wait for a free connection."""
    # Errors must never echo bound values: they can be passwords' hashes or a voter's paper.
    kwargs.setdefault("hide_parameters", True)
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, wait, **kwargs)
    connect_args = {"connect_timeout": max(1, round(wait))}
    engine = create_engine(
        url, pool_pre_ping=True, pool_timeout=wait, connect_args=connect_args, **kwargs
    )

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # A row lock held by a stuck transaction must not hold every request behind it.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {round(wait * 1000)}")
        dbapi_connection.commit()

    @event.listens_for(engine, "begin")
    def begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


def _sqlite_engine(url: str, wait: float, **kwargs: Any) -> Engine:
    if make_url(url).database not in (None, "", ":memory:"):
        kwargs.setdefault("pool_timeout", wait)  # a file's engine pools its connections
        # Enough for every thread of the server's pool (anyio's 40) to read at once: a
        # connection to a file costs little, and waiting for one would only add latency.
        kwargs.setdefault("pool_size", 16)
        kwargs.setdefault("max_overflow", 32)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": wait}, **kwargs
    )

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={round(wait * 1000)}")
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
        truncate_wal(engine)
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM sealed_paper")


def truncate_wal(engine: Engine, *, wait: float | None = None) -> bool:
    """SQLite: copy the write-ahead log into the database file and truncate it, so that the
    log no longer holds the history of what was written (and in which transaction). It waits
    for readers of older snapshots for at most ``wait`` seconds (the busy timeout when
    ``None``); whether the log was emptied (not when such a reader outlasted the wait)."""
    raw = engine.raw_connection()  # outside SQLAlchemy's BEGIN: a checkpoint needs none
    try:
        cursor = raw.cursor()
        (usual,) = cursor.execute("PRAGMA busy_timeout").fetchone()
        if wait is not None:
            cursor.execute(f"PRAGMA busy_timeout={round(wait * 1000)}")
        try:
            busy, _frames, _copied = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout={usual}")
        return not busy
    finally:
        raw.close()


@dataclass(frozen=True)
class Database:
    """The engine, with two kinds of unit of work: ``sessions`` may write (on SQLite they hold
    the write lock from their first statement); ``read_sessions`` may not, and on SQLite run
    beside writers without waiting (the engine refuses any write they attempt)."""

    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str, *, wait: float = DEFAULT_WAIT_SECONDS, **options: Any) -> Database:
        """``options`` go to ``create_engine`` (e.g. ``pool_size``)."""
        engine = make_engine(url, wait=wait, **options)
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

    def check_writable(self) -> None:
        """Begin a writing transaction as a request would, make the database commit to a
        write, and roll back: raises what a write would meet (locked past the wait,
        unreachable, read-only, no free connection, and on SQLite ``DatabaseFull``); changes
        nothing.

        A rolled-back write never reaches the disk, so it cannot find a full one: on SQLite
        the room is measured instead — the file's page cap and the free space of its
        filesystem (``MIN_FREE_BYTES``). PostgreSQL's server, not this process, owns its disk:
        there a full disk is seen only when a write fails (503 too), or by the server's
        monitoring."""
        with self.engine.connect() as connection, connection.begin() as transaction:
            # SQLite took its write lock at BEGIN IMMEDIATE; PostgreSQL assigns a transaction
            # id only to a transaction that may write (a standby or read-only server refuses).
            if not self.is_sqlite:
                connection.exec_driver_sql("SELECT txid_current()")
            else:
                self._check_room(connection)
            transaction.rollback()

    def checkpoint(self, wait: float = 0.01) -> bool:
        """After a commit, empty SQLite's write-ahead log if it can within ``wait`` seconds
        (``truncate_wal``); whether it did. PostgreSQL keeps no such log in reach of the app's
        readers: nothing to do."""
        return truncate_wal(self.engine, wait=wait) if self.is_sqlite else True

    def _check_room(self, connection: Any) -> None:
        def pragma(name: str) -> int:
            return int(connection.exec_driver_sql(f"PRAGMA {name}").scalar_one())

        pages = pragma("max_page_count") - pragma("page_count") + pragma("freelist_count")
        if pages * pragma("page_size") < MIN_FREE_BYTES:
            raise DatabaseFull("the database file is at its max_page_count")
        path = self.engine.url.database
        if path and path != ":memory:":
            disk = os.statvfs(os.path.dirname(os.path.abspath(path)))
            if disk.f_bavail * disk.f_frsize < MIN_FREE_BYTES:
                raise DatabaseFull("the database's disk is full")

    def dispose(self) -> None:
        self.engine.dispose()
