"""Reconciliation: for every ballot that opened, do the roll, the marks, the board, the sealed
papers and the opened papers agree?

Casting a vote marks the member's roll entry, stores one sealed paper and appends its tracker to
the board in the same transaction; the roll is frozen when the ballot opens; closing records
who voted and the board's head, and opens the box. So at every moment:

- the roll holds as many entries as were frozen into it (``Ballot.roll_size``), and its members
  still hash to the roll hash recorded at opening;
- the board's chain holds (``ballots.board``), and its trackers are exactly the sealed papers'
  (each the SHA-256 of its paper), one per member marked as voted;
- once closed, the board's head is the one recorded at close, and as many ``member.voted``
  events name the ballot as there are trackers; once opened, the opened papers are as many, and
  are what the sealed papers hold; a cancelled ballot has no sealed paper left;
- a published result's hash is what counting the stored papers again gives.

A difference means the database was changed outside the application (or a bug), and the auditor
must look into it before trusting the ballot's result.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Ballot, BallotStatus, Paper, RollEntry
from coopvote.ballots.roll import measure_roll
from coopvote.results import views as results
from coopvote.results.box_check import box_problems
from coopvote.results.document import sha256_hex


@dataclass(frozen=True)
class BallotReconciliation:
    public_id: str
    title: str
    status: BallotStatus
    #: The roll's size as recorded when the ballot opened.
    roll_size: int | None
    roll_entries: int
    marked_as_voted: int
    papers: int
    #: The roll's hash as recorded when the ballot opened, and as recomputed now.
    roll_hash: str | None
    roll_hash_now: str
    #: A published result's SHA-256 as declared, and as a recount of the stored papers gives.
    result_sha256: str | None = None
    result_sha256_now: str | None = None
    #: The SHA-256 of the stored result document itself (it must equal ``result_sha256``).
    result_document_sha256: str | None = None
    #: Trackers on the board, and what is wrong with the board and the sealed box.
    board: int = 0
    box_problems: tuple[str, ...] = ()
    sealed: bool = True

    @property
    def problems(self) -> list[str]:
        problems = []
        if self.roll_entries != self.roll_size:
            problems.append(
                f"The roll holds {_number(self.roll_entries, 'member')}, "
                f"but it held {self.roll_size} when the ballot opened."
            )
        elif self.roll_hash_now != self.roll_hash:
            problems.append("The roll's members are not those frozen when the ballot opened.")
        if self.result_document_sha256 != self.result_sha256:
            problems.append("The stored result has been changed since it was published.")
        elif self.result_sha256_now != self.result_sha256:
            problems.append("Counting the stored papers again does not give the published result.")
        # A ballot from before the sealed box has no board: its marks match its papers (but
        # for a cancelled one, whose papers the upgrade destroyed).
        counted, what = (self.board, "tracker") if self.sealed else (self.papers, "paper")
        legacy_cancelled = not self.sealed and self.status is BallotStatus.CANCELLED
        if self.marked_as_voted != counted and not legacy_cancelled:
            problems.append(
                f"{_number(self.marked_as_voted, 'member')} marked as having voted, "
                f"but {_number(counted, what)} "
                f"{'on the board' if self.sealed else 'stored'}."
            )
        return problems + list(self.box_problems)


def _number(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def reconcile_ballots(session: Session) -> list[BallotReconciliation]:
    """Every ballot that has opened, most recently opened first.

    The three counts come from one statement, so they describe one moment even while votes are
    being cast (two statements could see a vote between them and report a false difference).
    """
    roll = select(func.count()).where(col(RollEntry.ballot_id) == Ballot.id)
    marked = roll.where(col(RollEntry.has_voted) == true())
    papers = select(func.count()).where(col(Paper.ballot_id) == Ballot.id)
    rows = session.execute(
        sa_select(
            Ballot, roll.scalar_subquery(), marked.scalar_subquery(), papers.scalar_subquery()
        )
        .where(col(Ballot.opened_at).is_not(None))
        .order_by(col(Ballot.opened_at).desc(), col(Ballot.id).desc())
    ).all()
    return [_reconcile(session, ballot, *counts) for ballot, *counts in rows]


def _reconcile(
    session: Session, ballot: Ballot, entries: int, voted: int, stored: int
) -> BallotReconciliation:
    declared = results.declarations(session, ballot)
    return BallotReconciliation(
        board=len(ballot_views.board_entries(session, ballot)),
        box_problems=tuple(box_problems(session, ballot, opened=stored) if ballot.sealed else ()),
        sealed=ballot.sealed,
        public_id=ballot.public_id,
        title=ballot.title,
        status=ballot.status,
        roll_size=ballot.roll_size,
        roll_entries=entries,
        marked_as_voted=voted,
        papers=stored,
        roll_hash=ballot.roll_hash,
        roll_hash_now=measure_roll(session, ballot)[1],
        result_sha256=declared[-1].sha256 if declared else None,
        result_sha256_now=results.recomputed_sha256(session, ballot),
        result_document_sha256=sha256_hex(declared[-1].document) if declared else None,
    )
