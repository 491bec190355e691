"""Election rules, pure: a valid election, who may stand, second and vote in a contest, what
may happen to a nomination when, and what closing nominations makes of a contest.

Sources: Co-operatives UK's election guidance and the model articles of co-operative trust
schools (shared/DOMAIN.md, "Election"): the method is fixed before nominations open, members
of a constituency nominate and second from that constituency, and a contest with no more
candidates than seats is filled unopposed unless the rules ask for a confirmatory vote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from coopvote.ballots.models import Method
from coopvote.ballots.rules import MAX_OPTIONS, SINGLE_SEAT
from coopvote.elections.models import (
    STATEMENT_CHARS,
    STATEMENT_WORDS,
    CandidateOrder,
    Contest,
    Election,
    Nomination,
    NominationStatus,
    Outcome,
)
from coopvote.errors import YES, Conflict, NotAllowed, Verdict
from coopvote.members.models import MemberStatus

#: The methods a contest may use: those that fill seats from candidates.
CONTEST_METHODS = frozenset(
    {Method.PLURALITY, Method.APPROVAL, Method.IRV, Method.STV, Method.MEEK}
)
MAX_CONTESTS = 50
MAX_SECONDERS = 20

N = NominationStatus


class ElectionStatus(StrEnum):
    """Where an election stands at a moment (``status_at``)."""

    #: Before nominations open.
    DRAFT = "draft"
    NOMINATIONS = "nominations"
    #: Nominations closed, voting not yet closed.
    VOTING = "voting"
    CLOSED = "closed"
    #: Every contest's result declared (unopposed, vacant or published).
    DECLARED = "declared"


@dataclass(frozen=True)
class ContestDefinition:
    title: str
    seats: int
    method: Method
    eligible_constituencies: Sequence[str] = field(default_factory=tuple)
    eligible_organisations: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class ElectionDefinition:
    """What a governor fills in; checked by ``definition_problems``."""

    title: str
    nominations_open_at: datetime | None
    nominations_close_at: datetime | None
    voting_opens_at: datetime | None
    voting_closes_at: datetime | None
    contests: Sequence[ContestDefinition]
    description: str = ""
    seconders: int = 1
    confirmatory_vote: bool = False
    candidate_order: CandidateOrder = CandidateOrder.SURNAME


@dataclass(frozen=True)
class Elector:
    """What the rules need to know of a member: their standing and where they belong."""

    member_id: int
    status: MemberStatus
    constituency: str | None
    organisation: str | None


def definition_problems(
    d: ElectionDefinition, *, now: datetime, constituencies: set[str], organisations: set[str]
) -> dict[str, str]:
    """Every problem with an election's definition, by field name (a contest's fields as
    ``contests.N.field``, N from 0)."""
    problems: dict[str, str] = {}
    if not d.title.strip():
        problems["title"] = "Give the election a title."
    elif len(d.title) > 200:
        problems["title"] = "Keep the title under 200 characters."
    if len(d.description) > 20_000:
        problems["description"] = "Keep the description under 20,000 characters."
    if not 0 <= d.seconders <= MAX_SECONDERS:
        problems["seconders"] = f"From 0 to {MAX_SECONDERS} seconders."
    timetable = [
        ("nominations_open_at", d.nominations_open_at, "Say when nominations open."),
        ("nominations_close_at", d.nominations_close_at, "Say when nominations close."),
        ("voting_opens_at", d.voting_opens_at, "Say when voting opens."),
        ("voting_closes_at", d.voting_closes_at, "Say when voting closes."),
    ]
    previous: datetime | None = None
    for name, moment, missing in timetable:
        if moment is None:
            problems[name] = missing
        elif previous is not None and moment < previous:
            problems[name] = "Each step of the timetable comes after the one before."
        previous = moment or previous
    if d.voting_closes_at is not None and d.voting_closes_at <= now:
        problems.setdefault("voting_closes_at", "Voting must close in the future.")
    if (
        d.voting_opens_at is not None
        and d.voting_closes_at is not None
        and d.voting_closes_at <= d.voting_opens_at
    ):
        problems.setdefault("voting_closes_at", "Voting must close after it opens.")
    if not d.contests:
        problems["contests"] = "An election has at least one contest."
    elif len(d.contests) > MAX_CONTESTS:
        problems["contests"] = f"At most {MAX_CONTESTS} contests."
    titles = [c.title.strip() for c in d.contests]
    for i, contest in enumerate(d.contests):
        for name, problem in contest_problems(contest, constituencies, organisations).items():
            problems[f"contests.{i}.{name}"] = problem
        if contest.title.strip() and titles.count(contest.title.strip()) > 1:
            problems[f"contests.{i}.title"] = "Each contest needs its own title."
    return problems


def contest_problems(
    c: ContestDefinition, constituencies: set[str], organisations: set[str]
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not c.title.strip():
        problems["title"] = "Give the contest a title."
    elif len(c.title) > 200:
        problems["title"] = "Keep the title under 200 characters."
    if c.method not in CONTEST_METHODS:
        problems["method"] = "Choose plurality, approval, instant-runoff, STV or Meek STV."
    if not 1 <= c.seats < MAX_OPTIONS:
        problems["seats"] = f"From 1 to {MAX_OPTIONS - 1} seats."
    elif c.method in SINGLE_SEAT and c.seats != 1:
        problems["seats"] = "Instant-runoff voting fills exactly one seat."
    unknown = set(c.eligible_constituencies) - constituencies
    if unknown:
        problems["eligible_constituencies"] = f"Unknown constituency: {', '.join(sorted(unknown))}."
    unknown = set(c.eligible_organisations) - organisations
    if unknown:
        problems["eligible_organisations"] = f"Unknown organisation: {', '.join(sorted(unknown))}."
    return problems


def status_at(election: Election, now: datetime, *, all_declared: bool = False) -> ElectionStatus:
    """The election's state at ``now``, by the clock and its stored close of nominations.
    ``all_declared``: every contest has its declaration (unopposed, vacant or a published
    ballot result), which the caller reads."""
    if now < election.nominations_open_at:
        return ElectionStatus.DRAFT
    if election.nominations_closed_at is None and now < election.nominations_close_at:
        return ElectionStatus.NOMINATIONS
    if election.nominations_closed_at is not None and all_declared:
        return ElectionStatus.DECLARED
    if now < election.voting_closes_at:
        return ElectionStatus.VOTING
    return ElectionStatus.CLOSED


def nominations_open(election: Election, now: datetime) -> Verdict:
    """Nominations, seconding, consent and withdrawal happen while the window is open: from
    ``nominations_open_at`` until ``nominations_close_at`` or an earlier close by hand."""
    if now < election.nominations_open_at:
        return Verdict(Conflict("Nominations have not opened yet."))
    if election.nominations_closed_at is not None or now >= election.nominations_close_at:
        return Verdict(Conflict("Nominations have closed."))
    return YES


def in_electorate(contest: Contest, elector: Elector) -> bool:
    """An active member within the contest's constituencies and organisations (empty lists
    admit everyone), as a ballot's roll is drawn (``ballots.roll``)."""
    return (
        elector.status is MemberStatus.ACTIVE
        and (
            not contest.eligible_constituencies
            or elector.constituency in contest.eligible_constituencies
        )
        and (
            not contest.eligible_organisations
            or elector.organisation in contest.eligible_organisations
        )
    )


