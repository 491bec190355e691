"""Throttling, kept in the database so that every worker sees the same counts.

Two shapes of limit share one table of counters (``ThrottleCounter``):

- ``Backoff`` for failed sign-ins: a few failures are free, then each further attempt waits a
  delay that doubles with every failure, up to a cap, and the count is forgotten after a quiet
  spell. Nobody is ever locked out for good, and guessing slows to one try per ``cap``
  (ASVS 5.0 6.3.1 / 6.1.1: throttle guessing without letting attackers lock owners out).
- ``RateLimit`` for registrations: at most ``limit`` within ``per``.

Counting and checking are one step under a row lock (``count``), taken *before* any
password is hashed, so parallel attempts are counted one after the other and no more
passwords are checked than the limits allow.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from coopvote.members.models import normalise_email
from coopvote.security.models import KnownClient, ThrottleCounter

NO_WAIT = timedelta(0)


class Limit(Protocol):
    def wait(self, counter: ThrottleCounter, now: datetime) -> timedelta:
        """How long until one more attempt may be made (``NO_WAIT``: now)."""
        ...

    def fresh(self, counter: ThrottleCounter, now: datetime) -> bool:
        """Whether the counter's count has lapsed and starts again from nothing."""
        ...

    def lapses_at(self, counter: ThrottleCounter) -> datetime:
        """When the counter's count lapses, unless it grows again before."""
        ...


@dataclass(frozen=True)
class Backoff:
    """``free`` attempts without delay; after that, ``base`` doubled with each further one, at
    most ``cap``; the count lapses after ``forget_after`` without an attempt."""

    free: int
    base: timedelta
    cap: timedelta
    forget_after: timedelta

    def delay(self, count: int) -> timedelta:
        """The pause due after ``count`` counted attempts."""
        if count < self.free:
            return NO_WAIT
        doublings = min(count - self.free, 40)  # 2**40 seconds is past any cap
        return min(self.base * (1 << doublings), self.cap)

    def wait(self, counter: ThrottleCounter, now: datetime) -> timedelta:
        if self.fresh(counter, now):
            return NO_WAIT
        return max(counter.last_at + self.delay(counter.count) - now, NO_WAIT)

    def fresh(self, counter: ThrottleCounter, now: datetime) -> bool:
        return now - counter.last_at > self.forget_after

    def lapses_at(self, counter: ThrottleCounter) -> datetime:
        return counter.last_at + self.forget_after


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` attempts in each period of ``per``, from the period's first."""

    limit: int
    per: timedelta

    def wait(self, counter: ThrottleCounter, now: datetime) -> timedelta:
        if self.fresh(counter, now) or counter.count < self.limit:
            return NO_WAIT
        return counter.first_at + self.per - now

    def fresh(self, counter: ThrottleCounter, now: datetime) -> bool:
        return now - counter.first_at >= self.per

    def lapses_at(self, counter: ThrottleCounter) -> datetime:
        return counter.first_at + self.per


def key(*parts: str) -> str:
    """A counter's key: a SHA-256, so the table holds no email address or client address."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def account_key(email: str) -> str:
    return key("account", normalise_email(email))


def address_key(address: str) -> str:
    return key("address", address)


def client_key(email: str, address: str) -> str:
    """An account signed into from one client address."""
    return key("client", normalise_email(email), address)


def count(session: Session, limits: Mapping[str, Limit], now: datetime) -> timedelta:
    """Check and count one attempt against each key's limit, atomically: under the counters'
    row locks, taken in the keys' order so that two attempts never wait on each other. When
    any limit says wait, nothing is counted (a refused attempt never lengthens the wait) and
    the longest wait is returned; otherwise every counter grows by one, and ``NO_WAIT``."""
    counters = _locked(session, sorted(limits), now)
    waits = [limits[c.key].wait(c, now) for c in counters]
    if any(waits):
        return max(waits)
    for counter in counters:
        if limits[counter.key].fresh(counter, now):
            counter.count, counter.first_at = 0, now
        counter.count += 1
        counter.last_at = now
        counter.lapses_at = limits[counter.key].lapses_at(counter)
        session.add(counter)
    session.flush()
    return NO_WAIT


def uncount(session: Session, keys: Iterable[str], now: datetime) -> None:
    """Take back one attempt counted against each key: it turned out not to be a failure."""
    for counter in _locked(session, sorted(keys), now):
        counter.count = max(counter.count - 1, 0)
        session.add(counter)
    session.flush()


def purge(session: Session, now: datetime) -> int:
    """Delete the counters whose count has lapsed (each would start again from nothing), so
    that the table holds only live counts; how many. The scheduler runs it at each tick."""
    lapsed = delete(ThrottleCounter).where(col(ThrottleCounter.lapses_at) < now)
    return int(session.execute(lapsed).rowcount)  # type: ignore[attr-defined]


def forget(session: Session, keys: Iterable[str]) -> None:
    session.execute(delete(ThrottleCounter).where(col(ThrottleCounter.key).in_(list(keys))))


def counted(session: Session, key: str) -> int:
    counter = session.get(ThrottleCounter, key)
    return counter.count if counter else 0


def is_known(session: Session, key: str) -> bool:
    return session.get(KnownClient, key) is not None


def remember(session: Session, key: str, now: datetime) -> None:
    known = session.get(KnownClient, key) or KnownClient(key=key, last_at=now)
    known.last_at = now
    session.add(known)
    session.flush()


def _locked(session: Session, keys: list[str], now: datetime) -> list[ThrottleCounter]:
    """The counters for ``keys``, created if need be and locked until the transaction ends.
    The insert skips a key that exists (another worker may create it at the same moment).
    A lapsed counter purged between the insert and the lock is created again."""
    if not keys:
        return []
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    new = [{"key": k, "count": 0, "first_at": now, "last_at": now, "lapses_at": now} for k in keys]
    query = (
        select(ThrottleCounter)
        .where(col(ThrottleCounter.key).in_(keys))
        .order_by(col(ThrottleCounter.key))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    for _ in range(3):
        session.execute(insert(ThrottleCounter).values(new).on_conflict_do_nothing())
        counters = list(session.exec(query))
        if len(counters) == len(keys):
            break
    return counters
