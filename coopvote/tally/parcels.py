"""Papers sorted into candidates' parcels, and transferred between them.

Shared by IRV and Scottish STV, which move papers the same way: a paper counts for the
first *continuing* candidate in its order of preference, at its current value; when that
candidate is excluded or has a surplus transferred, the paper moves on to the next
continuing candidate, or becomes exhausted (non-transferable) if there is none.

Identical papers travel together: a parcel lists groups of papers as (the preferences after
its holder, the value of each paper, the number of papers). Values are integers in the
count's smallest unit (a whole vote for IRV, 0.00001 of a vote for Scottish STV), so the
arithmetic is exact.
"""

from __future__ import annotations

from collections.abc import Iterable

Parcel = list[tuple[tuple[int, ...], int, int]]


class Parcels:
    """Working state of one count (mutable, private to the counting function that owns it).

    `continuing[c]` is shared with the caller, who marks candidates elected or excluded
    before moving their papers.
    """

    def __init__(
        self,
        ballots: Iterable[tuple[tuple[int, ...], int]],
        *,
        unit: int,
        continuing: list[bool],
    ) -> None:
        self.continuing = continuing
        self.held: list[Parcel] = [[] for _ in continuing]
        self.votes = [0] * len(continuing)
        self.exhausted = 0
        self._place((ranking, unit, number) for ranking, number in ballots)

    def _place(self, papers: Iterable[tuple[tuple[int, ...], int, int]]) -> None:
        """Give each (preferences, value, number of papers) to its first continuing candidate."""
        continuing, held, votes = self.continuing, self.held, self.votes
        for preferences, value, number in papers:
            for position, candidate in enumerate(preferences):
                if continuing[candidate]:
                    held[candidate].append((preferences[position + 1 :], value, number))
                    votes[candidate] += value * number
                    break
            else:
                self.exhausted += value * number

    def transfer(self, candidate: int, numerator: int = 1, denominator: int = 1) -> int:
        """Move every paper of `candidate` on, each now worth value × numerator ÷ denominator.

        The new value is truncated to a whole unit (an exclusion moves papers at their value).
        Returns the total value moved (to candidates or to the exhausted papers); the
        candidate is left holding no papers and no votes.
        """
        parcel, self.held[candidate] = self.held[candidate], []
        self.votes[candidate] = 0
        moving = [
            (preferences, value * numerator // denominator, number)
            for preferences, value, number in parcel
        ]
        self._place(moving)
        return sum(value * number for _, value, number in moving)
