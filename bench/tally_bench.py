"""How fast coopvote counts, and how that compares with pref_voting on the same papers.

Run:  .venv/bin/python -m bench.tally_bench [--quick]

Targets on a 2-core machine: IRV, 1,000,000 papers, 10 candidates < 1 s; Scottish STV,
1,000,000 papers, 20 candidates, 5 seats < 2 s; Meek, 100,000 papers, 20 candidates,
5 seats < 5 s. Each timing runs from the raw papers (one tuple of names per paper) to the
result: grouping identical papers is part of it; generating them is not. Our figure is the
best of three runs, as the machine may be shared.

Then the whole command, as a returning officer runs it: `coopvote tally FILE` on a BLT file
of 1,000,000 papers (one line each, 12 candidates, about 450,000 distinct rankings), from
starting Python to the printed count sheet; target < 2 s for IRV and for Scottish STV with
5 seats. Each is reported as wall-clock time and as CPU time (user + sys), which a shared
machine's load does not inflate. Beside it, pref_voting on the same file, also in a fresh
process: importing it, reading the file (it has no BLT reader, so a minimal one, given
below) and counting.

Papers are drawn with a fixed seed from a Plackett–Luce model: candidates have unequal
popularity, and each voter ranks a few of them (most rank 1 to 5, some more), as in real
preferential elections. pref_voting (installed with the `bench` extra) counts the same
grouped papers; the ratio is its time divided by ours.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from coopvote.tally import Ballot, Result, count_ranked, group_rankings

SEED = 2025


def make_papers(
    papers: int, candidates: Sequence[str], rng: random.Random, long_rankings: float = 1.5
) -> list[tuple[str, ...]]:
    """`long_rankings`: how quickly longer rankings become rarer (a paper ranks n candidates
    with weight 1 / n ** long_rankings); the smaller, the more distinct rankings."""
    popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(candidates))]
    lengths = list(range(1, len(candidates) + 1))
    length_weights = [1 / length**long_rankings for length in lengths]
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


# pref_voting's side of the whole-command comparison, run as `python -c THEIRS FILE METHOD SEATS`.
THEIRS = """
import sys
from pref_voting.profiles_with_ties import ProfileWithTies
from pref_voting.proportional_methods import stv_scottish
from pref_voting.voting_methods import instant_runoff_for_truncated_linear_orders

path, method, seats = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, encoding="utf-8") as lines:
    size = int(next(lines).split()[0])
    rankings, counts = [], []
    for line in lines:
        weight, *ranking = map(int, line.split())
        if weight == 0:
            break
        rankings.append({c: rank for rank, c in enumerate(ranking[:-1], start=1)})
        counts.append(weight)
profile = ProfileWithTies(rankings, rcounts=counts, candidates=list(range(1, size + 1)))
if method == "irv":
    print(instant_runoff_for_truncated_linear_orders(profile))
else:
    print(stv_scottish(profile, num_seats=seats))
"""


# Where the command's time goes, run as `python -c PHASES FILE METHOD SEATS` in a fresh process:
# CPU seconds to import the tally command, to read the file and to count it.
PHASES = """
import sys, time
start = time.process_time()
from coopvote.cli.tally import decoded
from coopvote.tally.blt import read_blt
from coopvote.tally.counting import count_ranked
imported = time.process_time()
path, method, seats = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, "rb") as file:
    election = read_blt(decoded(file.read(), path))
read = time.process_time()
count_ranked(method, election.candidates, election.ballots, seats=seats,
             tie_order=election.candidates, withdrawn=election.withdrawn)
counted = time.process_time()
print(f"{imported - start:.2f} {read - imported:.2f} {counted - read:.2f}")
"""


def whole_command(papers: int, timeout: float) -> None:
    """The whole `coopvote tally` command on a BLT file, beside pref_voting on the same file."""
    candidates = [f"Candidate {n:02d}" for n in range(1, 13)]
    drawn = make_papers(papers, candidates, random.Random(SEED), long_rankings=0.5)
    number = {name: position for position, name in enumerate(candidates, start=1)}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "papers.blt"
        lines = [f"{len(candidates)} 5"]
        lines.extend(f"1 {' '.join(str(number[name]) for name in paper)} 0" for paper in drawn)
        lines.extend(["0", *(f'"{name}"' for name in candidates), '"Benchmark"'])
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(
            f"\nThe whole command on one BLT file: {papers:,} papers, "
            f"{len(group_rankings(drawn)):,} distinct rankings, {len(candidates)} candidates"
        )
        coopvote = str(Path(sys.executable).with_name("coopvote"))
        seconds, cpu = _run_timed([coopvote, "tally", "--help"], timeout)
        print(f"  coopvote tally --help: {seconds:6.2f} s (CPU {cpu:5.2f} s)")
        for method, seats in (("irv", 1), ("stv", 5)):
            ours, our_cpu = _run_timed(
                [coopvote, "tally", str(path), "--method", method, "--seats", str(seats)], timeout
            )
            theirs, their_cpu = _run_timed(
                [sys.executable, "-c", THEIRS, str(path), method, str(seats)], timeout
            )
            verdict = "within" if ours < 2.0 else "OVER"
            print(
                f"  {method:>4}, {seats} seat(s): coopvote tally {ours:6.2f} s "
                f"(CPU {our_cpu:5.2f} s) [{verdict} target 2 s]; "
                f"pref_voting {_seconds(theirs, their_cpu, timeout)}"
            )
            imported, read, counted = subprocess.run(  # noqa: S603 (as above)
                [sys.executable, "-c", PHASES, str(path), method, str(seats)],
                check=True,
                capture_output=True,
                text=True,
                timeout=timeout,
            ).stdout.split()
            print(
                f"        CPU by phase: imports {imported} s, reading the file {read} s, "
                f"counting {counted} s"
            )


def _run_timed(command: list[str], timeout: float) -> tuple[float, float]:
    """Wall-clock seconds to run `command` and the CPU seconds it used (user + sys), of the
    quicker of two runs; infinity past `timeout`. On a shared machine the CPU time says what
    the command costs, the wall-clock time what a returning officer waits."""
    best = (float("inf"), float("inf"))
    for _ in range(2):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        try:
            # The project's own command, and pref_voting on a file this bench wrote.
            subprocess.run(command, check=True, capture_output=True, timeout=timeout)  # noqa: S603
        except subprocess.TimeoutExpired:
            return float("inf"), float("inf")
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        best = min(best, (seconds, cpu))
    return best


def _seconds(seconds: float, cpu: float, timeout: float) -> str:
    if seconds < timeout:
        return f"{seconds:6.2f} s (CPU {cpu:5.2f} s)"
    return f"more than {timeout:.0f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the papers")
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds to wait for one run (default 300)"
    )
    arguments = parser.parse_args()
    scale = 10 if arguments.quick else 1
    bench("irv", 1_000_000 // scale, 10, 1, target=1.0, compare=100_000 // scale)
    bench("stv", 1_000_000 // scale, 20, 5, target=2.0, compare=20_000 // scale)
    # pref_voting's Meek (floating point, paper by paper) takes about a minute per 1,000 papers.
    bench("meek", 100_000 // scale, 20, 5, target=5.0, compare=200)
    whole_command(1_000_000 // scale, arguments.timeout)


if __name__ == "__main__":
    main()
