"""The demo's forum: proposals in every status, with support and discussion, two of them
decided by ballots that have run."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from coopvote.ballots import service as ballots
from coopvote.demo import people, trustees
from coopvote.forum import service as forum
from coopvote.forum.models import Proposal
from coopvote.members.models import Member
from coopvote.results import service as results

#: The demo's forum proposals: (author's email local part, title, body, scope, supporters).
PROPOSALS = {
    "library": (
        "member1",
        "Open the school libraries after school",
        "Many of our families have no quiet place to study at home. We propose that each "
        "school library stays open **until 5 pm** on weekdays, staffed by volunteers.\n\n"
        "- Ashmead and Turnfurlong share a rota\n- The Grange's sixth form helps out",
        None,
        1,
    ),
    "canteen": (
        "member",
        "Meat-free Mondays in our canteens",
        "One meat-free day a week is good for health and for the planet. "
        "See the [Food for Life](https://www.foodforlife.org.uk/) guidance.",
        None,
        0,
    ),
    "bikes": (
        "member2",
        "Covered bike shelters at every school",
        "More of us would cycle if bikes stayed dry and safe. The council's active travel fund "
        "can pay for most of it.",
        None,
        3,
    ),
    "minutes": (
        "member3",
        "Publish the trust board's minutes online",
        "Members should be able to read what the board decided, within a month of each meeting.",
        None,
        4,
    ),
    "uniform": (
        "member5",
        "Keep the school uniform affordable",
        "Every item of uniform should be available from ordinary shops, with only the badge "
        "sewn on, so that families are not tied to one supplier.",
        None,
        3,
    ),
    "term-dates": (
        "member6",
        "Start the school day at 9.30",
        "A later start would suit teenagers' sleep, and the buses.",
        None,
        3,
    ),
    "agm": (
        "member4",
        "Hold the AGM on a Saturday",
        "Working parents cannot come on a weekday evening.",
        None,
        0,
    ),
    "lunch": (
        "member1",
        "Name families who owe lunch money",
        "Put a list on the school gate.",
        "ashmead",
        0,
    ),
}


def load(session: Session, governor: Member, now: datetime) -> None:
    """Proposals in each status: open (one of them the demo member's own), ready for ballot,
    balloted, carried, not carried, withdrawn and hidden, with support and discussion."""
    assert governor.id is not None
    everyone = people.by_name(session)
    backers = [everyone[f"member{i}"] for i in range(10, 30)]
    made = {}
    for n, (key, (author, title, body, scope, supporters)) in enumerate(PROPOSALS.items()):
        at = now - timedelta(days=20 - 3 * n)
        member = everyone[author]
        assert member.id is not None
        proposal = forum.create_proposal(
            session, forum.ProposalText(title, body, scope), author_id=member.id, now=at
        )
        for backer in backers[n : n + supporters]:
            assert backer.id is not None
            forum.support(session, proposal, member_id=backer.id, now=at + timedelta(hours=5))
        made[key] = proposal
    for who, text in [
        ("member11", "Yes please: *ours* is always full of wet bikes."),
        ("member", "Could the shelters have lockers for helmets too?"),
    ]:
        author_id = everyone[who].id
        assert author_id is not None
        forum.add_comment(
            session, made["bikes"], text, author_id=author_id, now=now - timedelta(days=5)
        )
    forum.promote_to_ballot(
        session,
        made["minutes"],
        forum.BallotSchedule(opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=17)),
        actor_id=governor.id,
        now=now - timedelta(days=1),
    )
    for key, choices in [("uniform", "FFFFFFFAF"), ("term-dates", "AAFAAAFAN")]:
        _decide(session, made[key], choices, everyone, governor, now)
    agm_author = everyone["member4"].id
    assert agm_author is not None
    forum.withdraw_proposal(session, made["agm"], actor_id=agm_author, now=now - timedelta(days=2))
    forum.hide_proposal(
        session,
        made["lunch"],
        reason="It would name children's families in public; please raise it with the school.",
        actor_id=governor.id,
        now=now - timedelta(days=1),
    )


def _decide(
    session: Session,
    proposal: Proposal,
    choices: str,
    everyone: dict[str, Member],
    governor: Member,
    now: datetime,
) -> None:
    """Put a proposal to a ballot that has already run and been published: ``choices`` gives
    one paper per voter, F for, A against, N abstain."""
    assert governor.id is not None
    start = now - timedelta(days=10)
    ballot = forum.promote_to_ballot(
        session,
        proposal,
        forum.BallotSchedule(closes_at=start + timedelta(days=7)),
        actor_id=governor.id,
        now=start,
    )
    ballots.open_ballot(session, ballot, actor_id=governor.id, now=start)
    papers = {"F": "for", "A": "against", "N": "abstain"}
    for n, letter in enumerate(choices):
        voter = everyone[f"member{n + 10}"]
        assert voter.id is not None
        ballots.cast_vote(
            session,
            ballot,
            member_id=voter.id,
            paper={"choice": papers[letter]},
            now=start + timedelta(days=1),
        )
    ballots.close_ballot(session, ballot, actor_id=governor.id, now=start + timedelta(days=6))
    trustees.open_box(session, ballot, start + timedelta(days=6, hours=1))
    results.publish_result(session, ballot, actor_id=governor.id, now=start + timedelta(days=7))
