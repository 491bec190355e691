"""Who may see a result, and when: pure, shared by the API and the pages."""

from __future__ import annotations

from datetime import datetime

from coopvote.ballots.models import Ballot, BallotStatus
from coopvote.ballots.rules import MEETING_ADVANCE, can_be
from coopvote.errors import YES, Conflict, NotFound, Verdict

NO_RESULT = "No result has been published for this ballot."


def can_see_result(ballot: Ballot) -> Verdict:
    """A declared result is for every reader once published, and for no one before: an
    unpublished ballot gets the same 404 as an unknown one, so the public learns nothing of
    ballots that have no result yet (DOMAIN.md, "No early results")."""
    if ballot.status is not BallotStatus.PUBLISHED:
        return Verdict(NotFound(NO_RESULT))
    return YES


BOX_SEALED = "The ballot box has not been opened yet: its trustees must open it first."


def can_preview(ballot: Ballot, now: datetime) -> Verdict:
    """What publishing would declare, for governors (the route's guard): only once voting has
    closed and its box is open, and before publication, when the result itself is there to
    read. (A box still sealed has no papers to count: docs/secrecy.md, "Trustee mode".)"""
    closed = can_be(ballot, now, {BallotStatus.CLOSED}, "previewed")
    if closed and ballot.meeting_advance:
        return Verdict(Conflict(MEETING_ADVANCE))
    if closed and ballot.box_opened_at is None:
        return Verdict(Conflict(BOX_SEALED))
    return closed
