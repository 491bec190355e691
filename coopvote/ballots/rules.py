"""Ballot rules, pure: what a valid definition and a valid paper are, and what state a
ballot is in at a given moment."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from coopvote.ballots.models import Ballot, BallotStatus, Method, Threshold
from coopvote.errors import YES, Conflict, InvalidInput, NotAllowed, NotFound, Verdict
from coopvote.members.models import Role
from coopvote.tally.counting import RANKED_METHODS

RANKED = frozenset(Method(m) for m in RANKED_METHODS)
SINGLE_SEAT = frozenset({Method.IRV})
RESOLUTION_CHOICES = ("for", "against", "abstain")
MAX_OPTIONS = 100
#: A time typed to the minute is not "in the past" during that minute.
OPENING_GRACE = timedelta(minutes=1)
#: The furthest ahead a ballot may open or close: a co-operative's ballot runs for weeks, and a
#: date years away is a mistyped year.
FURTHEST_AHEAD = timedelta(days=2 * 366)


def option_key(label: str) -> str:
    """What makes two options the same to a reader: their letters, whatever their case, their
    spacing or the Unicode form they were typed in ("Alpha" and "alpha " are one option)."""
    return " ".join(unicodedata.normalize("NFKC", label).casefold().split())


@dataclass(frozen=True)
class Definition:
    """What a governor fills in; checked by ``definition_problems`` before it is stored."""

    title: str
    method: Method
    closes_at: datetime | None
    description: str = ""
    options: Sequence[str] = ()
    seats: int = 1
    max_choices: int | None = None
    threshold: Threshold | None = None
    quorum_bp: int = 0
    opens_at: datetime | None = None
    eligible_constituencies: Sequence[str] = field(default_factory=tuple)
    eligible_organisations: Sequence[str] = field(default_factory=tuple)
    shuffle_options: bool = False
    meeting_advance: bool = False


#: Why a meeting's advance ballot is never previewed or published on its own.
MEETING_ADVANCE = (
    "This is the advance vote on a general meeting's resolution: its papers are counted with "
    "the meeting's other channels when the chair declares the result."
)


def definition_problems(
    definition: Definition, *, now: datetime, constituencies: set[str], organisations: set[str]
) -> dict[str, str]:
    """Every problem with a definition, by field name: among them, an opening in the past or a
    time more than ``FURTHEST_AHEAD`` from ``now``, and options that differ only in case or
    spacing."""
    d = definition
    problems: dict[str, str] = {}
    if not d.title.strip():
        problems["title"] = "Give the ballot a title."
    elif len(d.title) > 200:
        problems["title"] = "Keep the title under 200 characters."
    if len(d.description) > 20_000:
        problems["description"] = "Keep the description under 20,000 characters."
    labels = [label.strip() for label in d.options if label.strip()]
    if d.method is Method.RESOLUTION:
        if labels:
            problems["options"] = (
                "A resolution has no options: members vote for, against or abstain."
            )
    else:
        if len(labels) < 2:
            problems["options"] = "An election needs at least two options or candidates."
        elif len({option_key(label) for label in labels}) != len(labels):
            problems["options"] = "Each option must be different, not only in capitals or spaces."
        elif len(labels) > MAX_OPTIONS or any(len(label) > 200 for label in labels):
            problems["options"] = f"At most {MAX_OPTIONS} options of up to 200 characters each."
        if d.seats < 1:
            problems["seats"] = "There must be at least one seat."
        elif d.method in SINGLE_SEAT and d.seats != 1:
            problems["seats"] = "Instant-runoff voting fills exactly one seat."
        elif len(labels) >= 2 and d.seats >= len(labels):
            problems["seats"] = "There must be fewer seats than options."
    if (
        d.method is Method.APPROVAL
        and d.max_choices is not None
        and not (1 <= d.max_choices <= max(len(labels), 1))
    ):
        problems["max_choices"] = "Members must be able to mark between one and all the options."
    if d.threshold is not None and d.method is not Method.RESOLUTION:
        problems["threshold"] = "Only a resolution has a threshold."
    if not 0 <= d.quorum_bp <= 10_000:
        problems["quorum"] = "The quorum is a share of the roll, from 0 to 100 %."
    if d.opens_at is not None and d.opens_at < now - OPENING_GRACE:
        # Saved, it would open at once with a roll drawn in the past (issue 17).
        problems["opens_at"] = (
            "Voting cannot open in the past: choose a time from now on, or leave it empty to"
            " open the ballot by hand."
        )
    elif d.opens_at is not None and d.opens_at > now + FURTHEST_AHEAD:
        problems["opens_at"] = "Voting must open within two years: check the year."
    if d.closes_at is None:
        problems["closes_at"] = "Say when voting closes."
    elif d.closes_at <= now:
        problems["closes_at"] = "Voting must close in the future."
    elif d.closes_at > now + FURTHEST_AHEAD:
        problems["closes_at"] = "Voting must close within two years: check the year."
    elif d.opens_at is not None and d.closes_at <= d.opens_at:
        problems["closes_at"] = "Voting must close after it opens."
    unknown = set(d.eligible_constituencies) - constituencies
    if unknown:
        problems["eligible_constituencies"] = f"Unknown constituency: {', '.join(sorted(unknown))}."
    unknown = set(d.eligible_organisations) - organisations
    if unknown:
        problems["eligible_organisations"] = f"Unknown organisation: {', '.join(sorted(unknown))}."
    return problems


#: Who watches turnout while voting goes on.
OFFICERS = frozenset({Role.GOVERNOR, Role.AUDITOR})


def status_at(ballot: Ballot, now: datetime) -> BallotStatus:
    """The state of a ballot at ``now``: opening and closing happen by the clock. The stored
    state catches up in the background (or when a command touches the ballot); until then,
    reads show this derived state without writing."""
    status = ballot.status
    if status is BallotStatus.DRAFT and ballot.opens_at is not None and ballot.opens_at <= now:
        status = BallotStatus.OPEN
    if status is BallotStatus.OPEN and ballot.closes_at <= now:
        status = BallotStatus.CLOSED
    return status


def can_be(ballot: Ballot, now: datetime, allowed: Collection[BallotStatus], doing: str) -> Verdict:
    """Whether a ballot is, at ``now``, in one of the states that allow ``doing`` it (e.g.
    ``OPENABLE`` for "opened")."""
    status = status_at(ballot, now)
    if status not in allowed:
        return Verdict(Conflict(f"This ballot is {status.value}: it cannot be {doing}."))
    return YES


def ensure_status(
    ballot: Ballot, now: datetime, allowed: Collection[BallotStatus], doing: str
) -> None:
    can_be(ballot, now, allowed, doing).ensure()


def can_open(ballot: Ballot, now: datetime) -> Verdict:
    return can_be(ballot, now, {BallotStatus.DRAFT}, "opened")


def can_close(ballot: Ballot, now: datetime) -> Verdict:
    return can_be(ballot, now, {BallotStatus.OPEN}, "closed")


def can_cancel(ballot: Ballot, now: datetime) -> Verdict:
    return can_be(ballot, now, {BallotStatus.DRAFT, BallotStatus.OPEN}, "cancelled")


def can_edit(ballot: Ballot, now: datetime) -> Verdict:
    """Only a draft's definition can change: opening freezes it with the roll."""
    return can_be(ballot, now, {BallotStatus.DRAFT}, "edited")


