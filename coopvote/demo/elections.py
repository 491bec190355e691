"""The demo's stakeholder forum elections (issue 15), run through the elections service as
governors and members would: nominations made, seconded and accepted, then closed.

- "Stakeholder forum elections 2027": nominations closed ten days ago. Parents and carers
  (3 seats, STV) contested by five candidates and being voted on, part-voted (not by the demo
  member); staff (2 seats) elected unopposed; community (1 seat) vacant, nobody stood;
  partners (1 seat, plurality) contested by two.
- "Students' forum seats 2027": the students' 2 seats, nominations open now, one nomination
  waiting for seconders and the governors' check and one waiting for its nominee's consent.
  (A separate election because each election has one nomination window.)
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Ballot, Method
from coopvote.demo import people
from coopvote.elections import service as elections
from coopvote.elections import views
from coopvote.elections.models import Contest, Election
from coopvote.elections.rules import ContestDefinition, ElectionDefinition
from coopvote.members.models import Member

STATEMENTS = {
    "parents-carers": "My children are at our schools. I will **listen** to families at the school "
    "gate and bring what I hear to the forum:\n\n- clear reports on how the trust spends its "
    "money\n- a say for parents in the school day\n- more clubs after school",
    "staff": "I have worked in the trust's schools for six years. I want the forum to hear "
    "from teaching "
    "assistants, cooks and caretakers as well as teachers.",
    "partners": "Our organisation has supported the trust since it began. I will make sure the "
    "forum draws on *co-operation among co-operatives*.",
    "students": "I am in Year 12 and sit on the school council. Students should have a real "
    "voice in how the trust is run.",
}


def _stand(
    session: Session,
    election: Election,
    contest: Contest,
    nominee: Member,
    seconder: Member,
    governor: Member,
    *,
    at: datetime,
    approve: bool = True,
) -> None:
    assert nominee.id is not None
    assert seconder.id is not None
    kind = contest.eligible_constituencies[0] if contest.eligible_constituencies else "partners"
    nomination = elections.nominate(
        session,
        election,
        contest,
        nominator_id=nominee.id,
        nominee_id=None,
        statement=STATEMENTS[kind],
        now=at,
    )
    elections.second(session, election, contest, nomination, member_id=seconder.id, now=at)
    if approve:
        elections.approve(
            session, election, nomination, actor_id=governor.id, now=at + timedelta(hours=2)
        )


def load(session: Session, governor: Member, now: datetime) -> None:
    who = people.by_name(session)
    _forum_elections(session, governor, who, now)
    _students(session, governor, who, now)


def _forum_elections(
    session: Session, governor: Member, who: dict[str, Member], now: datetime
) -> None:
    created = now - timedelta(days=35)
    election = elections.create_election(
        session,
        ElectionDefinition(
            title="Stakeholder forum elections 2027",
            description="Each constituency elects its own members of the trust's stakeholder "
            "forum, which holds the trust to account and helps appoint its trustees.",
            nominations_open_at=now - timedelta(days=30),
            nominations_close_at=now - timedelta(days=10),
            voting_opens_at=now - timedelta(days=2),
            voting_closes_at=now + timedelta(days=12),
            contests=[
                ContestDefinition(
                    "Parents and carers", 3, Method.STV, eligible_constituencies=("parents-carers",)
                ),
                ContestDefinition("Staff", 2, Method.STV, eligible_constituencies=("staff",)),
                ContestDefinition(
                    "Community", 1, Method.PLURALITY, eligible_constituencies=("community",)
                ),
                ContestDefinition(
                    "Partners", 1, Method.PLURALITY, eligible_constituencies=("partners",)
                ),
            ],
        ),
        actor_id=governor.id,
        now=created,
    )
    parents, staff, _community, partners = views.contests(session, election)
    at = now - timedelta(days=25)
    # Five parents for three seats (the demo member is left to vote), two staff for two
    # seats, nobody for community, two partners for one seat.
    for nominee, seconder in [
        ("member1", "member11"),
        ("member2", "member12"),
        ("member3", "member18"),
        ("member9", "member19"),
        ("member10", "member20"),
    ]:
        _stand(session, election, parents, who[nominee], who[seconder], governor, at=at)
    for nominee, seconder in [("member4", "member5"), ("member13", "member14")]:
        _stand(session, election, staff, who[nominee], who[seconder], governor, at=at)
    for nominee, seconder in [("member8", "member26"), ("member17", "member26")]:
        _stand(session, election, partners, who[nominee], who[seconder], governor, at=at)
    # On time, by the schedule, as the scheduler would have.
    elections.close_due(session, election.nominations_close_at)
    draw = random.Random(2027)  # noqa: S311 - demo papers, not security
    for contest in views.contests(session, election):
        if contest.ballot_id is None:
            continue
        ballot = session.get(Ballot, contest.ballot_id)
        assert ballot is not None
        ballots.catch_up(session, ballot, election.voting_opens_at)
        _part_vote(session, ballot, draw, at=now - timedelta(days=1))


def _part_vote(session: Session, ballot: Ballot, draw: random.Random, *, at: datetime) -> None:
    """Half of the numbered members on the roll vote; the demo member does not."""
    options = [o.id for o in ballot_views.options(session, ballot) if o.id is not None]
    for member in people.voters(session)[::2]:
        assert member.id is not None
        if ballot_views.roll_entry(session, ballot, member.id) is None:
            continue
        paper: dict[str, object] = (
            {"ranking": draw.sample(options, draw.randint(1, len(options)))}
            if ballot.method.is_ranked
            else {"choices": [draw.choice(options)]}
        )
        ballots.cast_vote(session, ballot, member_id=member.id, paper=paper, now=at)


def _students(session: Session, governor: Member, who: dict[str, Member], now: datetime) -> None:
    election = elections.create_election(
        session,
        ElectionDefinition(
            title="Students' forum seats 2027",
            description="Two seats on the stakeholder forum for students of the trust's schools.",
            nominations_open_at=now - timedelta(days=3),
            nominations_close_at=now + timedelta(days=11),
            voting_opens_at=now + timedelta(days=14),
            voting_closes_at=now + timedelta(days=28),
            contests=[
                ContestDefinition("Students", 2, Method.STV, eligible_constituencies=("students",)),
            ],
        ),
        actor_id=governor.id,
        now=now - timedelta(days=4),
    )
    [students] = views.contests(session, election)
    at = now - timedelta(days=1)
    _stand(
        session, election, students, who["member6"], who["member15"], governor, at=at, approve=False
    )
    nominator, nominee = who["member33"], who["member24"]
    assert nominator.id is not None
    elections.nominate(
        session,
        election,
        students,
        nominator_id=nominator.id,
        nominee_id=nominee.id,
        statement=STATEMENTS["students"],
        now=at,
    )
