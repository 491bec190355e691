"""The Aylesbury Learning Partnership: demo data that shows every part of coopvote."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from itertools import cycle

from alembic import command
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Method, Threshold
from coopvote.ballots.rules import Definition
from coopvote.db.types import new_public_id
from coopvote.forum import service as forum
from coopvote.forum.models import Proposal
from coopvote.members import accounts
from coopvote.members import service as members
from coopvote.members.models import Member, Organisation, Role
from coopvote.members.rules import Transition
from coopvote.members.views import constituency_by_slug, organisation_by_slug
from coopvote.results import service as results
from coopvote.schema.migrate import alembic_config
from coopvote.security.passwords import hash_password

DEMO_PASSWORD = "co-operate-together"  # noqa: S105 - printed for the demo on purpose
DOMAIN = "demo.coopvote.org"

ORGANISATIONS = [
    ("the-grange", "The Grange School"),
    ("ashmead", "Ashmead Primary School"),
    ("turnfurlong", "Turnfurlong Infant School"),
    ("co-operative-college", "The Co-operative College"),
    ("buckinghamshire-council", "Buckinghamshire Council"),
]
SCHOOLS = ["the-grange", "ashmead", "turnfurlong"]
PARTNERS = ["co-operative-college", "buckinghamshire-council"]

FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Harry",
    "Isla",
    "Jack",
    "Kiran",
    "Leah",
    "Mo",
    "Nia",
    "Oscar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
    "Una",
    "Vik",
    "Wren",
    "Yusuf",
    "Zara",
    "Aled",
    "Beth",
    "Cal",
    "Daisy",
    "Eli",
    "Fran",
    "Gus",
    "Hana",
    "Ivan",
    "Jas",
    "Kit",
    "Lola",
    "Max",
    "Noor",
    "Olly",
]
LAST = [
    "Ahmed",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Fisher",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morris",
    "Novak",
    "Owen",
    "Patel",
    "Quinn",
    "Roberts",
    "Shah",
    "Taylor",
]
#: (constituency, organisations) in the proportions a school trust might have.
MIX = (
    [("parents-carers", SCHOOLS)] * 4
    + [("staff", SCHOOLS)] * 2
    + [("students", ["the-grange"]), ("community", SCHOOLS), ("partners", PARTNERS)]
)
MEMBERS = 40
PENDING = 6


class AlreadyLoaded(Exception):
    pass


def reset(engine: Engine) -> None:
    """Drop everything the migrations made, so the demo starts from an empty database."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")


def load(session: Session, now: datetime) -> list[tuple[str, str]]:
    """Load the demo; returns the sign-ins to print as (who, email)."""
    if session.exec(select(Organisation)).first() is not None:
        raise AlreadyLoaded("The database holds data already; use `coopvote demo --reset`.")
    start = now - timedelta(days=120)
    for slug, name in ORGANISATIONS:
        members.add_organisation(session, slug=slug, name=name, now=start)

    for name, local, role in [
        ("Alex Admin", "admin", Role.ADMIN),
        ("Ada Auditor", "auditor", Role.AUDITOR),
    ]:
        accounts.create_user(
            session,
            name=name,
            email=f"{local}@{DOMAIN}",
            password=DEMO_PASSWORD,
            roles=[role],
            now=start,
        )

    # One hash for every demo member: hashing 40 passwords would only slow the demo down.
    password_hash = hash_password(DEMO_PASSWORD)
    governor = _applicant(
        session, "Gita Governor", "governor", "staff", "the-grange", password_hash, start
    )
    members.change_status(
        session, member=governor, transition=Transition.ADMITTED, actor_id=None, now=start
    )
    members.grant_role(session, member=governor, role=Role.GOVERNOR, actor_id=None, now=start)

    mix = cycle(MIX)
    for i in range(MEMBERS):
        constituency, organisations = next(mix)
        local = "member" if i == 0 else "applicant" if i == MEMBERS - 1 else f"member{i}"
        applied = start + timedelta(days=2 * i + 1)
        member = _applicant(
            session,
            f"{FIRST[i % len(FIRST)]} {LAST[(i * 7) % len(LAST)]}",
            local,
            constituency,
            organisations[i % len(organisations)],
            password_hash,
            applied,
        )
        if i < MEMBERS - PENDING:
            members.change_status(
                session,
                member=member,
                transition=Transition.ADMITTED,
                actor_id=governor.id,
                now=applied + timedelta(days=3),
            )
    _published_results(session, governor, now)
    _ballots(session, governor, now)
    _proposals(session, governor, now)
    return [
        ("governor", f"governor@{DOMAIN}"),
        ("auditor", f"auditor@{DOMAIN}"),
        ("admin", f"admin@{DOMAIN}"),
        ("member", f"member@{DOMAIN}"),
        ("pending applicant", f"applicant@{DOMAIN}"),
    ]


