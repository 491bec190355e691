"""Group commit of votes: each worker process writes the votes that arrive together in one
transaction, so that a burst of voters costs one durable commit per batch instead of one each.

A request hands its vote to the process's ``Caster`` and waits, without holding a database
connection, a thread or SQLite's write lock, until its batch has committed. The caster's one
writer thread gathers what is queued (for at most ``window`` seconds after the first vote
arrives, at most ``max_batch`` votes), casts the batch with ``service.cast_votes`` in one
transaction and answers each vote: its tracker, its own refusal (which never undoes anyone
else's), or, when the transaction itself failed, that failure (so every vote in it is answered
as not recorded). Only after the commit is a vote acknowledged, so a 201 survives a power cut
(SQLite ``synchronous=FULL``). With one writer per process, votes never queue on SQLite's
lock behind each other, and the pool is never drained by voters.

Secrecy: a batch's marks and board entries share one transaction, and the board takes them in
the order of their trackers, so a reader of the database's history (SQLite's write-ahead log,
PostgreSQL's ``xmin``) can pair a batch's voters with its trackers only as a whole; on SQLite
the log is checkpointed and truncated after each batch, whenever no reader still needs it
(docs/secrecy.md says what remains).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from coopvote.ballots import rules, service, views
from coopvote.ballots.models import Ballot
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.errors import Conflict, DomainError
from coopvote.members.models import Role

#: How long, in seconds, the writer waits after a batch's first vote for others to join it.
#: A few milliseconds: a burst fills it long before, a lone voter hardly notices it.
WINDOW = 0.002
#: The most votes written in one transaction.
MAX_BATCH = 256
#: How long, in seconds, a worker remembers a vote's answer by the idempotency key it came
#: with, so that a retry after a lost response gets the same receipt: in memory only, never
#: in the database (docs/secrecy.md, "A vote retried").
REMEMBER_SECONDS = 600.0

log = logging.getLogger("coopvote.casting")


@dataclass(frozen=True)
class Cast:
    """A vote that was recorded: the ballot as it was when cast, and the paper's tracker."""

    ballot: Ballot
    tracker: str


@dataclass
class _Request:
    database: Database
    ballot_id: str
    member_id: int
    roles: Collection[Role]
    paper: Mapping[str, Any]
    loop: asyncio.AbstractEventLoop
    answer: asyncio.Future[Cast] = field(repr=False)


