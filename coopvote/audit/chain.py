"""The hash chain, pure: canonical serialisation, linking and verification.

Each event's hash is SHA-256 over the previous event's hash and the event's canonical
serialisation, so changing, removing, inserting or re-ordering any event changes every hash
after it. An auditor who keeps a copy of the head (sequence number and hash) can later prove
that the history up to that point was not rewritten.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

GENESIS_HASH = "0" * 64


class Linked(Protocol):
    """What verification reads of an event; the database model satisfies it."""

    @property
    def seq(self) -> int: ...
    @property
    def at(self) -> datetime: ...
    @property
    def actor(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def data(self) -> Mapping[str, Any]: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: one byte string for one value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_time(at: datetime) -> str:
    """The instant in UTC with microseconds, e.g. ``2026-11-22T09:30:00.000000+00:00``."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    data: Mapping[str, Any],
) -> str:
    body = {
        "seq": seq,
        "at": canonical_time(at),
        "actor": actor,
        "action": action,
        "subject": subject,
        "data": data,
    }
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical_json(body)).hexdigest()


def commitment(salt: str, text: str) -> str:
    """What the hashed data holds of a kept-apart note (``AuditNote``): the SHA-256 of its
    salt and text. Erasing the note leaves the event's hash, and so the chain, unchanged."""
    return hashlib.sha256(f"{salt}\n{text}".encode()).hexdigest()


#: The key of an event's data under which the commitments to its kept-apart notes sit.
KEPT_APART = "kept_apart"


def note_matches(data: Mapping[str, Any], name: str, salt: str, text: str) -> bool:
    """Whether a kept-apart note is the one its event committed to (not edited since)."""
    committed = data.get(KEPT_APART)
    return isinstance(committed, Mapping) and committed.get(name) == commitment(salt, text)


#: ``SEQ:HASH``, the way an auditor writes a head down.
WRITTEN_HEAD = re.compile(r"(\d+):([0-9a-fA-F]{64})", re.ASCII)


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """Read ``SEQ:HASH`` as written by ``str(head)``; raises ValueError naming the problem."""
        match = WRITTEN_HEAD.fullmatch(text.strip())
        if match is None:
            raise ValueError(
                "A head is the sequence number, a colon and the 64-character hash, "
                "e.g. 12:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08."
            )
        return cls(int(match[1]), match[2].lower())


@dataclass(frozen=True)
class Malformed:
    """A stored event that cannot even be read as one (an impossible time, data that is not
    JSON, a missing value): verification names it rather than failing."""

    seq: int
    problem: str


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    head: Head
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(
    events: Iterable[Linked | Malformed], *, recorded_head: Head, kept_head: Head | None = None
) -> Verdict:
    """Recompute the chain from the first event.

    ``events`` must come in ascending ``seq`` order; a ``Malformed`` one breaks the chain.
    ``recorded_head`` is the head the database holds; ``kept_head`` one an auditor kept
    earlier, which must still be on the chain.
    """
    prev = Head(0, GENESIS_HASH)
    count = 0
    kept_seen = kept_head is None or kept_head.seq == 0
    for event in events:
        count += 1
        if isinstance(event, Malformed):
            return Verdict(False, count, prev, event.seq, f"it cannot be read: {event.problem}")
        problem = _link_problem(event, prev)
        if problem:
            return Verdict(False, count, prev, event.seq, problem)
        prev = Head(event.seq, event.hash)
        if kept_head is not None and event.seq == kept_head.seq:
            if event.hash != kept_head.hash:
                return Verdict(False, count, prev, event.seq, "differs from the head you kept")
            kept_seen = True
    if prev != recorded_head:
        return Verdict(False, count, prev, prev.seq + 1, "events after this point are missing")
    if not kept_seen:
        assert kept_head is not None
        return Verdict(False, count, prev, kept_head.seq, "the head you kept is no longer there")
    return Verdict(True, count, prev)


def _link_problem(event: Linked, prev: Head) -> str | None:
    if event.seq != prev.seq + 1:
        return f"expected sequence number {prev.seq + 1}"
    if event.prev_hash != prev.hash:
        return "does not follow the previous event"
    recomputed = event_hash(
        prev_hash=event.prev_hash,
        seq=event.seq,
        at=event.at,
        actor=event.actor,
        action=event.action,
        subject=event.subject,
        data=event.data,
    )
    if recomputed != event.hash:
        return "its content does not match its hash"
    return None