def can_see(ballot: Ballot, roles: Collection[Role], now: datetime) -> Verdict:
    """Drafts exist only for governors: anyone else is told there is no such ballot, as if
    there were none. A draft whose opening time has passed is open, and seen by all."""
    if status_at(ballot, now) is BallotStatus.DRAFT and Role.GOVERNOR not in roles:
        return Verdict(NotFound("No such ballot."))
    return YES


def ensure_can_see(ballot: Ballot, roles: Collection[Role], now: datetime) -> None:
    can_see(ballot, roles, now).ensure()


def can_see_turnout(ballot: Ballot, roles: Collection[Role], now: datetime) -> Verdict:
    """How many have voted: for governors and auditors while voting goes on, for everyone
    once it has closed. Never the running tally (DOMAIN.md, "No early results")."""
    status = status_at(ballot, now)
    if status in {BallotStatus.CLOSED, BallotStatus.PUBLISHED}:
        return YES
    if status is BallotStatus.OPEN and OFFICERS.intersection(roles):
        return YES
    return Verdict(Conflict("Turnout is shown to everyone once voting has closed."))


def can_vote(ballot: Ballot, now: datetime, *, on_roll: bool, has_voted: bool) -> Verdict:
    """Whether a member may cast a paper now: while the ballot is open, once, if on its roll.
    (``cast_vote`` also checks that they are still an active member, and marks the roll with
    a conditional update, so that two racing votes store one paper.)"""
    status = status_at(ballot, now)
    if status is not BallotStatus.OPEN:
        return Verdict(Conflict(f"This ballot is {status.value}: it cannot be voted in."))
    if not on_roll:
        return Verdict(NotAllowed("You are not on the roll for this ballot."))
    if has_voted:
        return Verdict(Conflict("You have already voted in this ballot."))
    return YES


