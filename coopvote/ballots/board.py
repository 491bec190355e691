"""The bulletin board's hash chain: pure, no database.

Each ballot's board starts from a head that names the ballot; each sealed paper's entry
covers the previous head and the paper's tracker, so removing, inserting, changing or
re-ordering an entry changes every head after it. The head at close is recorded in the audit
log, and seeds the ballot's tie order: nobody chooses it.

Anyone can extend a hash chain, though: whoever can write to the database could append a
stuffed paper's entry with a correct head, seen only at close when the head is compared with
the audit log's count of votes. So each entry also carries a **seal**, an HMAC under a key
that derives from the server's ballot key file (``ballots.keys.board_key``), which is never in
the database: an entry the application did not append has no valid seal, and the box check
names it while voting is still open. Voters check the public chain as before; only the server
(and an auditor holding the key file) can check the seals.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import NamedTuple


class Entry(NamedTuple):
    position: int
    tracker: str
    head: str
    #: ``seal_of`` the entry; ``None`` for an entry read without it (or stored without one).
    seal: str | None = None


def genesis(public_id: str) -> str:
    """The head of a ballot's empty board."""
    return hashlib.sha256(f"coopvote board {public_id}".encode()).hexdigest()


def next_head(previous: str, tracker: str) -> str:
    """The head once ``tracker`` is appended to a board whose head is ``previous``."""
    return hashlib.sha256(f"{previous}\n{tracker}".encode()).hexdigest()


def chain_problem(public_id: str, entries: Iterable[Entry]) -> str | None:
    """What is wrong with a ballot's board, its entries in position order; ``None`` when every
    position follows the last and every head is the one its predecessor and tracker give."""
    head = genesis(public_id)
    for expected, entry in enumerate(entries, start=1):
        if entry.position != expected:
            return f"the board's entry {expected} is missing (the next is {entry.position})"
        head = next_head(head, entry.tracker)
        if entry.head != head:
            return f"the board's chain is broken at entry {entry.position}"
    return None


def final_head(public_id: str, trackers: Iterable[str]) -> str:
    """The head after appending ``trackers`` in order."""
    head = genesis(public_id)
    for tracker in trackers:
        head = next_head(head, tracker)
    return head


def seal_of(key: bytes, public_id: str, position: int, tracker: str, head: str) -> str:
    """The entry's seal: HMAC-SHA256 (hex) under ``key`` of the ballot's public id and the
    entry's position, tracker and head, so that a seal fits one entry of one ballot only."""
    message = f"coopvote board seal\n{public_id}\n{position}\n{tracker}\n{head}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def unsealed(key: bytes, public_id: str, entries: Iterable[Entry]) -> list[int]:
    """The positions of the entries whose seal is missing or not ``seal_of`` them: entries
    the application did not append (or changed since)."""
    return [
        entry.position
        for entry in entries
        if entry.seal is None
        or not hmac.compare_digest(
            entry.seal, seal_of(key, public_id, entry.position, entry.tracker, entry.head)
        )
    ]
