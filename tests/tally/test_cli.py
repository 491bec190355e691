"""`coopvote tally`, through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopvote.cli.tally import tally
from coopvote.tally import Ballot, BltElection, count_ranked, write_blt

from .test_reference_cases import REFERENCE

TIED = """\
3 1
2 1 0
2 2 0
3 3 0
0
"{first}"
"{second}"
"Cleo"
"Tied for last"
"""


def _run(*args: str) -> tuple[int, str]:
    outcome = CliRunner().invoke(tally, list(args))
    return outcome.exit_code, outcome.output


def test_tally_prints_a_count_sheet_with_every_round(tmp_path: Path) -> None:
    path = tmp_path / "tied.blt"
    path.write_text(TIED.format(first="Anna", second="Bob"), encoding="utf-8")
    code, output = _run(str(path), "--method", "irv")
    assert code == 0
    assert "Tied for last" in output
    assert "Round 1" in output
    assert "Round 2" in output
    assert "-> Anna: excluded (lowest vote)" in output
    assert "Tie in round 1 (exclusion): Anna, Bob -> Anna, by lot" in output
    assert output.rstrip().endswith("Elected: Cleo")


def test_tally_draws_lots_in_the_order_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "tied.blt"
    excluded_first = []
    for first, second in (("Anna", "Bob"), ("Bob", "Anna")):
        path.write_text(TIED.format(first=first, second=second), encoding="utf-8")
        code, output = _run(str(path), "--method", "irv", "--json")
        assert code == 0
        data = json.loads(output)
        excluded_first.append(data["rounds"][0]["actions"][0]["candidate"])
        assert data["tie_breaks"][0]["rule"] == "lot"
    assert excluded_first == ["Anna", "Bob"]


def test_tally_json_has_the_documented_shape(tmp_path: Path) -> None:
    path = tmp_path / "tied.blt"
    path.write_text(TIED.format(first="Anna", second="Bob"), encoding="utf-8")
    code, output = _run(str(path), "--method", "stv", "--seats", "2", "--json")
    assert code == 0
    data = json.loads(output)
    assert {"method", "seats", "elected", "rounds"} <= data.keys()
    assert data["seats"] == 2
    assert all(isinstance(vote, str) for r in data["rounds"] for vote in r["votes"].values())


def test_tally_reads_the_cast_votes_json(tmp_path: Path) -> None:
    papers = [
        {"receipt": f"r{i}", "paper": {"ranking": ranking}}
        for i, ranking in enumerate([["7", "9"], ["9"], ["9", "7"], ["8", "7"], ["7"]])
    ]
    path = tmp_path / "cast-votes.json"
    path.write_text(json.dumps(papers), encoding="utf-8")
    code, output = _run(str(path), "--method", "irv", "--json")
    assert code == 0
    assert json.loads(output)["elected"] == ["7"]


def test_tally_reads_marks_for_plurality_from_cast_votes_json(tmp_path: Path) -> None:
    papers = [
        {"receipt": "a", "paper": {"choices": [1, 2]}},
        {"receipt": "b", "paper": {"choices": [2]}},
    ]
    path = tmp_path / "cast-votes.json"
    path.write_text(json.dumps(papers), encoding="utf-8")
    code, output = _run(str(path), "--method", "plurality", "--seats", "2", "--json")
    assert code == 0
    assert json.loads(output)["elected"] == ["2", "1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("2 1\n1 1 3 0\n0\n", "line 2: candidates are numbered from 1 to 2"),
        ('[{"receipt": "a", "paper": {"choice": "for"}}]', "a list under 'ranking'"),
        ('{"papers": []}', "list of {receipt, paper} objects"),
    ],
)
def test_tally_reports_bad_files_without_a_traceback(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad"
    path.write_text(content, encoding="utf-8")
    code, output = _run(str(path), "--method", "irv")
    assert code == 1
    assert message in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("case_id", "method"),
    [
        ("droop__SCw__scotland-fixed-p5-d5", "stv"),
        ("droop__SC__meek-prf-o6-fixed-p9-d9", "meek"),
        ("droop__scotland__Partick-West-2007__scotland-fixed-p5-d5", "stv"),
    ],
)
def test_tally_counts_reference_elections_written_as_blt(
    tmp_path: Path, case_id: str, method: str
) -> None:
    case = json.loads((REFERENCE / "cases" / f"{case_id}.json").read_text(encoding="utf-8"))
    election = BltElection(
        candidates=tuple(case["candidates"]),
        seats=case["seats"],
        ballots=tuple(Ballot(tuple(b["ranking"]), b["count"]) for b in case["ballots"]),
        withdrawn=tuple(case["withdrawn"]),
        title=case.get("title"),
    )
    path = tmp_path / "election.blt"
    path.write_text(write_blt(election), encoding="utf-8")
    code, output = _run(str(path), "--method", method, "--json")
    assert code == 0
    data = json.loads(output)
    assert set(data["elected"]) == set(case["expected"]["elected"])
    direct = count_ranked(
        method,
        election.candidates,
        election.ballots,
        seats=election.seats,
        tie_order=election.candidates,
        withdrawn=election.withdrawn,
    )
    assert data == direct.to_json()
