"""One entry point for every method: `count(method, candidates, papers, ...)`.

It takes papers in the shape the API receives them, settles the tie order (given, or drawn
from a seed), and hands grouped papers to the method's own module.
"""

from __future__ import annotations

import dataclasses
import reprlib
import secrets
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from fractions import Fraction

from coopvote.tally.irv import count_irv
from coopvote.tally.meek import count_meek
from coopvote.tally.papers import ballots_from_papers, paper_entries
from coopvote.tally.plurality import count_approval, count_plurality
from coopvote.tally.resolution import count_resolution
from coopvote.tally.schulze import count_schulze
from coopvote.tally.scottish_stv import count_scottish_stv
from coopvote.tally.ties import draw_tie_order
from coopvote.tally.types import Ballot, InvalidPaper, Result

RANKED_METHODS = ("irv", "stv", "meek", "schulze")
MARK_METHODS = ("plurality", "approval")
METHODS = ("resolution", *MARK_METHODS, *RANKED_METHODS)


def count(
    method: str,
    candidates: Sequence[str],
    papers: Iterable[object],
    *,
    seats: int = 1,
    tie_order: Sequence[str] | None = None,
    seed: str | None = None,
    threshold: str | None = None,
    quorum: Fraction | Decimal | None = None,
    electorate: int | None = None,
    withdrawn: Collection[str] = (),
) -> Result:
    """Count API-shaped papers by `method` (one of `METHODS`).

    Papers: resolution `{"choice": "for" | "against" | "abstain"}`; plurality and approval
    `{"choices": [id, ...]}`; irv, stv, meek, schulze `{"ranking": [id, ...]}`. Ids may be
    strings or integers and are compared as strings. For a resolution, `candidates`, `seats`
    and the tie order play no part; `threshold` (default "simple"), `quorum` (a fraction of
    the roll, default 0) and `electorate` (the size of the roll) do.

    Ties: pass `tie_order`, or a `seed` to draw it from (`draw_tie_order`). With neither, a
    seed is drawn at random, and `result.seed` reports it whenever a lot was actually cast.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {list(METHODS)}")
    if method == "resolution":
        return count_resolution(
            (_choice(paper) for paper in papers),
            threshold=threshold or "simple",
            quorum=quorum or 0,
            electorate=electorate,
        )
    if tie_order is not None and seed is not None:
        raise ValueError("give a tie order or a seed to draw one from, not both")
    names = [str(c) for c in candidates]
    drawn_from = None
    if tie_order is None:
        drawn_from = seed if seed is not None else secrets.token_hex(16)
        tie_order = draw_tie_order(names, drawn_from)
    tie_order = [str(c) for c in tie_order]
    if method in MARK_METHODS:
        marks = (paper_entries(paper, "choices") for paper in papers)
        counter = count_plurality if method == "plurality" else count_approval
        result = counter(names, marks, seats=seats, tie_order=tie_order)
    else:
        result = count_ranked(
            method,
            names,
            ballots_from_papers(papers),
            seats=seats,
            tie_order=tie_order,
            withdrawn=[str(c) for c in withdrawn],
        )
    if drawn_from is not None and result.lots_drawn:
        result = dataclasses.replace(result, seed=drawn_from)
    return result


def count_ranked(
    method: str,
    candidates: Sequence[str],
    ballots: Iterable[Ballot],
    *,
    seats: int,
    tie_order: Sequence[str],
    withdrawn: Collection[str] = (),
) -> Result:
    """Count grouped ranked papers by a ranked method (irv, stv, meek, schulze).

    Plurality and approval are accepted too, reading each paper's first preference as its
    mark (plurality) or every candidate it ranks as approved (approval).
    """
    if method == "irv":
        if seats != 1:
            raise ValueError("IRV fills one seat; use stv or meek for more")
        return count_irv(candidates, ballots, tie_order=tie_order, withdrawn=withdrawn)
    if method == "stv":
        return count_scottish_stv(
            candidates, ballots, seats=seats, tie_order=tie_order, withdrawn=withdrawn
        )
    if method == "meek":
        return count_meek(
            candidates, ballots, seats=seats, tie_order=tie_order, withdrawn=withdrawn
        )
    if method == "schulze":
        return count_schulze(
            candidates, ballots, seats=seats, tie_order=tie_order, withdrawn=withdrawn
        )
    if method in MARK_METHODS:
        if withdrawn:
            raise ValueError(f"{method} counts take no withdrawn candidates")
        marks = (
            ballot.ranking[:1] if method == "plurality" else ballot.ranking
            for ballot in ballots
            for _ in range(ballot.count)
        )
        counter = count_plurality if method == "plurality" else count_approval
        return counter(candidates, marks, seats=seats, tie_order=tie_order)
    raise ValueError(f"unknown method {method!r}; expected one of {list(METHODS)}")


def _choice(paper: object) -> str:
    if not isinstance(paper, dict) or not isinstance(paper.get("choice"), str):
        raise InvalidPaper(
            f"a resolution paper is an object with a 'choice': {reprlib.repr(paper)}"
        )
    choice: str = paper["choice"]
    return choice
