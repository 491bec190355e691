"""Papers sorted into candidates' parcels, and transferred between them.

Shared by IRV and Scottish STV, which move papers the same way: a paper counts for the
first *continuing* candidate in its order of preference, at its current value; when that
candidate is excluded or has a surplus transferred, the paper moves on to the next
continuing candidate, or becomes exhausted (non-transferable) if there is none.

A *parcel* is what a candidate received in one go (at the start of the count, or in one
transfer): papers that all have the same value. Identical papers travel together as a group,
(their order of preference, the number of papers), and a parcel files its groups by where
reading on starts: the position in the order of preference just after their holder. Moving a
group reads on from there, and files the same group under its new position: a group is made
once, before the count, however often it moves. Values are integers in the count's smallest
unit (a whole vote for IRV, 0.00001 of a vote for Scottish STV), so the arithmetic is exact.
A transfer touches only the papers of the candidate whose papers move.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# (the order of preference, the number of papers)
Group = tuple[tuple[int, ...], int]

_papers_in = operator.itemgetter(1)


@dataclass(frozen=True, slots=True)
class Parcel:
    """Papers one candidate received in one go, each worth `value` units: their groups, by
    the position just after the candidate in the groups' order of preference."""

    value: int
    groups: list[tuple[int, list[Group]]]


class Parcels:
    """Working state of one count (mutable, private to the counting function that owns it).

    `continuing[c]` is shared with the caller, who marks candidates elected or excluded
    before moving their papers.
    """

    def __init__(self, ballots: Iterable[Group], *, unit: int, continuing: list[bool]) -> None:
        """Each group of `ballots` goes to its first preference, who must be continuing (as
        in a `RankedProfile`: no blank paper, withdrawn candidates struck out)."""
        self.continuing = continuing
        self.held: list[list[Parcel]] = [[] for _ in continuing]
        self.votes = [0] * len(continuing)
        self.exhausted = 0
        first_preferences: list[list[Group]] = [[] for _ in continuing]
        for group in ballots:
            first_preferences[group[0][0]].append(group)
        for candidate, groups in enumerate(first_preferences):
            if groups:
                if not continuing[candidate]:
                    raise ValueError("a paper's first preference must be a continuing candidate")
                self.held[candidate].append(Parcel(unit, [(1, groups)]))
                self.votes[candidate] = unit * sum(map(_papers_in, groups))

    def _place(self, value: int, groups: Iterable[tuple[int, Sequence[Group]]]) -> int:
        """Give each group of papers, all worth `value`, to its first continuing candidate from
        the position it is filed under.

        What each candidate receives here becomes one new parcel of theirs. Returns the
        number of papers placed (exhausted ones included).
        """
        continuing = self.continuing
        # received[candidate][position just after them] -> the groups they receive
        received: list[defaultdict[int, list[Group]]] = [defaultdict(list) for _ in continuing]
        exhausted: list[Group] = []
        for start, filed in groups:
            for group in filed:
                preferences = group[0]
                for position in range(start, len(preferences)):
                    if continuing[preferences[position]]:
                        received[preferences[position]][position + 1].append(group)
                        break
                else:
                    exhausted.append(group)
        placed = 0
        for candidate, parcel in enumerate(received):
            if parcel:
                papers: int = sum(sum(map(_papers_in, filed)) for filed in parcel.values())
                self.held[candidate].append(Parcel(value, list(parcel.items())))
                self.votes[candidate] += value * papers
                placed += papers
        papers_exhausted: int = sum(map(_papers_in, exhausted))
        self.exhausted += value * papers_exhausted
        return placed + papers_exhausted

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
