"""Hypothesis strategies for random elections: small, so that counts stay quick."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from coopvote.tally import Ballot

NAMES = ("Ann", "Bob", "Cat", "Dan", "Eve", "Fay")


@dataclass(frozen=True)
class Election:
    candidates: tuple[str, ...]
    ballots: tuple[Ballot, ...]
    seats: int
    tie_order: tuple[str, ...]
    withdrawn: tuple[str, ...] = ()

    @property
    def papers(self) -> list[tuple[str, ...]]:
        """Every paper on its own, in ballot order."""
        return [ballot.ranking for ballot in self.ballots for _ in range(ballot.count)]


@st.composite
def elections(
    draw: st.DrawFn, max_candidates: int = len(NAMES), max_seats: int | None = None
) -> Election:
    size = draw(st.integers(1, max_candidates))
    candidates = NAMES[:size]
    ranking = st.permutations(candidates).flatmap(
        lambda order: st.integers(0, size).map(lambda length: tuple(order[:length]))
    )
    ballots = draw(st.lists(st.builds(Ballot, ranking, st.integers(1, 6)), max_size=12))
    seats = draw(st.integers(1, max_seats or size + 1))
    tie_order = tuple(draw(st.permutations(candidates)))
    withdrawn = tuple(draw(st.lists(st.sampled_from(candidates), unique=True, max_size=2)))
    return Election(candidates, tuple(ballots), seats, tie_order, withdrawn)
