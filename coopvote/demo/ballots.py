"""The demo's ballots running now: a special resolution and a parents' and carers' STV
election, open and part-voted (though not by the demo member), and an election still a draft."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Method, Threshold
from coopvote.ballots.rules import Definition
from coopvote.demo import people
from coopvote.members.models import Member

VALUES_STATEMENT = """The members are asked to adopt the trust's new co-operative values statement,
which replaces Schedule 2 of the rules:

> *We learn together, we decide together, and we share what we achieve. Every member of our
> school communities has an equal voice, and we hold ourselves to the co-operative values of
> self-help, self-responsibility, democracy, equality, equity and solidarity.*

Changing the rules is a **special resolution**: it needs at least three-quarters of the votes cast.
"""

PARENT_CANDIDATES = ("Amira Ahmed", "Ben Baker", "Chloe Clarke", "Dev Davies", "Ella Evans")


def load(session: Session, governor: Member, now: datetime) -> None:
    """An open special resolution and an open STV election, part-voted, and a draft."""
    opened = now - timedelta(days=2)
    resolution = ballots.create_ballot(
        session,
        Definition(
            title="Adopt the new co-operative values statement",
            description=VALUES_STATEMENT,
            method=Method.RESOLUTION,
            threshold=Threshold.THREE_QUARTERS,
            quorum_bp=2500,
            closes_at=now + timedelta(days=12),
        ),
        actor_id=governor.id,
        now=opened,
    )
    election = ballots.create_ballot(
        session,
        Definition(
            title="Parents' and carers' seats on the trust forum",
            description="Three seats for parents and carers on the stakeholder forum, "
            "by the single transferable vote.",
            method=Method.STV,
            options=PARENT_CANDIDATES,
            seats=3,
            closes_at=now + timedelta(days=12),
            eligible_constituencies=("parents-carers",),
        ),
        actor_id=governor.id,
        now=opened,
    )
    ballots.create_ballot(
        session,
        Definition(
            title="Community representative on the trust board",
            description="One seat for a community member, by instant-runoff voting.",
            method=Method.IRV,
            options=("Priya Patel", "Sam Shah", "Tariq Taylor"),
            opens_at=now + timedelta(days=7),
            closes_at=now + timedelta(days=21),
            eligible_constituencies=("community",),
        ),
        actor_id=governor.id,
        now=opened,
    )
    for ballot in (resolution, election):
        ballots.open_ballot(session, ballot, actor_id=governor.id, now=opened)

    # Some members have voted already; the demo member has not, so they can try it.
    draw = random.Random(2026)  # noqa: S311 - demo papers, not security
    candidates = [o.id for o in ballot_views.options(session, election)]
    voters = people.voters(session)
    for member in voters[::2]:
        assert member.id is not None
        for ballot in (resolution, election):
            if ballot_views.roll_entry(session, ballot, member.id) is None:
                continue
            paper: dict[str, object] = (
                {"choice": draw.choice(["for", "for", "for", "for", "against", "abstain"])}
                if ballot is resolution
                else {"ranking": draw.sample(candidates, draw.randint(1, len(candidates)))}
            )
            ballots.cast_vote(
                session, ballot, member_id=member.id, paper=paper, now=opened + timedelta(hours=6)
            )
