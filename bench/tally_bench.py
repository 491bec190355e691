"""How fast coopvote counts, and how that compares with pref_voting on the same papers.

Run:  .venv/bin/python -m bench.tally_bench [--quick]

Targets on a 2-core machine: IRV, 1,000,000 papers, 10 candidates < 1 s; Scottish STV,
1,000,000 papers, 20 candidates, 5 seats < 2 s; Meek, 100,000 papers, 20 candidates,
5 seats < 5 s. Each timing runs from the raw papers (one tuple of names per paper) to the
result: grouping identical papers is part of it; generating them is not. Our figure is the
best of three runs, as the machine may be shared.

Papers are drawn with a fixed seed from a Plackett–Luce model: candidates have unequal
popularity, and each voter ranks a few of them (most rank 1 to 5, some more), as in real
preferential elections. pref_voting (installed with the `bench` extra) counts the same
grouped papers; the ratio is its time divided by ours.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from coopvote.tally import Ballot, Result, count_ranked, group_rankings

SEED = 2025


def make_papers(
    papers: int, candidates: Sequence[str], rng: random.Random
) -> list[tuple[str, ...]]:
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(candidates))]
    lengths = list(range(1, len(candidates) + 1))
    length_weights = [1 / length**1.5 for length in lengths]
    drawn: list[tuple[str, ...]] = []
    for _ in range(papers):
        length = rng.choices(lengths, length_weights)[0]
        pool, weights, ranking = list(candidates), list(popularity), []
        for _ in range(length):
            pick = rng.choices(range(len(pool)), weights)[0]
            ranking.append(pool.pop(pick))
            weights.pop(pick)
        drawn.append(tuple(ranking))
    return drawn


def timed(work: Callable[[], Any], repeats: int = 1) -> tuple[float, Any]:
    """The best wall-clock time of `repeats` runs (the machine may be shared), and the value."""
    best, value = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        value = work()
        best = min(best, time.perf_counter() - start)
    return best, value


def ours(
    method: str, candidates: Sequence[str], papers: list[tuple[str, ...]], seats: int
) -> Result:
    ballots = group_rankings(papers)
    return count_ranked(method, candidates, ballots, seats=seats, tie_order=candidates)


def theirs(method: str, candidates: Sequence[str], ballots: Sequence[Ballot], seats: int) -> Any:
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.proportional_methods import stv_meek, stv_scottish
    from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders

    index = {name: position for position, name in enumerate(candidates)}
    profile = ProfileWithTies(
        [{index[name]: rank for rank, name in enumerate(b.ranking, start=1)} for b in ballots],
        rcounts=[b.count for b in ballots],
        candidates=list(range(len(candidates))),
    )
    if method == "irv":
        winners = instant_runoff_for_truncated_linear_orders(profile)
    elif method == "stv":
        winners = stv_scottish(profile, num_seats=seats)
    else:
        winners = stv_meek(profile, num_seats=seats)
    return sorted(candidates[c] for c in winners)


def bench(method: str, papers: int, size: int, seats: int, target: float, compare: int) -> None:
    rng = random.Random(SEED)
    candidates = [f"Candidate {n:02d}" for n in range(1, size + 1)]
    drawn = make_papers(papers, candidates, rng)
    seconds, result = timed(lambda: ours(method, candidates, drawn, seats), repeats=3)
    distinct = len(group_rankings(drawn))
    verdict = "within" if seconds < target else "OVER"
    print(
        f"{method:>4}: {papers:>9,} papers ({distinct:,} distinct), {size} candidates, "
        f"{seats} seat(s): {seconds:6.3f} s  [{verdict} target {target} s; "
        f"{len(result.rounds)} rounds]"
    )
    subset = drawn[:compare]
    ballots = group_rankings(subset)
    our_seconds, our_result = timed(lambda: ours(method, candidates, subset, seats))
    their_seconds, their_winners = timed(lambda: theirs(method, candidates, ballots, seats))
    agree = "same" if their_winners == sorted(our_result.elected) else "DIFFERENT"
    print(
        f"      pref_voting on {compare:,} of them: {their_seconds:7.3f} s vs ours "
        f"{our_seconds:6.3f} s -> coopvote {their_seconds / our_seconds:5.1f}x faster; "
        f"{agree} winners"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the papers")
    scale = 10 if parser.parse_args().quick else 1
    bench("irv", 1_000_000 // scale, 10, 1, target=1.0, compare=100_000 // scale)
    bench("stv", 1_000_000 // scale, 20, 5, target=2.0, compare=20_000 // scale)
    # pref_voting's Meek (floating point, paper by paper) takes about a minute per 1,000 papers.
    bench("meek", 100_000 // scale, 20, 5, target=5.0, compare=200)


if __name__ == "__main__":
    main()
