"""Papers sorted into candidates' parcels, and transferred between them.

Shared by IRV and Scottish STV, which move papers the same way: a paper counts for the
first *continuing* candidate in its order of preference, at its current value; when that
candidate is excluded or has a surplus transferred, the paper moves on to the next
continuing candidate, or becomes exhausted (non-transferable) if there is none.

Identical papers travel together: a parcel maps (the preferences after its holder, the value
of each paper) to a number of papers, so papers that agree on what is left of them merge.
Values are integers in the count's smallest unit (a whole vote for IRV, 0.00001 of a vote
for Scottish STV), so the arithmetic is exact.
"""

from __future__ import annotations

from collections.abc import Iterable

Parcel = dict[tuple[tuple[int, ...], int], int]


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
        self.held: list[Parcel] = [{} for _ in continuing]
        self.votes = [0] * len(continuing)
        self.exhausted = 0
        for ranking, number in ballots:
            self._place(ranking, unit, number)

    def _place(self, preferences: tuple[int, ...], value: int, number: int) -> None:
        for position, candidate in enumerate(preferences):
            if self.continuing[candidate]:
                key = (preferences[position + 1 :], value)
                parcel = self.held[candidate]
                parcel[key] = parcel.get(key, 0) + number
                self.votes[candidate] += value * number
                return
        self.exhausted += value * number

    def transfer(self, candidate: int, numerator: int = 1, denominator: int = 1) -> int:
        """Move every paper of `candidate` on, each now worth value × numerator ÷ denominator.

        The new value is truncated to a whole unit (an exclusion moves papers at their value).

        Returns the total value moved (to candidates or to the exhausted papers); the
        candidate is left holding no papers and no votes.
        """
        parcel, self.held[candidate] = self.held[candidate], {}
        self.votes[candidate] = 0
        moved = 0
        for (preferences, value), number in parcel.items():
            value_now = value * numerator // denominator
            moved += value_now * number
            self._place(preferences, value_now, number)
        return moved
