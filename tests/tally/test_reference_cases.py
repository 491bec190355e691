"""The published reference elections in shared/reference-elections, counted by coopvote.

Every case whose `required_for` names one of our methods must give the same result:
the elected candidates (in order of election; as a set where the source elects several in
one step) and, where the case records them, the figures of every round. Informational
cases (other rule variants) go through the nearest of our methods to show they count
without error. The expected results are never altered here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from coopvote.tally import Ballot, Result, Round, count_ranked
from coopvote.tally.plurality import count_approval, count_plurality

REFERENCE = Path(__file__).parents[2] / ".." / "shared" / "reference-elections"
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
# Known divergences: ties the manifest does not mark, which each source broke by its own
# convention rather than by a tie order. No one rule reproduces both, so both are expected
# to fail (strictly: should either start passing, the test says so).
SOURCE_LOTS = {
    "condorcetphp__irv__result_3": (
        "round 1 ties bob, sue and bill at 2 votes each, with no earlier round to look back"
        " to. Condorcet PHP breaks IRV ties by pairwise comparison and excludes sue; by the tie"
        " order we are told to use (the candidates' order, the case giving none) the lot falls"
        " on bob, whose papers then elect bill."
    ),
    "rctab__first_round_determines_threshold_test": (
        "round 1 ties Carmona and Haadoow at 5 votes each, with no earlier round to look back"
        " to. RCTab drew its lot with java.util.Random(0) and excluded Haadoow; by the tie"
        " order we are told to use (the candidates' order, the case giving none) the lot falls"
        " on Carmona, whose papers then elect Haadoow. The case is not marked 'ties' in the"
        " manifest; it belongs with the informational cases."
    ),
}


def _manifest() -> list[dict[str, Any]]:
    path = REFERENCE / "MANIFEST.json"
    if not path.exists():
        return []
    entries: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return entries


MANIFEST = _manifest()
REQUIRED = [entry for entry in MANIFEST if entry["required_for"] in OUR_METHODS]
INFORMATIONAL = [entry for entry in MANIFEST if entry["required_for"] is None]


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


def _count(case: dict[str, Any], method: str) -> Result:
    candidates = case["candidates"]
    known = set(candidates)
    # Some sources declare a tie order for only the candidates that ever tie: the rest follow
    # in the candidates' order.
    declared = case.get("tie_order") or []
    tie_order = [*declared, *(name for name in candidates if name not in declared)]
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
    """
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
            assert match.exhausted == Decimal(inactive["exhaustedChoices"])
    assert compared > 0


def _check_schulze(case: dict[str, Any], result: Result) -> None:
    expected = case["expected"]
    assert list(result.elected) == expected["winners"]
    if expected.get("strongest_path_strengths"):
        assert result.strongest_paths == expected["strongest_path_strengths"]
    ranking = expected.get("ranking")
    if ranking and all(isinstance(name, str) for name in ranking):
        assert list(result.ranking or ()) == ranking


def _case_param(entry: dict[str, Any]) -> Any:
    marks = []
    if entry["id"] in SOURCE_LOTS:
        marks.append(pytest.mark.xfail(reason=SOURCE_LOTS[entry["id"]], strict=True))
    return pytest.param(entry, id=entry["id"], marks=marks)


@pytest.mark.parametrize("entry", [_case_param(entry) for entry in REQUIRED])
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


@pytest.mark.parametrize("entry", [pytest.param(e, id=e["id"]) for e in INFORMATIONAL])
def test_informational_case_counts_without_error(entry: dict[str, Any]) -> None:
    case = _load(entry)
    result = _count(case, NEAREST_METHOD[entry["method"]])
    assert 0 < len(result.elected) <= case["seats"] or result.valid_papers == 0
    assert set(result.elected) <= set(case["candidates"]) - set(case.get("withdrawn") or ())
