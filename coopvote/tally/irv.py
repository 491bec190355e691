"""Instant-runoff voting (the alternative vote): one seat.

Each round, every paper counts for its most preferred continuing candidate. A candidate with
more than half of the papers that still count for someone is elected. Otherwise the
candidate with the fewest votes is excluded and their papers move on to the next continuing
preference. Ties for exclusion go by the most recent earlier round at which the tied
candidates had different votes, then by lot. The last continuing candidate is elected.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal

from coopvote.tally.cyclegc import cycle_collector_paused
from coopvote.tally.papers import prepare_ranked
from coopvote.tally.parcels import Parcels
from coopvote.tally.types import Action, ActionKind, Ballot, Result, Round, TieBreak


@cycle_collector_paused
def count_irv(
    candidates: Sequence[str],
    ballots: Iterable[Ballot],
    *,
    tie_order: Sequence[str],
    withdrawn: Collection[str] = (),
) -> Result:
    profile = prepare_ranked(candidates, ballots, seats=1, tie_order=tie_order, withdrawn=withdrawn)
    if not profile.valid_papers:
        return profile.nothing_to_count("irv", 1)
    names, ties = profile.candidates, profile.ties
    continuing = [c in profile.standing for c in range(len(names))]
    parcels = Parcels(profile.ballots, unit=1, continuing=continuing)
    votes = parcels.votes
    elected: list[int] = []
    history: list[list[int]] = []
    rounds: list[Round] = []
    tie_breaks: list[TieBreak] = []

    for number in itertools.count(1):
        hopeful = [c for c in profile.standing if continuing[c]]
        papers_counting = sum(votes[c] for c in hopeful)
        leader = max(hopeful, key=votes.__getitem__)
        has_majority = 2 * votes[leader] > papers_counting
        if has_majority or len(hopeful) == 1:
            chosen, tie = leader, None
            reason = "more than half of the papers" if has_majority else "last candidate"
            action = Action(ActionKind.ELECTED, names[leader], reason)
        else:
            lowest = min(votes[c] for c in hopeful)
            chosen, tie = ties.choose(
                [c for c in hopeful if votes[c] == lowest],
                round_number=number,
                purpose="exclusion",
                earlier_rounds=history,
                lowest=True,
            )
            action = Action(ActionKind.EXCLUDED, names[chosen], "lowest vote")
        rounds.append(
            Round(
                number=number,
                votes={names[c]: Decimal(votes[c]) for c in hopeful},
                exhausted=Decimal(parcels.exhausted),
                quota=Decimal(papers_counting // 2 + 1),
                actions=(action,),
            )
        )
        if tie is not None:
            tie_breaks.append(tie)
        if action.kind is ActionKind.ELECTED:
            elected.append(chosen)
            break
        history.append(list(votes))
        continuing[chosen] = False
        parcels.transfer(chosen)

    return Result(
        method="irv",
        seats=1,
        candidates=names,
        elected=tuple(names[c] for c in elected),
        valid_papers=profile.valid_papers,
        blank_papers=profile.blank_papers,
        tie_order=ties.order,
        rounds=tuple(rounds),
        tallies=rounds[0].votes,
        tie_breaks=tuple(tie_breaks),
    )
