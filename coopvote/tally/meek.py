"""Meek STV, as fixed by the Proportional Representation Foundation's reference rule.

Hill, Wichmann and Woodall's method (Computer Journal 30(3), 1987) in the PR Foundation's
"Meek reference rule" form: fixed-point arithmetic to 9 decimal places, rounding up where the
rule says so, the quota recomputed at every iteration, iteration until the total surplus is
below omega = 0.000001. The step labels (A, B.1 … C.2, T) are the rule's own.

Every elected candidate keeps a fraction of each paper that reaches them (their keep factor)
and passes the rest on; excluded and withdrawn candidates keep nothing. Keep factors are
adjusted until every elected candidate keeps just about a quota.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from coopvote.tally.arithmetic import divide_rounding_up, to_decimal
from coopvote.tally.papers import prepare_ranked
from coopvote.tally.types import Action, ActionKind, Ballot, Result, Round, TieBreak, TieRule

PLACES = 9
UNIT = 10**PLACES
OMEGA = UNIT // 10**6  # 0.000001


def count_meek(
    candidates: Sequence[str],
    ballots: Iterable[Ballot],
    *,
    seats: int,
    tie_order: Sequence[str],
    withdrawn: Collection[str] = (),
) -> Result:
    profile = prepare_ranked(
        candidates, ballots, seats=seats, tie_order=tie_order, withdrawn=withdrawn
    )
    if not profile.valid_papers:
        return profile.nothing_to_count("meek", seats)
    names, ties = profile.candidates, profile.ties
    # A. Hopeful candidates keep everything (keep factor 1); withdrawn ones nothing.
    keep = [UNIT if c in profile.standing else 0 for c in range(len(names))]
    hopeful = [c in profile.standing for c in range(len(names))]
    elected: list[int] = []
    rounds: list[Round] = []
    tie_breaks: list[TieBreak] = []

    while True:
        number = len(rounds) + 1
        in_count = [c for c in profile.standing if hopeful[c] or c in elected]
        still_hopeful = [c for c in in_count if hopeful[c]]
        seats_left = seats - len(elected)
        # B.1. The count is complete when every seat is filled or the hopeful candidates
        # are no more than the seats left.
        complete = not len(still_hopeful) > seats_left > 0
        paths = _paths_of_papers(profile.ballots, keep, hopeful)
        if complete:
            # C.1. Elect the remaining hopeful candidates if seats are left (C.2: otherwise
            # they are not elected). The figures are the current distribution of votes.
            votes, exhausted = _distribute(paths, keep)
            quota = sum(votes) // (seats + 1) + 1
            chosen = still_hopeful if seats_left else []
            if not chosen and rounds:
                break  # C.2: the seats are filled; the last round already shows the figures
            actions = [
                Action(ActionKind.ELECTED, names[c], "hopeful candidates fill the seats left")
                for c in chosen
            ]
        else:
            votes, exhausted, quota, surplus, chosen = _iterate(
                paths, keep, still_hopeful, elected, seats, profile.valid_papers
            )
            if chosen:
                actions = [
                    Action(ActionKind.ELECTED, names[c], "reached the quota") for c in chosen
                ]
            else:
                # B.3. Defeat the lowest hopeful candidate. Everyone within the total surplus
                # of the lowest vote counts as tied, and the tie order decides (procedure T).
                lowest = min(votes[c] for c in still_hopeful)
                tied = [c for c in still_hopeful if votes[c] <= lowest + surplus]
                defeated = ties.by_lot(tied)
                if len(tied) > 1:
                    tie_breaks.append(
                        TieBreak(
                            round=number,
                            purpose="exclusion",
                            tied=tuple(names[c] for c in ties.in_tie_order(tied)),
                            chosen=names[defeated],
                            rule=TieRule.LOT,
                        )
                    )
                hopeful[defeated] = False
                keep[defeated] = 0
                actions = [Action(ActionKind.EXCLUDED, names[defeated], "lowest vote")]
        for c in chosen:
            hopeful[c] = False
            elected.append(c)
        rounds.append(
            Round(
                number=number,
                votes={names[c]: to_decimal(votes[c], PLACES) for c in in_count},
                exhausted=to_decimal(exhausted, PLACES),
                quota=to_decimal(quota, PLACES),
                actions=tuple(actions),
            )
        )
        if complete:
            break

    return Result(
        method="meek",
        seats=seats,
        candidates=names,
        elected=tuple(names[c] for c in elected),
        valid_papers=profile.valid_papers,
        blank_papers=profile.blank_papers,
        tie_order=ties.order,
        rounds=tuple(rounds),
        tallies=rounds[0].votes,
        tie_breaks=tuple(tie_breaks),
    )


def _paths_of_papers(
    ballots: Iterable[tuple[tuple[int, ...], int]], keep: Sequence[int], hopeful: Sequence[bool]
) -> list[tuple[tuple[int, ...], int]]:
    """Group papers by the candidates who can keep part of them in this round.

    Excluded and withdrawn candidates keep nothing, so they are skipped; a hopeful candidate
    keeps all that reaches them, so nothing after the first one matters. Candidates' states
    do not change within a round, so papers that agree on this path count the same way.
    """
    grouped: dict[tuple[int, ...], int] = {}
    for ranking, number in ballots:
        path: list[int] = []
        for c in ranking:
            if keep[c]:
                path.append(c)
                if hopeful[c]:
                    break
        key = tuple(path)
        grouped[key] = grouped.get(key, 0) + number
    return list(grouped.items())


def _distribute(
    paths: Iterable[tuple[tuple[int, ...], int]], keep: Sequence[int]
) -> tuple[list[int], int]:
    """B.2.a. Each candidate on a paper keeps weight × keep factor, rounded up to 9 places,
    and passes the rest on. Returns the candidates' votes and the weight nobody kept."""
    votes = [0] * len(keep)
    exhausted = 0
    for path, number in paths:
        weight = UNIT
        for c in path:
            kept = divide_rounding_up(weight * keep[c], UNIT)
            votes[c] += kept * number
            weight -= kept
            if weight <= 0:
                break
        exhausted += weight * number
    return votes, exhausted