def choices_allowed(ballot: Ballot, option_count: int) -> int:
    """How many options a member may mark on a plurality or approval paper."""
    if ballot.method is Method.PLURALITY:
        return ballot.seats
    return ballot.max_choices or option_count


def parse_paper(
    ballot: Ballot, option_ids: Sequence[int], raw: Mapping[str, Any]
) -> dict[str, Any]:
    """Check a paper against the ballot and return it in its one canonical form.

    Resolution ``{"choice": "for"|"against"|"abstain"}``; plurality and approval
    ``{"choices": [option ids, sorted]}``; ranked ``{"ranking": [option ids, most preferred
    first]}`` (a partial ranking is allowed).
    """
    if ballot.method is Method.RESOLUTION:
        choice = raw.get("choice")
        if set(raw) != {"choice"} or choice not in RESOLUTION_CHOICES:
            raise InvalidInput('A resolution paper is {"choice": "for", "against" or "abstain"}.')
        return {"choice": choice}
    key = "ranking" if ballot.method in RANKED else "choices"
    picked = raw.get(key)
    if (
        set(raw) != {key}
        or not isinstance(picked, list)
        or not all(isinstance(i, int) and not isinstance(i, bool) for i in picked)
    ):
        raise InvalidInput(f'This paper is {{"{key}": [option ids]}}.')
    unknown = set(picked) - set(option_ids)
    if unknown:
        raise InvalidInput("The paper names an option that is not on this ballot.")
    if len(set(picked)) != len(picked):
        raise InvalidInput("The paper names the same option twice.")
    if key == "ranking":
        if not picked:
            raise InvalidInput("Rank at least one option.")
        return {"ranking": list(picked)}
    limit = choices_allowed(ballot, len(option_ids))
    if not picked:
        raise InvalidInput("Mark at least one option.")
    if len(picked) > limit:
        raise InvalidInput(f"Mark at most {limit} option{'s' if limit != 1 else ''}.")
    return {"choices": sorted(picked)}


def ranking_from_positions(positions: Mapping[int, str]) -> list[int]:
    """A ranking from a form's numbered preferences (option id → the number typed or chosen).

    Blank means not ranked; numbers need not be consecutive (1, 2, 4 ranks three options in
    that order), but the same number twice is ambiguous and refused.
    """
    ranked: dict[int, int] = {}
    for option_id, value in positions.items():
        if not value.strip():
            continue
        if not value.strip().isdigit() or int(value) < 1:
            raise InvalidInput("Preferences are numbers: 1 for your first choice, 2 for your next.")
        rank = int(value)
        if rank in ranked.values():
            raise InvalidInput(f"You gave preference {rank} to more than one option.")
        ranked[option_id] = rank
    return sorted(ranked, key=ranked.__getitem__)
