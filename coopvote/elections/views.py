"""Reading elections: the election as members and governors see it, nominations, a member's
ballots in it, and the results of every contest together (``results``, the read model that
other areas, such as general meetings, link to). Nothing here writes."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from coopvote.ballots.models import Ballot, BallotStatus, RollEntry
from coopvote.ballots.rules import status_at as ballot_status_at
from coopvote.elections.models import (
    Contest,
    Election,
    Nomination,
    NominationStatus,
    Outcome,
    Seconding,
)
from coopvote.elections.rules import (
    ElectionStatus,
    Elector,
    can_see_nomination,
    in_electorate,
    paper_order,
    status_at,
)
from coopvote.errors import InvalidInput, NotFound
from coopvote.members.models import Constituency, Member, Organisation, Role, normalise_email
from coopvote.results.views import published

N = NominationStatus


def find_election(session: Session, public_id: str) -> Election:
    election = session.exec(select(Election).where(Election.public_id == public_id)).first()
    if election is None:
        raise NotFound("No such election.")
    return election


def list_elections(session: Session) -> list[Election]:
    """Every election, the latest voting first."""
    return list(session.exec(select(Election).order_by(col(Election.voting_closes_at).desc())))


def contests(session: Session, election: Election) -> list[Contest]:
    return list(
        session.exec(
            select(Contest)
            .where(Contest.election_id == election.id)
            .order_by(col(Contest.position))
        )
    )


def find_contest(session: Session, election: Election, public_id: str) -> Contest:
    contest = session.exec(
        select(Contest).where(Contest.election_id == election.id, Contest.public_id == public_id)
    ).first()
    if contest is None:
        raise NotFound("No such contest in this election.")
    return contest


def find_nomination(session: Session, public_id: str) -> tuple[Nomination, Contest, Election]:
    row = session.exec(
        select(Nomination, Contest, Election)
        .join(Contest, col(Contest.id) == Nomination.contest_id)
        .join(Election, col(Election.id) == Contest.election_id)
        .where(Nomination.public_id == public_id)
    ).first()
    if row is None:
        raise NotFound("No such nomination.")
    return row[0], row[1], row[2]


def member_by_email(session: Session, email: str) -> Member:
    """The member nominated by their email address (a page's form)."""
    member = session.exec(select(Member).where(Member.email == normalise_email(email))).first()
    if member is None:
        raise InvalidInput(
            "No member has that email address.", field_errors={"nominee": "No such member."}
        )
    return member


def member_name(session: Session, member_id: int) -> str:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound("No such member.")
    return member.name


def elector(session: Session, member_id: int) -> Elector:
    """A member's standing, constituency and organisation (by slug), for the rules."""
    row = session.exec(
        select(Member, Constituency.slug, Organisation.slug)
        .outerjoin(Constituency, col(Constituency.id) == Member.constituency_id)
        .outerjoin(Organisation, col(Organisation.id) == Member.organisation_id)
        .where(Member.id == member_id)
    ).first()
    if row is None:
        raise NotFound("No such member.")
    member, constituency, organisation = row
    return Elector(member_id, member.status, constituency, organisation)


def seconds(session: Session, nomination: Nomination) -> int:
    return session.exec(
        select(func.count()).select_from(Seconding).where(Seconding.nomination_id == nomination.id)
    ).one()


def has_seconded(session: Session, nomination: Nomination, member_id: int) -> bool:
    return session.get(Seconding, (nomination.id, member_id)) is not None


@dataclass(frozen=True)
class NominationView:
    nomination: Nomination
    contest: Contest
    nominee: str
    nominee_public_id: str
    nominator: str
    seconds: int
    #: The viewer's relation to it.
    is_nominee: bool = False
    is_nominator: bool = False
    has_seconded: bool = False
    may_second: bool = False


@dataclass(frozen=True)
class ContestView:
    contest: Contest
    #: Accepted candidates in the paper's order.
    candidates: list[NominationView]
    #: Nominations this viewer may see beyond the candidates (their own, those they may
    #: second; every one for governors).
    nominations: list[NominationView]
    ballot: Ballot | None
    #: The viewer may nominate here.
    may_nominate: bool
    #: The viewer is on the roll of the contest's ballot (and whether they have voted).
    on_roll: bool
    has_voted: bool


@dataclass(frozen=True)
class ElectionView:
    election: Election
    status: ElectionStatus
    contests: list[ContestView]


def _nomination_rows(
    session: Session, contest_ids: Sequence[int]
) -> list[tuple[Nomination, Member, Member]]:
    rows = session.exec(
        select(Nomination, Member)
        .join(Member, col(Member.id) == Nomination.nominee_id)
        .where(col(Nomination.contest_id).in_(contest_ids))
        .order_by(col(Nomination.created_at), col(Nomination.id))
    ).all()
    nominators = {
        m.id: m
        for m in session.exec(
            select(Member).where(col(Member.id).in_({n.nominator_id for n, _ in rows}))
        )
    }
    return [(n, m, nominators[n.nominator_id]) for n, m in rows]


def _seconds_by_nomination(session: Session, ids: Sequence[int]) -> dict[int, int]:
    rows = session.exec(
        select(Seconding.nomination_id, func.count())
        .where(col(Seconding.nomination_id).in_(ids))
        .group_by(col(Seconding.nomination_id))
    ).all()
    return dict(rows)


def _seconded_by(session: Session, ids: Sequence[int], member_id: int | None) -> set[int]:
    if member_id is None:
        return set()
    return set(
        session.exec(
            select(Seconding.nomination_id).where(
                col(Seconding.nomination_id).in_(ids), Seconding.member_id == member_id
            )
        )
    )


def all_declared(session: Session, election: Election) -> bool:
    """Whether every contest has its declaration: unopposed and vacant ones when nominations
    closed, balloted ones once their ballot's result is published."""
    if election.nominations_closed_at is None:
        return False
    undeclared = session.exec(
        select(func.count())
        .select_from(Contest)
        .outerjoin(Ballot, col(Ballot.id) == Contest.ballot_id)
        .where(
            Contest.election_id == election.id,
            col(Contest.declared_at).is_(None),
            (col(Ballot.id).is_(None)) | (col(Ballot.status) != BallotStatus.PUBLISHED),
        )
    ).one()
    return undeclared == 0


def status_of(session: Session, election: Election, now: datetime) -> ElectionStatus:
    return status_at(election, now, all_declared=all_declared(session, election))


def election_view(
    session: Session,
    election: Election,
    *,
    member_id: int | None,
    roles: Collection[Role],
    now: datetime,
) -> ElectionView:
    """The election as this viewer may see it: candidates for everyone; nominations still in
    progress for governors, for the members they name or were made by, and for the members
    who may second them (from the contest's electorate)."""
    found = contests(session, election)
    ids = [c.id for c in found if c.id is not None]
    rows = _nomination_rows(session, ids)
    nomination_ids = [n.id for n, _, _ in rows if n.id is not None]
    counts = _seconds_by_nomination(session, nomination_ids)
    mine = _seconded_by(session, nomination_ids, member_id)
    viewer = elector(session, member_id) if member_id is not None else None
    ballots = {
        b.id: b
        for b in session.exec(
            select(Ballot).where(col(Ballot.id).in_([c.ballot_id for c in found if c.ballot_id]))
        )
    }
    rolls = (
        {
            e.ballot_id: e
            for e in session.exec(
                select(RollEntry).where(
                    col(RollEntry.ballot_id).in_(list(ballots)), RollEntry.member_id == member_id
                )
            )
        }
        if member_id is not None
        else {}
    )
    window_open = status_at(election, now) is ElectionStatus.NOMINATIONS
    is_governor = Role.GOVERNOR in roles
    views: list[ContestView] = []
    for contest in found:
        electorate = viewer is not None and in_electorate(contest, viewer)
        candidates: list[NominationView] = []
        others: list[NominationView] = []
        for nomination, nominee, nominator in rows:
            if nomination.contest_id != contest.id:
                continue
            view = NominationView(
                nomination=nomination,
                contest=contest,
                nominee=nominee.name,
                nominee_public_id=nominee.public_id,
                nominator=nominator.name,
                seconds=counts.get(nomination.id or 0, 0),
                is_nominee=nominee.id == member_id,
                is_nominator=nominator.id == member_id and nominee.id != member_id,
                has_seconded=(nomination.id in mine),
                may_second=(
                    window_open
                    and electorate
                    and member_id not in {nominee.id, nominator.id}
                    and nomination.status in {N.SUBMITTED, N.APPROVED}
                    and nomination.id not in mine
                ),
            )
            if nomination.status is N.APPROVED:
                candidates.append(view)
            elif can_see_nomination(contest, nomination, viewer, is_governor=is_governor):
                others.append(view)
        order = {name: i for i, name in enumerate(paper_order([c.nominee for c in candidates]))}
        candidates.sort(key=lambda c: order[c.nominee])
        ballot = ballots.get(contest.ballot_id) if contest.ballot_id else None
        entry = rolls.get(contest.ballot_id) if contest.ballot_id else None
        views.append(
            ContestView(
                contest=contest,
                candidates=candidates,
                nominations=others,
                ballot=ballot,
                may_nominate=window_open and electorate,
                on_roll=entry is not None,
                has_voted=bool(entry and entry.has_voted),
            )
        )
    return ElectionView(
        election=election,
        status=status_of(session, election, now),
        contests=views,
    )


@dataclass(frozen=True)
class MyBallotInElection:
    contest: Contest
    ballot: Ballot
    has_voted: bool
    is_open: bool


def my_ballots(view: ElectionView, now: datetime) -> list[MyBallotInElection]:
    """ "Your ballots in the <election>": every contest's ballot on whose roll the viewer is."""
    return [
        MyBallotInElection(
            c.contest,
            c.ballot,
            c.has_voted,
            ballot_status_at(c.ballot, now) is BallotStatus.OPEN,
        )
        for c in view.contests
        if c.ballot is not None and c.on_roll
    ]


@dataclass(frozen=True)
class ContestResult:
    """One contest's result: elected names (in order of election, or the paper's order when
    unopposed), seats left vacant, and for a balloted contest its turnout and full count
    (the published ballot's own result document)."""

    contest_id: str
    title: str
    seats: int
    outcome: str | None
    declared: bool
    elected: list[str]
    vacant: int
    ballot_id: str | None = None
    turnout: str | None = None
    votes_cast: int | None = None
    electorate: int | None = None
    count: dict[str, Any] | None = None
    declaration_sha256: str | None = None


@dataclass(frozen=True)
class ElectionResults:
    election_id: str
    title: str
    declared: bool
    contests: list[ContestResult]


def contest_result(session: Session, contest: Contest) -> ContestResult:
    base: dict[str, Any] = {
        "contest_id": contest.public_id,
        "title": contest.title,
        "seats": contest.seats,
        "outcome": contest.outcome.value if contest.outcome else None,
    }
    if contest.declaration is not None:
        declared = json.loads(contest.declaration)
        return ContestResult(
            **base,
            declared=True,
            elected=declared["elected"],
            vacant=declared["vacant"],
            declaration_sha256=contest.declaration_sha256,
        )
    ballot = session.get(Ballot, contest.ballot_id) if contest.ballot_id else None
    if ballot is None or ballot.status is not BallotStatus.PUBLISHED:
        return ContestResult(
            **base,
            declared=False,
            elected=[],
            vacant=0,
            ballot_id=ballot.public_id if ballot else None,
        )
    result = published(session, ballot).result
    if contest.outcome is Outcome.CONFIRMATORY:
        # A yes/no vote on the unopposed candidates, named in the ballot's description.
        elected = _confirmed_names(session, contest) if result["outcome"] == "carried" else []
    else:
        elected = list(result["elected"])
    return ContestResult(
        **base,
        declared=True,
        elected=elected,
        vacant=contest.seats - len(elected),
        ballot_id=ballot.public_id,
        turnout=result.get("turnout"),
        votes_cast=result.get("votes_cast"),
        electorate=result.get("electorate"),
        count=result,
        declaration_sha256=result["results_sha256"],
    )


def _confirmed_names(session: Session, contest: Contest) -> list[str]:
    return paper_order(
        list(
            session.exec(
                select(Member.name)
                .join(Nomination, col(Nomination.nominee_id) == Member.id)
                .where(Nomination.contest_id == contest.id, Nomination.status == N.APPROVED)
            )
        )
    )


def election_results(session: Session, public_id: str) -> ElectionResults:
    """The results of the election with this id (``NotFound`` for none, or none yet)."""
    return results(session, find_election(session, public_id))


def results(session: Session, election: Election) -> ElectionResults:
    """The results of election X: every contest, declared or still to be; the read model the
    results page and the API serve, and which other areas (general meetings) link to.
    ``NotFound`` until nominations have closed: before that no contest has an outcome."""
    if election.nominations_closed_at is None:
        raise NotFound("This election has no results yet: nominations are still open.")
    found = [contest_result(session, c) for c in contests(session, election)]
    return ElectionResults(
        election_id=election.public_id,
        title=election.title,
        declared=all(c.declared for c in found),
        contests=found,
    )
