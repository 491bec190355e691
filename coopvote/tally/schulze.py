"""The Schulze method (winning votes), with a complete ranking for several seats.

1. pairwise[X][Y] = the number of papers that rank X above Y. A paper ranks every candidate
   it lists above every candidate it leaves out; candidates left out are equal to each other.
2. A defeat X over Y (pairwise[X][Y] > pairwise[Y][X]) has strength pairwise[X][Y]
   ("winning votes"); no defeat, strength 0.
3. strongest_paths[X][Y] = the strength of the strongest path from X to Y, a path being as
   strong as its weakest defeat (the widest-path version of Floyd–Warshall).
4. X ranks above Y when strongest_paths[X][Y] > strongest_paths[Y][X]. This relation is
   transitive (Schulze 2011, §4.1), so the ranking is built by taking, again and again, the
   candidates not beaten by any candidate still unranked; when several are unbeaten, the
   lot decides who goes first. The first `seats` candidates of the ranking are elected.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal

from coopvote.tally.papers import prepare_ranked
from coopvote.tally.types import Ballot, Result, TieBreak, TieRule


def count_schulze(
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
        return profile.nothing_to_count("schulze", seats)
    names, ties, standing = profile.candidates, profile.ties, profile.standing
    size = len(names)
    pairwise = [[0] * size for _ in range(size)]
    first_preferences = dict.fromkeys(standing, 0)
    for preferences, number in profile.ballots:
        if preferences:
            first_preferences[preferences[0]] += number
        unranked = [c for c in standing if c not in preferences]
        for position, above in enumerate(preferences):
            row = pairwise[above]
            for below in preferences[position + 1 :]:
                row[below] += number
            for below in unranked:
                row[below] += number

    paths = [
        [pairwise[x][y] if x != y and pairwise[x][y] > pairwise[y][x] else 0 for y in range(size)]
        for x in range(size)
    ]
    for via in standing:
        for x in standing:
            if x == via:
                continue
            for y in standing:
                if y not in (x, via):
                    paths[x][y] = max(paths[x][y], min(paths[x][via], paths[via][y]))

    ranking: list[int] = []
    tie_breaks: list[TieBreak] = []
    unranked = list(standing)
    while unranked:
        unbeaten = [x for x in unranked if all(paths[x][y] >= paths[y][x] for y in unranked)]
        chosen = ties.by_lot(unbeaten)
        if len(unbeaten) > 1 and len(ranking) < seats:
            # Ties are recorded where they place a candidate within the seats.
            tie_breaks.append(
                TieBreak(
                    round=1,
                    purpose=f"place {len(ranking) + 1} in the ranking",
                    tied=tuple(names[c] for c in ties.in_tie_order(unbeaten)),
                    chosen=names[chosen],
                    rule=TieRule.LOT,
                )
            )
        ranking.append(chosen)
        unranked.remove(chosen)

    return Result(
        method="schulze",
        seats=seats,
        candidates=names,
        elected=tuple(names[c] for c in ranking[:seats]),
        valid_papers=profile.valid_papers,
        blank_papers=profile.blank_papers,
        tie_order=ties.order,
        tallies={names[c]: Decimal(first_preferences[c]) for c in standing},
        tie_breaks=tuple(tie_breaks),
        ranking=tuple(names[c] for c in ranking),
        pairwise=_by_name(pairwise, names, standing),
        strongest_paths=_by_name(paths, names, standing),
    )


def _by_name(
    matrix: list[list[int]], names: Sequence[str], standing: Sequence[int]
) -> dict[str, dict[str, int]]:
    return {names[x]: {names[y]: matrix[x][y] for y in standing if y != x} for x in standing}
