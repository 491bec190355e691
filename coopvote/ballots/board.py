"""The bulletin board's hash chain: pure, no database.

Each ballot's board starts from a head that names the ballot; each sealed paper's entry
covers the previous head and the paper's tracker, so removing, inserting, changing or
re-ordering an entry changes every head after it. The head at close is recorded in the audit
log, and seeds the ballot's tie order: nobody chooses it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import NamedTuple


class Entry(NamedTuple):
    position: int
    tracker: str
    head: str


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