class Caster:
    """One process's writer of votes; ``cast`` may be awaited from any request."""

    def __init__(self, *, window: float = WINDOW, max_batch: int = MAX_BATCH) -> None:
        self.window, self.max_batch = window, max_batch
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        #: (member, ballot, idempotency key) → (when, the answer), oldest first; touched only
        #: by the coroutines of ``cast``, on the event loop.
        self._answered: dict[tuple[int, str, str], tuple[float, Cast]] = {}

    async def cast(
        self,
        database: Database,
        ballot_id: str,
        *,
        member_id: int,
        roles: Collection[Role],
        paper: Mapping[str, Any],
        idempotency_key: str | None = None,
    ) -> Cast:
        """Cast ``member_id``'s ``paper`` in the ballot with public id ``ballot_id`` (as a
        viewer with ``roles`` sees it) and return once it is committed. Raises the vote's
        refusal (a ``DomainError``: not found, closed, not on the roll, already voted, a bad
        paper) or what failed the batch's transaction (e.g. the database unavailable).

        A vote sent again with the same ``idempotency_key`` by the same member within
        ``REMEMBER_SECONDS``, to this worker, gets the first one's answer instead of "already
        voted" (a retry after a lost response, as payment APIs do)."""
        key = (member_id, ballot_id, idempotency_key) if idempotency_key else None
        if key is not None and (kept := self._recall(key)) is not None:
            return kept
        self._start()
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Cast] = loop.create_future()
        self._queue.put(
            _Request(database, ballot_id, member_id, roles, paper, loop=loop, answer=answer)
        )
        try:
            cast = await answer
        except Conflict:
            # The same attempt twice at once: the other was cast in the same or an earlier batch.
            if key is not None and (kept := self._recall(key)) is not None:
                return kept
            raise
        if key is not None:
            self._answered[key] = (time.monotonic(), cast)
        return cast

    def _recall(self, key: tuple[int, str, str]) -> Cast | None:
        """The answer kept for ``key``, forgetting every answer older than the memory's span."""
        horizon = time.monotonic() - REMEMBER_SECONDS
        while self._answered:
            oldest = next(iter(self._answered))
            if self._answered[oldest][0] >= horizon:
                break
            del self._answered[oldest]
        kept = self._answered.get(key)
        return kept[1] if kept else None

    def stop(self) -> None:
        """Write what is queued, then end the writer thread (at the app's shutdown)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="coopvote-caster", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            deadline = time.monotonic() + self.window
            while len(batch) < self.max_batch:
                try:
                    timeout = deadline - time.monotonic()
                    item = (
                        self._queue.get(timeout=timeout)
                        if timeout > 0
                        else self._queue.get_nowait()
                    )
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            # In tests the app's database is swapped between tests: write each to its own.
            for database in {id(r.database): r.database for r in batch}.values():
                self._write(database, [r for r in batch if r.database is database])

    def _write(self, database: Database, batch: list[_Request]) -> None:
        try:
            with database.transaction() as session:
                now = utcnow()
                found: dict[str, Ballot | DomainError] = {}
                votes = [_vote(session, request, now, found) for request in batch]
                cast = iter(
                    service.cast_votes(
                        session, [v for v in votes if isinstance(v, service.Vote)], now
                    )
                )
                outcomes = [
                    vote if isinstance(vote, DomainError) else _outcome(vote.ballot, next(cast))
                    for vote in votes
                ]
        except Exception as failure:  # the transaction failed: no vote in it was recorded
            log.warning("a batch of %d votes was not recorded: %r", len(batch), failure)
            for request in batch:
                _answer(request, failure)
            return
        for request, outcome in zip(batch, outcomes, strict=True):
            _answer(request, outcome)
        # After answering: the next batch gathers meanwhile. A reader of an older snapshot
        # makes it wait at most 10 ms and keep the log until a later batch (docs/secrecy.md).
        try:
            database.checkpoint(wait=0.01)
        except Exception:  # the log stays until the next batch's checkpoint
            log.warning("the write-ahead log could not be checkpointed", exc_info=True)


def _vote(
    session: Session, request: _Request, now: datetime, found: dict[str, Ballot | DomainError]
) -> service.Vote | DomainError:
    """The vote a request asks for, or why it cannot be cast: no such ballot, or one this
    voter may not see. ``found`` keeps the ballots the batch has looked up by public id, so
    its votes in one ballot share one loaded row."""
    if request.ballot_id not in found:
        try:
            found[request.ballot_id] = views.find_ballot(session, request.ballot_id)
        except DomainError as refusal:
            found[request.ballot_id] = refusal
    ballot = found[request.ballot_id]
    if isinstance(ballot, DomainError):
        return ballot
    try:
        rules.ensure_can_see(ballot, request.roles, now)
    except DomainError as refusal:
        return refusal
    return service.Vote(ballot, request.member_id, request.paper)


def _outcome(ballot: Ballot, cast: str | DomainError) -> Cast | DomainError:
    return Cast(ballot, cast) if isinstance(cast, str) else cast


def _answer(request: _Request, outcome: Cast | BaseException) -> None:
    """Settle a request's future from the writer thread, on its own event loop."""

    def settle() -> None:
        if request.answer.done():  # the client went away: its vote stands all the same
            return
        if isinstance(outcome, BaseException):
            request.answer.set_exception(outcome)
        else:
            request.answer.set_result(outcome)

    # A closed loop: the server stopped while the batch ran; nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        request.loop.call_soon_threadsafe(settle)