def can_nominate(
    election: Election, contest: Contest, nominator: Elector, nominee: Elector, now: datetime
) -> Verdict:
    """A member of the contest's electorate nominates themselves or another member of it,
    while nominations are open."""
    if not in_electorate(contest, nominator):
        return Verdict(NotAllowed("Only members who may vote in this contest can nominate."))
    if not in_electorate(contest, nominee):
        return Verdict(NotAllowed("Only members who may vote in this contest can stand in it."))
    return nominations_open(election, now)


def statement_problems(statement: str) -> dict[str, str]:
    words = len(statement.split())
    if not statement.strip():
        return {"statement": "Write a short statement for the members."}
    if words > STATEMENT_WORDS or len(statement) > STATEMENT_CHARS:
        return {
            "statement": f"Keep the statement to {STATEMENT_WORDS} words (this one has {words})."
        }
    return {}


def _live(nomination: Nomination) -> Verdict:
    if nomination.status in {N.REJECTED, N.WITHDRAWN}:
        return Verdict(Conflict(f"This nomination was {nomination.status.value}."))
    return YES


def can_second(
    election: Election, contest: Contest, nomination: Nomination, seconder: Elector, now: datetime
) -> Verdict:
    """Once each (the database's key holds that), from the contest's electorate, never one's
    own nomination, while nominations are open."""
    if seconder.member_id in {nomination.nominee_id, nomination.nominator_id}:
        return Verdict(NotAllowed("You cannot second a nomination you made or that names you."))
    if not in_electorate(contest, seconder):
        return Verdict(NotAllowed("Only members who may vote in this contest can second."))
    return _live(nomination) and nominations_open(election, now)


