"""Commands on the sealed box: seal a paper onto the board, open the box, destroy it.

In server-key mode each ballot's keys derive from the server-held secret (``ballots.keys``) and
the box opens itself when the ballot closes; in trustee mode (``ballots.trustees``) the ballot
has a key of its own, split among trustees who open the box together. See docs/secrecy.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from nacl.public import PrivateKey, PublicKey
from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.ballots import box, keys, views
from coopvote.ballots.board import next_head, seal_of
from coopvote.ballots.models import Ballot, BoardEntry, Paper, SealedPaper
from coopvote.db.engine import compact_after_commit


def seal(ballot: Ballot, choice: Mapping[str, Any], option_ids: Sequence[int]) -> bytes:
    """A (checked) paper sealed to the ballot's key, padded to the size every paper has."""
    return box.seal(public_key(ballot), choice, box.paper_size(option_ids))


def append(session: Session, ballot: Ballot, sealed: Sequence[bytes]) -> list[str]:
    """Store sealed papers and append their trackers to the board; the trackers, in the order
    given. They are appended in the order of the trackers themselves, so that the board's
    order within one transaction says nothing about the order the votes came in.

    The caller holds the ballot's row lock, so appends to one board never race. Raises
    ``keys.BallotKeyMissing`` when no ballot key is loaded."""
    assert ballot.id is not None
    trackers = [box.tracker(paper) for paper in sealed]
    board_key = keys.board_key()
    last = views.board_tip(session, ballot)
    position, head = last.position, last.head
    papers, entries = [], []
    for tracker, paper in sorted(zip(trackers, sealed, strict=True)):
        position, head = position + 1, next_head(head, tracker)
        papers.append({"tracker": tracker, "ballot_id": ballot.id, "sealed": paper})
        entries.append(
            {
                "ballot_id": ballot.id,
                "position": position,
                "tracker": tracker,
                "head": head,
                "seal": seal_of(board_key, ballot.public_id, position, tracker, head),
            }
        )
    session.execute(insert(SealedPaper), papers)
    session.execute(insert(BoardEntry), entries)
    return trackers


def public_key(ballot: Ballot) -> PublicKey:
    """The key papers are sealed to: the ballot's own (trustee mode) or the server-derived one."""
    if ballot.box_public_key is not None:
        return PublicKey(bytes.fromhex(ballot.box_public_key))
    return keys.public_key(ballot.public_id)


def open_box(
    session: Session,
    ballot: Ballot,
    private_key: PrivateKey,
    *,
    actor_id: int | None,
    now: datetime,
) -> int:
    """Decrypt the ballot's sealed papers with its ``private_key`` into opened papers, in a
    fresh random order and under random keys, so that nothing pairs an opened paper with its
    sealed form; record the board's head and the count in the audit log. Returns the number of
    papers. Raises ``nacl.exceptions.CryptoError`` when the key is not the ballot's."""
    sealed = session.exec(
        select(SealedPaper.sealed).where(col(SealedPaper.ballot_id) == ballot.id)
    ).all()
    papers = box.open_papers(private_key, sealed)
    if papers:
        session.execute(
            insert(Paper),
            [{"id": secrets.token_hex(16), "ballot_id": ballot.id, "choice": p} for p in papers],
        )
    ballot.box_opened_at = now
    session.add(ballot)
    session.flush()
    audit.record(
        session,
        actor=audit.member_actor(actor_id),
        action="ballot.box_opened",
        subject=f"ballot:{ballot.public_id}",
        now=now,
        data={
            "board_head": views.board_tip(session, ballot).head,
            "papers": len(papers),
            "papers_sha256": box.papers_digest(papers),
        },
    )
    return len(papers)


def destroy(session: Session, ballot: Ballot) -> int:
    """Delete a cancelled ballot's sealed papers (the board keeps their trackers), and have the
    engine's traces of them cleared after commit. Returns how many were destroyed."""
    result = session.execute(delete(SealedPaper).where(col(SealedPaper.ballot_id) == ballot.id))
    compact_after_commit(session)
    return int(result.rowcount)  # type: ignore[attr-defined]
