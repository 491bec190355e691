"""The published reference elections (reference_elections/, a copy of the shared set with its
licences and manifest), counted by coopvote.

Every case whose `required_for` names one of our methods must give the same result:
the elected candidates (in order of election; as a set where the source elects several in
one step) and, where the case records them, the figures of every round. Informational
cases (other rule variants) go through the nearest of our methods to show they count
without error. The expected results are never altered here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from coopvote.tally import Ballot, Result, Round, TieBreak, TieRule, count_ranked
from coopvote.tally.plurality import count_approval, count_plurality

REFERENCE = Path(__file__).parent / "reference_elections"
OUR_METHODS = {"irv", "stv", "meek", "schulze", "plurality", "approval"}
NEAREST_METHOD = {
    "irv": "irv",
    "irv-bottomsup": "stv",
    "irv-sequential": "stv",
    "stv-scottish": "stv",
    "stv-textbook": "stv",
    "stv-wigm": "stv",
    "stv-mpls": "stv",
    "stv-rctab": "stv",
    "stv-meek": "meek",
    "schulze": "schulze",
    "plurality": "plurality",
    "approval": "approval",
}
# RCTab tie-break modes whose lots `_count_as_rctab_drew` repeats from the case's `rules`.
RCTAB_REPLAYED_MODES = {
    "random",
    "previousRoundCountsThenRandom",
    "useCandidateOrder",
    "usePermutationInConfig",
}


def _manifest() -> list[dict[str, Any]]:
    # Read unconditionally: without the manifest the module fails to load, and the run fails.
    entries: list[dict[str, Any]] = json.loads(
        (REFERENCE / "MANIFEST.json").read_text(encoding="utf-8")
    )
    return entries


MANIFEST = _manifest()
REQUIRED = [entry for entry in MANIFEST if entry["required_for"] in OUR_METHODS]
INFORMATIONAL = [entry for entry in MANIFEST if entry["required_for"] is None]


def test_every_case_in_the_manifest_is_on_disk() -> None:
    missing = [entry["file"] for entry in MANIFEST if not (REFERENCE / entry["file"]).is_file()]
    assert not missing
    # The set as published: 174 cases, 72 of them required of our methods.
    assert (len(MANIFEST), len(REQUIRED)) == (174, 72)


def _load(entry: dict[str, Any]) -> dict[str, Any]:
    case: dict[str, Any] = json.loads((REFERENCE / entry["file"]).read_text(encoding="utf-8"))
    return case


def _ranking(entries: list[Any], candidates: set[str]) -> tuple[str, ...]:
    """A source ranking as a strict coopvote ranking.

    Skipped ranks (null) are passed over; an overvote or equal ranking (a list of several,
    or RCTab's "#OVERVOTE") ends the paper, as the Scottish rules treat an unclear next
    preference; a repeated candidate counts once; pseudo-candidates such as RCTab's
    "Undeclared Write-ins" are not candidates and are passed over. Only informational
    cases contain any of these.
    """
    ranking: list[str] = []
    for entry in entries:
        if isinstance(entry, list) and len(entry) == 1:
            entry = entry[0]
        if isinstance(entry, list) or entry == "#OVERVOTE":
            break
        if entry in candidates and entry not in ranking:
            ranking.append(entry)
    return tuple(ranking)


class JavaRandom:
    """java.util.Random: the 48-bit linear congruential generator its documentation specifies.

    RCTab draws its lots with `new Random(randomSeed)`; this repeats its `nextDouble()`.
    """

    MASK = (1 << 48) - 1

    def __init__(self, seed: int) -> None:
        self.state = (seed ^ 0x5DEECE66D) & self.MASK

    def _next(self, bits: int) -> int:
        self.state = (self.state * 0x5DEECE66D + 0xB) & self.MASK
        return self.state >> (48 - bits)

    def next_double(self) -> Fraction:
        return Fraction((self._next(26) << 27) + self._next(27), 1 << 53)


def _rctab_lots(case: dict[str, Any]) -> Iterator[Callable[[TieBreak, bool], str]]:
    """RCTab's choice at each of its lots, in turn, as the case's `rules` prescribe.

    Each choice takes our lot and whether RCTab is choosing a winner (else whom to
    exclude). random: the tied candidates sorted (Java string order), the one at
    floor(nextDouble() * number tied). previousRoundCountsThenRandom: the same draw, but
    after a round 1 RCTab draws from the candidates its look-back left, in the order of its
    tally (the case's candidates' order) rather than sorted. useCandidateOrder and
    usePermutationInConfig: the earliest in the case's permutation for a winner, the latest
    for an exclusion.
    """
    rules = case.get("rules") or {}
    mode = rules.get("tiebreakMode")
    candidates: list[str] = case["candidates"]
    if mode in ("random", "previousRoundCountsThenRandom"):
        generator = JavaRandom(int(rules["randomSeed"]))
        while True:
            draw = generator.next_double()

            def drawn(lot: TieBreak, _winner: bool, draw: Fraction = draw) -> str:
                if mode == "previousRoundCountsThenRandom" and lot.round > 1:
                    tied = sorted(lot.tied, key=candidates.index)
                else:
                    tied = sorted(lot.tied, key=lambda name: name.encode("utf-16-be"))
                return tied[math.floor(draw * len(tied))]

            yield drawn
    permutation: list[str] = case.get("tie_order") or candidates
    while True:
        yield lambda lot, winner: (min if winner else max)(lot.tied, key=permutation.index)


def _count_as_rctab_drew(case: dict[str, Any], count: Callable[[list[str]], Result]) -> Result:
    """The count under the tie order with which our lots fall where RCTab's fell.

    Our lot falls on the tied candidate first in the tie order, and in IRV it always
    excludes. RCTab's choice excludes too, except when the last two continuing candidates
    tie: RCTab then chooses the winner (its informational tie cases show it), and our lot
    must fall on the other. Each lot becomes a constraint "this candidate comes before the
    others tied with it"; starting from the candidates' order, the count is repeated until
    every lot falls as RCTab's did.

    Our rule always looks back to earlier rounds before casting a lot; RCTab's "random" mode
    does not. A tie our look-back settles is one RCTab drew for, and its later draws would
    then be out of step; no required case has such a tie.
    """
    candidates: list[str] = case["candidates"]
    before: dict[str, set[str]] = {name: set() for name in candidates}  # who must come earlier
    rctab_lots = _rctab_lots(case)
    falls_on: list[str] = []
    for _ in range(len(candidates) ** 2):
        order = _ordered(candidates, before)
        result = count(order)
        lots = [lot for lot in result.tie_breaks if lot.rule is TieRule.LOT]
        mismatch = next(
            (i for i, lot in enumerate(lots[: len(falls_on)]) if lot.chosen != falls_on[i]),
            None,
        )
        if mismatch is None and len(lots) == len(falls_on):
            return result
        if mismatch is None:
            mismatch = len(falls_on)
            lot = lots[mismatch]
            continuing = result.rounds[lot.round - 1].votes
            for_the_win = lot.purpose != "exclusion" or len(lot.tied) == len(continuing) == 2
            choice = next(rctab_lots)(lot, for_the_win)
            if lot.purpose == "exclusion" and for_the_win:
                choice = next(name for name in lot.tied if name != choice)
            falls_on.append(choice)
        lot = lots[mismatch]
        for other in set(lot.tied) - {falls_on[mismatch]}:
            before[other].add(falls_on[mismatch])
    raise AssertionError("no tie order reproduces RCTab's lots")


def _ordered(candidates: list[str], before: dict[str, set[str]]) -> list[str]:
    """The candidates in their order, moved only as far as `before` requires."""
    order: list[str] = []
    while len(order) < len(candidates):
        ready = [c for c in candidates if c not in order and before[c] <= set(order)]
        if not ready:
            raise AssertionError("no tie order reproduces RCTab's lots")
        order.append(ready[0])
    return order


def _count(case: dict[str, Any], method: str) -> Result:
    candidates = case["candidates"]
    # Some sources declare a tie order for only the candidates that ever tie: the rest follow
    # in the candidates' order.
    declared = case.get("tie_order") or []
    tie_order = [*declared, *(name for name in candidates if name not in declared)]
    if (case.get("rules") or {}).get("tiebreakMode") in RCTAB_REPLAYED_MODES:
        # RCTab's own rules say how it broke ties: repeat its lots.
        return _count_as_rctab_drew(case, partial(_count_with, case, method))
    if case["id"].startswith("condorcetphp__") and method == "irv" and not declared:
        # Condorcet PHP draws no lot in IRV: of the tied candidates it excludes the one with
        # the weakest head-to-head record over the whole election
        # (TieBreakersCollection::electSomeLosersbasedOnPairwiseComparaison). As a tie order:
        # the candidates by that record, weakest first.
        return _count_with(case, method, _weakest_head_to_head_first(case))
    return _count_with(case, method, tie_order)


def _weakest_head_to_head_first(case: dict[str, Any]) -> list[str]:
    """The candidates ordered by wins minus defeats in head-to-head comparisons on the papers,
    weakest first; equal records keep the candidates' order."""
    candidates = case["candidates"]
    known = set(candidates)
    record = dict.fromkeys(candidates, 0)
    for a in candidates:
        for b in candidates:
            if a == b:
                continue
            margin = 0
            for ballot in case["ballots"]:
                ranking = _ranking(ballot["ranking"], known)
                position = {name: i for i, name in enumerate(ranking)}
                pa, pb = position.get(a, len(ranking)), position.get(b, len(ranking))
                margin += ballot["count"] * ((pa < pb) - (pb < pa))
            record[a] += (margin > 0) - (margin < 0)
    return sorted(candidates, key=lambda name: record[name])


def _count_with(case: dict[str, Any], method: str, tie_order: list[str]) -> Result:
    candidates = case["candidates"]
    known = set(candidates)
    if method in ("plurality", "approval"):
        key = "approved" if method == "approval" else "ranking"
        marks = [
            _ranking(ballot[key], known)[: None if method == "approval" else 1]
            for ballot in case["ballots"]
            for _ in range(ballot["count"])
        ]
        counter = count_plurality if method == "plurality" else count_approval
        return counter(candidates, marks, seats=case["seats"], tie_order=tie_order)
    ballots = [
        Ballot(_ranking(ballot["ranking"], known), ballot["count"]) for ballot in case["ballots"]
    ]
    return count_ranked(
        method,
        candidates,
        ballots,
        seats=case["seats"],
        tie_order=tie_order,
        withdrawn=case.get("withdrawn") or (),
    )


def _elected_by_round(result: Result) -> list[set[str]]:
    return [
        {action.candidate for action in round_.actions if action.kind == "elected"}
        for round_ in result.rounds
        if any(action.kind == "elected" for action in round_.actions)
    ]


def _droop_elected_by_step(expected: dict[str, Any]) -> list[set[str]]:
    steps: dict[tuple[int, bool], set[str]] = {}
    for step in expected["rounds"]:
        if step["action"] == "elect":
            remaining = step["msg"].startswith("Elect remaining")
            name = step["msg"].split(": ", 1)[1]
            steps.setdefault((step["round"], remaining), set()).add(name)
    return list(steps.values())


def _check_elected(case: dict[str, Any], result: Result) -> None:
    expected = case["expected"]
    if case["id"].startswith("droop__"):
        # Droop names candidates elected together in no particular order, and collapses
        # runs of spaces in names in its messages.
        full_name = {" ".join(name.split()): name for name in case["candidates"]}
        steps = [
            {full_name[" ".join(name.split())] for name in step}
            for step in _droop_elected_by_step(expected)
        ]
        assert _elected_by_round(result) == steps
        assert set(result.elected) == set(expected["elected"])
    elif expected.get("elected_as_set"):
        assert set(result.elected) == set(expected["elected"])
    else:
        assert list(result.elected) == expected["elected"]


def _check_finish_order(case: dict[str, Any], result: Result) -> None:
    """Condorcet PHP's IRV ranking: the winner, then the excluded, last excluded first.

    (Condorcet PHP goes on ranking those still in when the winner is found; we stop, so only
    the tail of its ranking is compared.)
    """
    excluded = [
        action.candidate
        for round_ in result.rounds
        for action in round_.actions
        if action.kind == "excluded"
    ]
    finish_order = case["expected"]["finish_order"]
    assert finish_order[len(finish_order) - len(excluded) :] == excluded[::-1]


def _dedup(snapshots: list[Any]) -> list[Any]:
    return [snap for i, snap in enumerate(snapshots) if i == 0 or snapshots[i - 1] != snap]


def _check_droop_stages(case: dict[str, Any], result: Result) -> None:
    """Scottish STV: the figures after each of Droop's transfers, stage by stage.

    Droop also makes a stage of "transferring" a surplus of zero and of excluding a candidate
    with no votes; such stages change no figure, so repeated figures are compared once.
    """
    zero = "0.00000"
    theirs = _dedup(
        [
            ({k: v for k, v in step["votes"].items() if v != zero}, step["nontransferable"])
            for step in case["expected"]["rounds"]
            if step["action"] in ("begin", "transfer")
        ]
    )
    ours = _dedup(
        [
            (
                {k: format(v, "f") for k, v in round_.votes.items() if format(v, "f") != zero},
                format(round_.exhausted, "f"),
            )
            for round_ in result.rounds
        ]
    )
    assert ours == theirs
    assert all(round_.quota == Decimal(case["expected"]["quota_final"]) for round_ in result.rounds)


def _check_droop_meek_rounds(case: dict[str, Any], result: Result) -> None:
    """Meek: each round's votes and quota where Droop elects or defeats in that round."""
    last_step: dict[int, dict[str, Any]] = {}
    for step in case["expected"]["rounds"]:
        if step["action"] in ("elect", "defeat") and "remaining" not in step["msg"]:
            last_step[step["round"]] = step
    theirs = [last_step[number] for number in sorted(last_step)]
    assert len(result.rounds) >= len(theirs) > 0
    for step, round_ in zip(theirs, result.rounds, strict=False):
        ours = {name: format(vote, "f") for name, vote in round_.votes.items()}
        assert ours == {k: v for k, v in step["votes"].items() if k in ours}
        assert all(v == "0.000000000" for k, v in step["votes"].items() if k not in ours)
        assert format(round_.quota, "f") == step["quota"]


def _check_droop_exclusions(case: dict[str, Any], result: Result) -> None:
    excluded = [
        action.candidate
        for round_ in result.rounds
        for action in round_.actions
        if action.kind == "excluded"
    ]
    assert excluded == case["expected"]["defeated_order"][: len(excluded)]


def _check_tallies_by_continuing_set(case: dict[str, Any], result: Result) -> None:
    """RCTab, open-rcv-tests, VoteKit, Condorcet PHP: rounds matched by who is still in.

    Sources differ in where a round begins (RCTab may exclude several at once, or carry on
    after a win), so each of their rounds is compared with ours for the same continuing
    candidates, wherever both counts reach it. Whole votes must agree exactly; Condorcet
    PHP's STV uses exact fractions, so ours may be below by what truncation to five places
    can take (one unit of 0.00001 per paper per transfer).

    RCTab counts papers that mark only withdrawn candidates as exhausted from the first
    round; coopvote, as Droop and OpenSTV, sets them aside before the count, as blank papers
    (docs/counting/index.md). They are the same papers, so they are added to ours.
    """
    set_aside = _marking_only_withdrawn(case)
    elected_before: set[str] = set()
    ours: dict[frozenset[str], Round] = {}
    for round_ in result.rounds:
        ours.setdefault(frozenset(set(round_.votes) - elected_before), round_)
        elected_before |= {a.candidate for a in round_.actions if a.kind == "elected"}
    compared = 0
    for their_round in case["expected"]["rounds"]:
        tally = {name: Decimal(str(vote)) for name, vote in their_round["tally"].items()}
        match = ours.get(frozenset(tally))
        if match is None:
            continue
        compared += 1
        slack = Decimal(result.valid_papers * match.number) / 10**5
        for name, vote in tally.items():
            assert vote - slack <= match.votes[name] <= vote, (their_round, match)
        inactive = their_round.get("inactive")
        if inactive:
            assert match.exhausted + set_aside == Decimal(inactive["exhaustedChoices"])
    assert compared > 0


def _marking_only_withdrawn(case: dict[str, Any]) -> int:
    withdrawn, known = set(case.get("withdrawn") or ()), set(case["candidates"])
    if not withdrawn:
        return 0
    rankings = [(_ranking(b["ranking"], known), b["count"]) for b in case["ballots"]]
    return sum(count for ranking, count in rankings if ranking and set(ranking) <= withdrawn)


def _check_schulze(case: dict[str, Any], result: Result) -> None:
    expected = case["expected"]
    assert list(result.elected) == expected["winners"]
    if expected.get("strongest_path_strengths"):
        assert result.strongest_paths == expected["strongest_path_strengths"]
    ranking = expected.get("ranking")
    if ranking and all(isinstance(name, str) for name in ranking):
        assert list(result.ranking or ()) == ranking


@pytest.mark.parametrize("entry", [pytest.param(entry, id=entry["id"]) for entry in REQUIRED])
def test_reference_case_reproduced_exactly(entry: dict[str, Any]) -> None:
    case = _load(entry)
    method = entry["required_for"]
    result = _count(case, method)
    if method == "schulze":
        _check_schulze(case, result)
        return
    _check_elected(case, result)
    rounds = case["expected"].get("rounds")
    if case["id"].startswith("droop__"):
        _check_droop_exclusions(case, result)
        if method == "stv":
            _check_droop_stages(case, result)
        else:
            _check_droop_meek_rounds(case, result)
    elif rounds:
        _check_tallies_by_continuing_set(case, result)
    if case["expected"].get("finish_order"):
        _check_finish_order(case, result)


@pytest.mark.parametrize("entry", [pytest.param(e, id=e["id"]) for e in INFORMATIONAL])
def test_informational_case_counts_without_error(entry: dict[str, Any]) -> None:
    case = _load(entry)
    result = _count(case, NEAREST_METHOD[entry["method"]])
    assert 0 < len(result.elected) <= case["seats"] or result.valid_papers == 0
    assert set(result.elected) <= set(case["candidates"]) - set(case.get("withdrawn") or ())
