"""Breaking ties (by earlier figures, then by lot), and drawing a tie order from a seed.

A *tie order* lists every candidate once. When lots must be drawn among tied candidates,
the lot falls on the tied candidate that comes first in the tie order — whatever the lot
decides (who is excluded, whose surplus goes first, who takes the last seat). Drawing the
whole order in advance, from a published seed, lets anyone repeat the count, ties included.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from coopvote.tally.types import TieBreak, TieRule


def draw_tie_order(candidates: Sequence[str], seed: str) -> tuple[str, ...]:
    """The tie order drawn from `seed`: candidates sorted by SHA-256 of "<seed>:<candidate>".

    Anyone can check it by hand: hash each candidate's name prefixed by the seed and a colon
    (UTF-8), and sort by the hexadecimal digests. The order does not depend on the order in
    which `candidates` are given.
    """
    return tuple(
        sorted(
            candidates,
            key=lambda name: (hashlib.sha256(f"{seed}:{name}".encode()).hexdigest(), name),
        )
    )


@dataclass(frozen=True, slots=True)
class TieResolver:
    """Resolves ties among candidates identified by their index in the count."""

    names: tuple[str, ...]
    position_in_tie_order: tuple[int, ...]

    @classmethod
    def for_order(cls, candidates: Sequence[str], tie_order: Sequence[str]) -> TieResolver:
        if sorted(tie_order) != sorted(candidates):
            raise ValueError("the tie order must list every candidate exactly once")
        position = {name: index for index, name in enumerate(tie_order)}
        return cls(tuple(candidates), tuple(position[name] for name in candidates))

    @property
    def order(self) -> tuple[str, ...]:
        """The tie order, as names."""
        return tuple(self.names[c] for c in self.in_tie_order(range(len(self.names))))

    def by_lot(self, tied: Collection[int]) -> int:
        """The tied candidate the lot falls on: the first of them in the tie order."""
        return min(tied, key=self.position_in_tie_order.__getitem__)

    def in_tie_order(self, candidates: Collection[int]) -> list[int]:
        return sorted(candidates, key=self.position_in_tie_order.__getitem__)

    def choose(
        self,
        tied: Collection[int],
        *,
        round_number: int,
        purpose: str,
        earlier_rounds: Sequence[Sequence[int]] = (),
        lowest: bool,
    ) -> tuple[int, TieBreak | None]:
        """Choose one of `tied`, recording how when there was a real tie.

        `earlier_rounds` are the figures of the preceding rounds, oldest first, indexed by
        candidate. Going back from the most recent, the first round at which the tied
        candidates differ decides: the one with the lowest (or, if `lowest` is false, the
        highest) figure there is chosen. If several share that figure, only they remain tied
        and the search goes further back. Tied at every round, the lot decides.
        """
        remaining = list(tied)
        if len(remaining) == 1:
            return remaining[0], None
        pick = min if lowest else max
        for index in range(len(earlier_rounds) - 1, -1, -1):
            figures = earlier_rounds[index]
            extreme = pick(figures[c] for c in remaining)
            remaining = [c for c in remaining if figures[c] == extreme]
            if len(remaining) == 1:
                return remaining[0], self._record(
                    tied, remaining[0], round_number, purpose, TieRule.EARLIER_ROUND, index + 1
                )
        chosen = self.by_lot(remaining)
        return chosen, self._record(tied, chosen, round_number, purpose, TieRule.LOT, None)

    def _record(
        self,
        tied: Collection[int],
        chosen: int,
        round_number: int,
        purpose: str,
        rule: TieRule,
        decided_at_round: int | None,
    ) -> TieBreak:
        return TieBreak(
            round=round_number,
            purpose=purpose,
            tied=tuple(self.names[c] for c in self.in_tie_order(tied)),
            chosen=self.names[chosen],
            rule=rule,
            decided_at_round=decided_at_round,
        )
