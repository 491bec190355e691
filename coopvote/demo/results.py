"""The demo's past ballots: a special resolution and an STV election from last month, voted,
closed and published."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Method, Threshold
from coopvote.ballots.rules import Definition
from coopvote.demo import people, trustees
from coopvote.members.models import Member
from coopvote.results import service as results

RULES_CHANGE = """The members are asked to amend Rule 14 so that general meetings may be held
online or in a hybrid form, with members taking part and voting from wherever they are.

Changing the rules is a **special resolution**: it needs at least three-quarters of the votes
cast, and a quarter of the members must vote.
"""
TRUSTEE_CANDIDATES = {  # how much support each has, for drawing realistic rankings
    "Grace Green": 8,
    "Harry Hughes": 6,
    "Isla Iqbal": 6,
    "Jack Jones": 3,
    "Kiran Khan": 3,
}


def _ranking(draw: random.Random) -> list[str]:
    """A voter's ranking: candidates drawn in turn in proportion to their support (the
    Plackett-Luce model), stopping early as many voters do."""
    left = dict(TRUSTEE_CANDIDATES)
    ranking: list[str] = []
    for _ in range(draw.randint(1, len(left))):
        name = draw.choices(list(left), weights=list(left.values()))[0]
        ranking.append(name)
        del left[name]
    return ranking


def load(session: Session, governor: Member, now: datetime) -> None:
    """A special resolution and an STV election from last month, voted, closed and
    published, so the results pages, downloads and receipt checker have something to show."""
    opened, closed = now - timedelta(days=20), now - timedelta(days=6)
    resolution = ballots.create_ballot(
        session,
        Definition(
            title="Hold general meetings online as well as in person",
            description=RULES_CHANGE,
            method=Method.RESOLUTION,
            threshold=Threshold.THREE_QUARTERS,
            quorum_bp=2500,
            closes_at=closed,
        ),
        actor_id=governor.id,
        now=opened,
    )
    election = ballots.create_ballot(
        session,
        Definition(
            title="Two member trustees for the trust board",
            description="Two seats on the trust board for members, by the single "
            "transferable vote.",
            method=Method.STV,
            options=tuple(TRUSTEE_CANDIDATES),
            seats=2,
            closes_at=closed,
        ),
        actor_id=governor.id,
        now=opened,
    )
    draw = random.Random(5)  # noqa: S311 - demo papers, not security
    ids = {o.label: o.id for o in ballot_views.options(session, election)}
    for ballot in (resolution, election):
        ballots.open_ballot(session, ballot, actor_id=governor.id, now=opened)
    voters = people.voters(session)
    for number, member in enumerate(voters):
        assert member.id is not None
        voted = opened + timedelta(days=1, hours=number)
        for ballot in (resolution, election):
            if ballot_views.roll_entry(session, ballot, member.id) is None or draw.random() < 0.1:
                continue
            paper: dict[str, object] = (
                {"choice": draw.choices(["for", "against", "abstain"], weights=[8, 2, 1])[0]}
                if ballot is resolution
                else {"ranking": [ids[name] for name in _ranking(draw)]}
            )
            ballots.cast_vote(session, ballot, member_id=member.id, paper=paper, now=voted)
    for ballot in (resolution, election):
        ballots.catch_up(session, ballot, closed)  # closes on schedule
        trustees.open_box(session, ballot, closed + timedelta(hours=1))
        results.publish_result(
            session, ballot, actor_id=governor.id, now=closed + timedelta(hours=2)
        )