def _applicant(
    session: Session,
    name: str,
    local: str,
    constituency: str,
    organisation: str,
    password_hash: str,
    applied: datetime,
) -> Member:
    con = constituency_by_slug(session, constituency)
    org = organisation_by_slug(session, organisation)
    assert con is not None
    assert org is not None
    return members.add_applicant(
        session,
        public_id=new_public_id(),
        name=name,
        email=f"{local}@{DOMAIN}",
        password_hash=password_hash,
        constituency=con,
        organisation=org,
        now=applied,
    )


VALUES_STATEMENT = """The members are asked to adopt the trust's new co-operative values statement,
which replaces Schedule 2 of the rules:

> *We learn together, we decide together, and we share what we achieve. Every member of our
> school communities has an equal voice, and we hold ourselves to the co-operative values of
> self-help, self-responsibility, democracy, equality, equity and solidarity.*

Changing the rules is a **special resolution**: it needs at least three-quarters of the votes cast.
"""

PARENT_CANDIDATES = ("Amira Ahmed", "Ben Baker", "Chloe Clarke", "Dev Davies", "Ella Evans")


def _ballots(session: Session, governor: Member, now: datetime) -> None:
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
    voters = session.exec(
        select(Member).where(col(Member.email).like(f"member_%@{DOMAIN}")).order_by(col(Member.id))
    ).all()
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


def _published_results(session: Session, governor: Member, now: datetime) -> None:
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
    voters = session.exec(
        select(Member).where(col(Member.email).like(f"member_%@{DOMAIN}")).order_by(col(Member.id))
    ).all()
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
        results.publish_result(
            session, ballot, actor_id=governor.id, now=closed + timedelta(hours=2)
        )


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


def _proposals(session: Session, governor: Member, now: datetime) -> None:
    """Proposals in each status: open (one of them the demo member's own), ready for ballot,
    balloted, carried, not carried, withdrawn and hidden, with support and discussion."""
    assert governor.id is not None
    people = {
        m.email.split("@")[0]: m
        for m in session.exec(select(Member).where(col(Member.email).like(f"%@{DOMAIN}")))
    }
    backers = [people[f"member{i}"] for i in range(10, 30)]
    made = {}
    for n, (key, (author, title, body, scope, supporters)) in enumerate(PROPOSALS.items()):
        at = now - timedelta(days=20 - 3 * n)
        member = people[author]
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
        author_id = people[who].id
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
        _decide(session, made[key], choices, people, governor, now)
    agm_author = people["member4"].id
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
    people: dict[str, Member],
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
        voter = people[f"member{n + 10}"]
        assert voter.id is not None
        ballots.cast_vote(
            session,
            ballot,
            member_id=voter.id,
            paper={"choice": papers[letter]},
            now=start + timedelta(days=1),
        )
    ballots.close_ballot(session, ballot, actor_id=governor.id, now=start + timedelta(days=6))
    results.publish_result(session, ballot, actor_id=governor.id, now=start + timedelta(days=7))
