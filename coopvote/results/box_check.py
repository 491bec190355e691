"""Checking a ballot's sealed box against its board, its marks and the audit log: what the
auditor's reconciliation and ``coopvote audit verify`` report. Reads only."""

from __future__ import annotations

from collections import Counter
from typing import Any

from nacl.exceptions import CryptoError
from sqlalchemy import func
from sqlmodel import Session, col, select

from coopvote.audit.models import AuditEvent
from coopvote.ballots import box, keys
from coopvote.ballots import views as ballot_views
from coopvote.ballots.board import Entry, chain_problem, unsealed
from coopvote.ballots.models import Ballot, BallotStatus, Paper, SealedPaper


def _recorded(session: Session, ballot: Ballot, action: str) -> dict[str, Any] | None:
    """The data of the ballot's latest ``action`` event, if any."""
    data = session.exec(
        select(AuditEvent.data)
        .where(AuditEvent.subject == f"ballot:{ballot.public_id}", AuditEvent.action == action)
        .order_by(col(AuditEvent.seq).desc())
    ).first()
    return data if isinstance(data, dict) else None


def _voted_events(session: Session, ballot: Ballot) -> int:
    return session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "member.voted",
            col(AuditEvent.data)["ballot"].as_string() == ballot.public_id,
        )
    ).one()


def box_problems(session: Session, ballot: Ballot, *, opened: int) -> list[str]:
    """What is wrong with the ballot's board and box, each named; empty when all agree.
    ``opened`` is the number of opened papers stored."""
    entries = ballot_views.board_entries(session, ballot)
    problems = []
    broken = chain_problem(ballot.public_id, entries)
    if broken:
        problems.append(f"The bulletin board was changed: {broken}.")
    if seals := _seal_problem(ballot, entries):
        problems.append(seals)
    head = entries[-1].head if entries else ballot_views.board_tip(session, ballot).head
    sealed: dict[str, bytes] = dict(
        session.exec(
            select(SealedPaper.tracker, SealedPaper.sealed).where(
                SealedPaper.ballot_id == ballot.id
            )
        ).all()
    )
    on_board = {entry.tracker for entry in entries}
    if ballot.status is BallotStatus.CANCELLED:
        if sealed:
            problems.append(f"Sealed papers left in the cancelled ballot's box: {len(sealed)}.")
        return problems
    changed = sum(box.tracker(paper) != tracker for tracker, paper in sealed.items())
    if changed:
        problems.append(
            f"Sealed papers changed since they were cast (they no longer match their "
            f"trackers): {changed}."
        )
    if sealed.keys() - on_board:
        problems.append(
            f"Sealed papers in the box but not on the board: {len(sealed.keys() - on_board)}."
        )
    if on_board - sealed.keys():
        problems.append(
            f"Trackers on the board without a sealed paper: {len(on_board - sealed.keys())}."
        )
    closed = _recorded(session, ballot, "ballot.closed")
    if closed is not None:
        if closed.get("board_head") != head:
            problems.append("The board's head is not the one recorded when the ballot closed.")
        voted = _voted_events(session, ballot)
        if voted != len(entries):
            problems.append(
                f"member.voted events for the ballot: {voted}; trackers on the board: "
                f"{len(entries)}."
            )
    if ballot.box_opened_at is not None:
        problems += _opened_problems(session, ballot, head, sealed.values(), opened, len(entries))
    return problems


def _seal_problem(ballot: Ballot, entries: list[Entry]) -> str | None:
    """Which entries of the board the application did not append, by their seals (the key is
    the server's, never in the database): a paper stuffed while voting is open is seen at
    once, not only at close."""
    try:
        key = keys.board_key()
    except keys.BallotKeyMissing:
        return "The board's seals could not be checked: the ballot key file is not loaded."
    forged = unsealed(key, ballot.public_id, entries)
    if not forged:
        return None
    shown = ", ".join(map(str, forged[:10])) + (", …" if len(forged) > 10 else "")
    where = "position" if len(forged) == 1 else "positions"
    count = len(forged)
    return f"Board entries not appended by coopvote (no valid seal): {count}, at {where} {shown}."


def _opened_problems(
    session: Session,
    ballot: Ballot,
    head: str,
    sealed: Any,
    opened: int,
    on_board: int,
) -> list[str]:
    problems = []
    recorded = _recorded(session, ballot, "ballot.box_opened")
    if recorded is None or recorded.get("board_head") != head:
        problems.append("The board's head is not the one recorded when the box was opened.")
    if opened != on_board:
        problems.append(f"Opened papers: {opened}; trackers on the board: {on_board}.")
    stored_papers = session.exec(select(Paper.choice).where(Paper.ballot_id == ballot.id)).all()
    if recorded is not None and recorded.get("papers_sha256") != box.papers_digest(stored_papers):
        problems.append("The opened papers are not those recorded when the box was opened.")
    if ballot.box_public_key is not None:
        return problems  # trustee mode: the key was forgotten once the box was opened
    try:
        private_key = keys.private_key(ballot.public_id)
        expected = Counter(box.canonical(p) for p in box.open_papers(private_key, sealed))
    except (keys.BallotKeyMissing, CryptoError):
        return [*problems, "The sealed papers could not be opened again to check the count."]
    stored = Counter(box.canonical(choice) for choice in stored_papers)
    if stored != expected:
        problems.append("The opened papers are not what the sealed papers hold.")
    return problems