def _iterate(
    paths: Sequence[tuple[tuple[int, ...], int]],
    keep: list[int],
    hopeful: Sequence[int],
    elected: Sequence[int],
    seats: int,
    valid_papers: int,
) -> tuple[list[int], int, int, int, list[int]]:
    """B.2. Distribute, update the quota, and adjust elected candidates' keep factors until a
    candidate is elected or the surplus settles. Updates `keep` in place.

    Returns the votes, exhausted weight, quota, total surplus and the newly elected.
    """
    previous_surplus = valid_papers * UNIT
    while True:
        votes, exhausted = _distribute(paths, keep)
        # B.2.b. quota = total vote ÷ (seats + 1), truncated to 9 places, plus 0.000000001.
        quota = sum(votes) // (seats + 1) + 1
        # B.2.c. Elect every hopeful candidate whose vote reaches the quota (most votes first).
        reached = sorted((c for c in hopeful if votes[c] >= quota), key=lambda c: (-votes[c], c))
        # B.2.d. The total surplus of the elected candidates, not less than 0.
        surplus = max(0, sum(votes[c] - quota for c in elected))
        # B.2.e. Stop on an election, a surplus below omega, or a surplus that no longer falls.
        if reached or surplus < OMEGA or surplus >= previous_surplus:
            return votes, exhausted, quota, surplus, reached
        previous_surplus = surplus
        # B.2.f. New keep factor = keep factor × quota ÷ vote, each step rounded up.
        for c in elected:
            keep[c] = divide_rounding_up(divide_rounding_up(keep[c] * quota, UNIT) * UNIT, votes[c])
