"""Papers sorted into candidates' parcels, and transferred between them.

Shared by IRV and Scottish STV, which move papers the same way: a paper counts for the
first *continuing* candidate in its order of preference, at its current value; when that
candidate is excluded or has a surplus transferred, the paper moves on to the next
continuing candidate, or becomes exhausted (non-transferable) if there is none.

A *parcel* is what a candidate received in one go (at the start of the count, or in one
transfer): papers that all have the same value. Identical papers travel together, so a
parcel lists groups of papers as (their order of preference, the position in it just after
their holder, the number of papers): moving a group on reads on from that position.
Values are integers in the count's smallest unit (a whole vote for IRV, 0.00001 of a vote
for Scottish STV), so the arithmetic is exact. A transfer touches only the papers of the
candidate whose papers move.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# (the order of preference, the position just after the holder, the number of papers)
Group = tuple[tuple[int, ...], int, int]


@dataclass(frozen=True, slots=True)
class Parcel:
    """Papers one candidate received in one go, each worth `value` units."""

    value: int
    groups: list[Group]


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
        self.held: list[list[Parcel]] = [[] for _ in continuing]
        self.votes = [0] * len(continuing)
        self.exhausted = 0
        self._place(unit, ((preferences, 0, number) for preferences, number in ballots))

    def _place(self, value: int, groups: Iterable[Group]) -> int:
        """Give each group of papers, all worth `value`, to its first continuing candidate.

        What each candidate receives here becomes one new parcel of theirs. Returns the
        number of papers placed (exhausted ones included).
        """
        continuing = self.continuing
        received: list[list[Group]] = [[] for _ in continuing]
        papers_received = [0] * len(continuing)
        papers_exhausted = 0
        for preferences, start, number in groups:
            for position in range(start, len(preferences)):
                candidate = preferences[position]
                if continuing[candidate]:
                    received[candidate].append((preferences, position + 1, number))
                    papers_received[candidate] += number
                    break
            else:
                papers_exhausted += number
        for candidate, parcel in enumerate(received):
            if parcel:
                self.held[candidate].append(Parcel(value, parcel))
                self.votes[candidate] += value * papers_received[candidate]
        self.exhausted += value * papers_exhausted
        return sum(papers_received) + papers_exhausted

    def transfer(self, candidate: int, numerator: int = 1, denominator: int = 1) -> int:
        """Move every paper of `candidate` on, each now worth value × numerator ÷ denominator.

        The new value is truncated to a whole unit (an exclusion moves papers at their value).
        Returns the total value moved (to candidates or to the exhausted papers); the
        candidate is left holding no papers and no votes.
        """
        parcels, self.held[candidate] = self.held[candidate], []
        self.votes[candidate] = 0
        moved = 0
        for parcel in parcels:
            value = parcel.value * numerator // denominator
            moved += value * self._place(value, parcel.groups)
        return moved