def can_consent(
    election: Election, nomination: Nomination, member_id: int, now: datetime
) -> Verdict:
    """The nominee agrees to stand, when someone else nominated them."""
    if member_id != nomination.nominee_id:
        return Verdict(NotAllowed("Only the member nominated can agree to stand."))
    if nomination.status is not N.AWAITING_CONSENT:
        return Verdict(Conflict("This nomination is not waiting for your consent."))
    return nominations_open(election, now)


def can_withdraw(
    election: Election, nomination: Nomination, member_id: int, now: datetime
) -> Verdict:
    """The nominee withdraws, until nominations close."""
    if member_id != nomination.nominee_id:
        return Verdict(NotAllowed("Only the member nominated can withdraw."))
    return _live(nomination) and nominations_open(election, now)


def can_set_photo(
    election: Election, nomination: Nomination, member_id: int, now: datetime
) -> Verdict:
    """The nominee adds or replaces their photo while nominations are open."""
    if member_id != nomination.nominee_id:
        return Verdict(NotAllowed("Only the member nominated can add their photo."))
    return _live(nomination) and nominations_open(election, now)


def can_approve(election: Election, nomination: Nomination, seconds: int, now: datetime) -> Verdict:
    """A governor accepts a nomination the nominee stands by and enough members seconded,
    before nominations close."""
    if nomination.status is not N.SUBMITTED:
        return Verdict(
            Conflict(
                "Only a submitted nomination can be accepted; "
                f"this one is {nomination.status.value}."
            )
        )
    if seconds < election.seconders:
        return Verdict(
            Conflict(
                f"This nomination has {seconds} of the {election.seconders} seconders it needs."
            )
        )
    return nominations_open(election, now)


def can_reject(election: Election, nomination: Nomination, now: datetime) -> Verdict:
    if nomination.status not in {N.AWAITING_CONSENT, N.SUBMITTED, N.APPROVED}:
        return Verdict(Conflict(f"This nomination was {nomination.status.value}."))
    return nominations_open(election, now)


def can_close_nominations(election: Election, now: datetime) -> Verdict:
    """By hand, any time after nominations opened (the scheduler closes at the set time)."""
    if now < election.nominations_open_at:
        return Verdict(Conflict("Nominations have not opened yet."))
    if election.nominations_closed_at is not None:
        return Verdict(Conflict("Nominations have closed already."))
    return YES


def outcome(candidates: int, seats: int, *, confirmatory_vote: bool) -> Outcome:
    """What closing nominations makes of a contest with ``candidates`` accepted candidates."""
    if candidates == 0:
        return Outcome.VACANT
    if candidates > seats:
        return Outcome.BALLOTED
    return Outcome.CONFIRMATORY if confirmatory_vote else Outcome.UNOPPOSED


_SPACE = re.compile(r"\s+")


def surname_key(name: str) -> tuple[str, str]:
    """Alphabetical by surname, taken as the last word of the name, then by the whole name;
    case-insensitive."""
    name = _SPACE.sub(" ", name.strip()).casefold()
    return (name.rsplit(" ", 1)[-1], name)


def paper_order(names: Sequence[str]) -> list[str]:
    """The candidates as the paper lists them: by surname (a ``RANDOM`` election shuffles
    each paper as it is shown, from this order)."""
    return sorted(names, key=surname_key)


def can_see_nomination(
    contest: Contest, nomination: Nomination, viewer: Elector | None, *, is_governor: bool
) -> bool:
    """Candidates (approved nominations) are for everyone; a nomination in progress for
    governors, for the members it names or was made by, and, once its nominee stands by it,
    for the contest's electorate, who may second it. Rejections and withdrawals stay with
    governors and the two members concerned."""
    if nomination.status is N.APPROVED or is_governor:
        return True
    if viewer is None:
        return False
    if viewer.member_id in {nomination.nominee_id, nomination.nominator_id}:
        return True
    return nomination.status is N.SUBMITTED and in_electorate(contest, viewer)
