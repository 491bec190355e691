"""Plurality (first past the post) and approval voting, with any number of seats.

Both count marks: each candidate marked on a paper gets one vote, and the candidates with
the most votes take the seats. They differ only in how many marks a paper may carry:
a plurality paper marks at most one candidate per seat (with one seat, the familiar single
cross), an approval paper any number of candidates (the ballot may set a lower maximum,
which the application enforces when the paper is cast). Candidates with equal votes at the
edge of the seats are separated by lot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from coopvote.tally.papers import check_candidates
from coopvote.tally.ties import TieResolver
from coopvote.tally.types import (
    Action,
    ActionKind,
    InvalidPaper,
    Result,
    Round,
    TieBreak,
    nothing_to_count,
)


def count_plurality(
    candidates: Sequence[str],
    papers: Iterable[Sequence[str]],
    *,
    seats: int,
    tie_order: Sequence[str],
) -> Result:
    """Count papers that each mark at most `seats` candidates."""
    return _count_marks("plurality", candidates, papers, seats, tie_order, max_marks=seats)


def count_approval(
    candidates: Sequence[str],
    papers: Iterable[Sequence[str]],
    *,
    seats: int,
    tie_order: Sequence[str],
) -> Result:
    """Count papers that each mark any number of candidates."""
    return _count_marks("approval", candidates, papers, seats, tie_order, max_marks=None)


def _count_marks(
    method: str,
    candidates: Sequence[str],
    papers: Iterable[Sequence[str]],
    seats: int,
    tie_order: Sequence[str],
    *,
    max_marks: int | None,
) -> Result:
    names = check_candidates(candidates, seats)
    ties = TieResolver.for_order(names, tie_order)
    votes = dict.fromkeys(names, 0)
    valid = blank = 0
    for marks, number in Counter(tuple(paper) for paper in papers).items():
        if not marks:
            blank += number
            continue
        if len(set(marks)) != len(marks):
            raise InvalidPaper(f"a paper marks a candidate twice: {list(marks)}")
        if max_marks is not None and len(marks) > max_marks:
            raise InvalidPaper(f"a {method} paper may mark at most {max_marks}: {list(marks)}")
        for name in marks:
            if name not in votes:
                raise InvalidPaper(f"a paper marks an unknown candidate {name!r}")
            votes[name] += number
        valid += number
    if not valid:
        return nothing_to_count(
            method,
            seats=seats,
            candidates=names,
            standing=names,
            tie_order=ties.order,
            blank_papers=blank,
        )

    by_votes = sorted(range(len(names)), key=lambda c: -votes[names[c]])
    elected: list[int] = []
    tie_breaks: list[TieBreak] = []
    while len(elected) < min(seats, len(names)):
        best = max(votes[names[c]] for c in by_votes if c not in elected)
        level = [c for c in by_votes if c not in elected and votes[names[c]] == best]
        if len(elected) + len(level) <= seats:
            elected.extend(ties.in_tie_order(level))
            continue
        # More candidates share this vote than there are seats left: lots decide.
        for _ in range(seats - len(elected)):
            chosen, tie = ties.choose(level, round_number=1, purpose="last seats", lowest=False)
            if tie is not None:
                tie_breaks.append(tie)
            elected.append(chosen)
            level.remove(chosen)

    figures = {name: Decimal(votes[name]) for name in names}
    return Result(
        method=method,
        seats=seats,
        candidates=names,
        elected=tuple(names[c] for c in elected),
        valid_papers=valid,
        blank_papers=blank,
        tie_order=ties.order,
        rounds=(
            Round(
                number=1,
                votes=figures,
                exhausted=Decimal(0),
                actions=tuple(
                    Action(ActionKind.ELECTED, names[c], "among the most votes") for c in elected
                ),
            ),
        ),
        tallies=figures,
        tie_breaks=tuple(tie_breaks),
    )
