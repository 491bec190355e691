"""The vocabulary of a count: what goes in (grouped papers) and what comes out (a result).

Everything here is a frozen dataclass so that a count, once made, cannot be altered by
whoever holds it. Figures are `Decimal` at the precision the rule prescribes (whole numbers
for IRV, plurality and approval; five places for Scottish STV; nine for Meek) and become
decimal strings in JSON, never floats.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, overload


def decimal_string(value: Decimal) -> str:
    """A figure written out in full ("0.000000001", never "1E-9")."""
    return format(value, "f")


class InvalidPaper(ValueError):
    """A paper (or group of papers) that cannot be counted: unknown candidate, a repeat…"""


@dataclass(frozen=True, slots=True)
class Ballot:
    """`count` identical ranked papers, most preferred candidate first."""

    ranking: tuple[str, ...]
    count: int = 1


@dataclass(frozen=True, slots=True, eq=False)
class NumberedBallots(Sequence[Ballot]):
    """Grouped ranked papers that give candidates by number, as a BLT file does.

    `groups` pairs rankings with their numbers of papers (`read_blt` gives each distinct
    ranking once; a ranking given twice simply counts twice). A ranking lists candidates by
    their position in `candidates` (0 for the first: a BLT file's number less one). Read as
    a sequence, these are the same papers as `Ballot`s, with names; a count of ballots given
    in this form need not turn names back into numbers.

    Checked when made: every number stands for a candidate, no ranking gives one twice, and
    every group has at least one paper. A ranking may be empty (blank papers). (Each check
    runs over all the groups at once, so a million papers are checked in a moment.)
    """

    candidates: tuple[str, ...]
    groups: tuple[tuple[tuple[int, ...], int], ...]

    def __post_init__(self) -> None:
        rankings = list(map(operator.itemgetter(0), self.groups))
        numbers = list(map(operator.itemgetter(1), self.groups))
        if not set().union(*rankings) <= set(range(len(self.candidates))):
            raise InvalidPaper(f"candidates are numbered from 0 to {len(self.candidates) - 1}")
        if list(map(len, map(set, rankings))) != list(map(len, rankings)):
            raise InvalidPaper("a paper ranks a candidate twice")
        if set(map(type, numbers)) - {int} or min(numbers, default=1) < 1:
            raise InvalidPaper("the number of papers must be a whole number, at least one")

    def __len__(self) -> int:
        return len(self.groups)

    @overload
    def __getitem__(self, index: int) -> Ballot: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Ballot]: ...
    def __getitem__(self, index: int | slice) -> Ballot | Sequence[Ballot]:
        if isinstance(index, slice):
            return tuple(self)[index]
        ranking, number = self.groups[index]
        return Ballot(tuple(self.candidates[c] for c in ranking), number)

    def __iter__(self) -> Iterator[Ballot]:
        names = self.candidates
        for ranking, number in self.groups:
            yield Ballot(tuple(names[c] for c in ranking), number)

    def __eq__(self, other: object) -> bool:
        """The same papers, numbered or named (a tuple of `Ballot`s), in the same order."""
        if isinstance(other, NumberedBallots | tuple | list):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))


class ActionKind(StrEnum):
    ELECTED = "elected"
    EXCLUDED = "excluded"
    SURPLUS_TRANSFERRED = "surplus_transferred"


@dataclass(frozen=True, slots=True)
class Action:
    """One decision taken on a round's figures.

    `amount` is the surplus for a surplus transfer; `reason` says in plain words why the
    decision was taken ("reached the quota", "lowest vote", "last continuing candidates").
    """

    kind: ActionKind
    candidate: str
    reason: str
    amount: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "action": self.kind.value,
            "candidate": self.candidate,
            "reason": self.reason,
        }
        if self.amount is not None:
            data["amount"] = decimal_string(self.amount)
        return data


@dataclass(frozen=True, slots=True)
class Round:
    """The figures at one round (a "stage" in STV) and the decisions taken on them.

    A transfer decided in round n shows in the figures of round n + 1.
    `votes` holds every candidate not yet excluded (continuing or elected), in candidate order.
    `exhausted` is the value of papers that no longer count for any such candidate, and
    `lost_to_rounding` what truncation has removed; with `votes` they add up to the valid papers.
    `quota` is what a candidate needs to be elected at this round, where the method has one.
    """

    number: int
    votes: Mapping[str, Decimal]
    exhausted: Decimal
    actions: tuple[Action, ...]
    quota: Decimal | None = None
    lost_to_rounding: Decimal = Decimal(0)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "round": self.number,
            "votes": {name: decimal_string(vote) for name, vote in self.votes.items()},
            "exhausted": decimal_string(self.exhausted),
            "lost_to_rounding": decimal_string(self.lost_to_rounding),
            "actions": [action.to_json() for action in self.actions],
        }
        if self.quota is not None:
            data["quota"] = decimal_string(self.quota)
        return data


class TieRule(StrEnum):
    EARLIER_ROUND = "earlier_round"
    LOT = "lot"


@dataclass(frozen=True, slots=True)
class TieBreak:
    """How one tie was resolved: by the figures of an earlier round, or by lot (the tie order)."""

    round: int
    purpose: str
    tied: tuple[str, ...]
    chosen: str
    rule: TieRule
    decided_at_round: int | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "round": self.round,
            "purpose": self.purpose,
            "tied": list(self.tied),
            "chosen": self.chosen,
            "rule": self.rule.value,
        }
        if self.decided_at_round is not None:
            data["decided_at_round"] = self.decided_at_round
        return data


class Outcome(StrEnum):
    CARRIED = "carried"
    NOT_CARRIED = "not_carried"
    VOID = "void"


@dataclass(frozen=True, slots=True)
class Result:
    """A complete count.

    `elected` is in order of election. `tallies` are the first-round figures (first
    preferences, marks, or for/against/abstain). `tie_order` is the order in which lots fall
    (first listed, first chosen) and `seed` the seed it was drawn from, if it was drawn and used.
    `valid_papers` excludes `blank_papers` (papers with no mark for a candidate standing). With
    no valid paper there is nothing to count: nobody is elected and there are no rounds.
    Resolution counts fill `outcome` and `quorum_met`; Schulze fills `ranking`, `pairwise`
    (papers preferring row to column) and `strongest_paths`.
    """

    method: str
    seats: int
    candidates: tuple[str, ...]
    elected: tuple[str, ...]
    valid_papers: int
    tie_order: tuple[str, ...]
    rounds: tuple[Round, ...] = ()
    tallies: Mapping[str, Decimal] = field(default_factory=dict)
    tie_breaks: tuple[TieBreak, ...] = ()
    blank_papers: int = 0
    seed: str | None = None
    outcome: Outcome | None = None
    quorum_met: bool | None = None
    ranking: tuple[str, ...] | None = None
    pairwise: Mapping[str, Mapping[str, int]] | None = None
    strongest_paths: Mapping[str, Mapping[str, int]] | None = None

    @property
    def lots_drawn(self) -> bool:
        return any(tie.rule is TieRule.LOT for tie in self.tie_breaks)

    def to_json(self) -> dict[str, Any]:
        """A plain dict of str, int, bool, list and dict: figures are decimal strings."""
        data: dict[str, Any] = {
            "method": self.method,
            "seats": self.seats,
            "candidates": list(self.candidates),
            "elected": list(self.elected),
            "valid_papers": self.valid_papers,
            "blank_papers": self.blank_papers,
            "tallies": {name: decimal_string(vote) for name, vote in self.tallies.items()},
            "rounds": [round_.to_json() for round_ in self.rounds],
            "tie_breaks": [tie.to_json() for tie in self.tie_breaks],
            "tie_order": list(self.tie_order),
        }
        if self.seed is not None:
            data["seed"] = self.seed
        if self.outcome is not None:
            data["outcome"] = self.outcome.value
            data["quorum_met"] = self.quorum_met
        if self.ranking is not None:
            data["ranking"] = list(self.ranking)
        if self.pairwise is not None:
            data["pairwise"] = {row: dict(cols) for row, cols in self.pairwise.items()}
        if self.strongest_paths is not None:
            data["strongest_paths"] = {
                row: dict(cols) for row, cols in self.strongest_paths.items()
            }
        return data


def nothing_to_count(
    method: str,
    *,
    seats: int,
    candidates: tuple[str, ...],
    standing: Sequence[str],
    tie_order: tuple[str, ...],
    blank_papers: int,
) -> Result:
    """The result of a count without a single valid paper: nobody is elected, and every seat
    stays unfilled. No lot is drawn, though every candidate has the same (no) vote: lots
    settle ties between votes cast, and none was."""
    return Result(
        method=method,
        seats=seats,
        candidates=candidates,
        elected=(),
        valid_papers=0,
        blank_papers=blank_papers,
        tie_order=tie_order,
        tallies={name: Decimal(0) for name in standing},
    )
