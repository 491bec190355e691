"""Elections for tests: plain functions, each test says what it needs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from coopvote.ballots.models import Method
from coopvote.clock import utcnow
from coopvote.elections import service as elections
from coopvote.elections import views
from coopvote.elections.models import CandidateOrder, Contest, Election, Nomination
from coopvote.elections.rules import ContestDefinition, ElectionDefinition
from coopvote.members.models import Member

#: A long-enough statement that is plainly fine.
STATEMENT = "I have two children at the school and want to **listen** to every family."


def make_election(
    session: Session,
    *,
    now: datetime | None = None,
    contests: tuple[ContestDefinition, ...] | None = None,
    seconders: int = 1,
    confirmatory_vote: bool = False,
    candidate_order: CandidateOrder = CandidateOrder.SURNAME,
    voting_opens_in: timedelta = timedelta(days=2),
) -> Election:
    """Nominations opened an hour ago and close in a day; voting follows."""
    now = now or utcnow()
    return elections.create_election(
        session,
        ElectionDefinition(
            title="Stakeholder forum elections 2027",
            nominations_open_at=now - timedelta(hours=1),
            nominations_close_at=now + timedelta(days=1),
            voting_opens_at=now + voting_opens_in,
            voting_closes_at=now + timedelta(days=9),
            seconders=seconders,
            confirmatory_vote=confirmatory_vote,
            candidate_order=candidate_order,
            contests=contests
            or (
                ContestDefinition(
                    "Parents and carers", 2, Method.STV, eligible_constituencies=("parents-carers",)
                ),
            ),
        ),
        actor_id=None,
        now=now,
    )


def first_contest(session: Session, election: Election) -> Contest:
    return views.contests(session, election)[0]


def stand(
    session: Session,
    election: Election,
    contest: Contest,
    nominee: Member,
    seconder: Member | None = None,
    *,
    approve: bool = True,
    now: datetime | None = None,
) -> Nomination:
    """``nominee`` nominates themselves, ``seconder`` seconds, a governor approves."""
    now = now or utcnow()
    assert nominee.id is not None
    nomination = elections.nominate(
        session,
        election,
        contest,
        nominator_id=nominee.id,
        nominee_id=None,
        statement=STATEMENT,
        now=now,
    )
    if seconder is not None:
        assert seconder.id is not None
        elections.second(session, election, contest, nomination, member_id=seconder.id, now=now)
    if approve:
        elections.approve(session, election, nomination, actor_id=None, now=now)
    return nomination
