"""Single transferable vote under the Scottish rules (SSI 2007/42, rules 45–52).

The rules in short (docs/counting/stv-scottish.md has them in full, with a worked example):

- quota = ⌊valid papers ÷ (seats + 1)⌋ + 1, fixed for the whole count (rule 46);
- a candidate whose vote reaches the quota is elected (rule 47);
- the largest surplus is transferred first, one per stage (rule 49); every paper the
  elected candidate holds moves on to its next continuing preference, at the value
  value × surplus ÷ the candidate's vote, truncated to five decimal places (rule 48);
- with no surplus to transfer, the candidate with the fewest votes is excluded and all their
  papers move on at their current value (rule 50);
- ties, in surpluses or for exclusion, go by the most recent earlier stage at which the tied
  candidates had different votes, then by lot (rules 49(2)–(3), 51);
- when the continuing candidates are no more than the seats left, they are elected and no
  further transfer is made (rule 52).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence

from coopvote.tally.arithmetic import to_decimal
from coopvote.tally.cyclegc import cycle_collector_paused
from coopvote.tally.papers import prepare_ranked
from coopvote.tally.parcels import Parcels
from coopvote.tally.types import Action, ActionKind, Ballot, Result, Round, TieBreak

PLACES = 5
UNIT = 10**PLACES


@cycle_collector_paused
def count_scottish_stv(
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
        return profile.nothing_to_count("stv", seats)
    names, ties = profile.candidates, profile.ties
    continuing = [c in profile.standing for c in range(len(names))]
    excluded = [False] * len(names)
    parcels = Parcels(profile.ballots, unit=UNIT, continuing=continuing)
    votes = parcels.votes
    quota = (profile.valid_papers // (seats + 1) + 1) * UNIT

    elected: list[int] = []
    awaiting_transfer: list[int] = []  # elected with a surplus not yet transferred
    history: list[list[int]] = []  # each stage's votes, for breaking ties
    rounds: list[Round] = []
    tie_breaks: list[TieBreak] = []
    lost_to_rounding = 0

    def by_vote(group: Iterable[int]) -> list[int]:
        # The order in which candidates elected at one stage are listed; it decides nothing.
        return sorted(group, key=lambda c: (-votes[c], ties.position_in_tie_order[c]))

    for stage in itertools.count(1):
        stage_votes = list(votes)
        figures = {
            names[c]: to_decimal(votes[c], PLACES) for c in profile.standing if not excluded[c]
        }
        exhausted, lost_before = parcels.exhausted, lost_to_rounding
        actions: list[Action] = []
        tie: TieBreak | None = None
        for c in by_vote(c for c in profile.standing if continuing[c] and votes[c] >= quota):
            continuing[c] = False
            elected.append(c)
            actions.append(Action(ActionKind.ELECTED, names[c], "reached the quota"))
            if votes[c] > quota:
                awaiting_transfer.append(c)
        hopeful = [c for c in profile.standing if continuing[c]]
        seats_left = seats - len(elected)
        finished = seats_left <= 0 or len(hopeful) <= seats_left
        if finished:
            # Rule 52: the continuing candidates fill the seats left; no further transfer.
            for c in by_vote(hopeful) if seats_left else ():
                continuing[c] = False
                elected.append(c)
                actions.append(
                    Action(
                        ActionKind.ELECTED, names[c], "continuing candidates fill the seats left"
                    )
                )
        elif awaiting_transfer:
            largest = max(votes[c] for c in awaiting_transfer)
            chosen, tie = ties.choose(
                [c for c in awaiting_transfer if votes[c] == largest],
                round_number=stage,
                purpose="largest surplus",
                earlier_rounds=history,
                lowest=False,
            )
            awaiting_transfer.remove(chosen)
            surplus, total = votes[chosen] - quota, votes[chosen]
            actions.append(
                Action(
                    ActionKind.SURPLUS_TRANSFERRED,
                    names[chosen],
                    "largest surplus",
                    amount=to_decimal(surplus, PLACES),
                )
            )
            # Rule 48(3): each paper's new value is truncated, so a little may be lost.
            moved = parcels.transfer(chosen, surplus, total)
            votes[chosen] = quota
            lost_to_rounding += surplus - moved
        else:
            lowest = min(votes[c] for c in hopeful)
            chosen, tie = ties.choose(
                [c for c in hopeful if votes[c] == lowest],
                round_number=stage,
                purpose="exclusion",
                earlier_rounds=history,
                lowest=True,
            )
            continuing[chosen] = False
            excluded[chosen] = True
            actions.append(Action(ActionKind.EXCLUDED, names[chosen], "lowest vote"))
            parcels.transfer(chosen)
        if tie is not None:
            tie_breaks.append(tie)
        history.append(stage_votes)
        rounds.append(
            Round(
                number=stage,
                votes=figures,
                exhausted=to_decimal(exhausted, PLACES),
                lost_to_rounding=to_decimal(lost_before, PLACES),
                quota=to_decimal(quota, PLACES),
                actions=tuple(actions),
            )
        )
        if finished:
            break

    return Result(
        method="stv",
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
