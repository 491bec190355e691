"""`coopvote tally`, through click's test runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopvote.cli.tally import tally
from coopvote.tally import Ballot, BltElection, count_ranked, write_blt

from .test_reference_cases import REFERENCE

NAMES = '"Anna"\n"Bob"\n"Title"\n'
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


def _refused(path: Path, *args: str) -> str:
    """Run the command on a file it must refuse: one `Error:` line, exit status 1, and no
    crash (click's runner turns a crash into exit status 1 too, so the exception is checked:
    only click's own exit is allowed)."""
    outcome = CliRunner().invoke(tally, [str(path), "--method", "irv", *args])
    assert outcome.exit_code == 1, outcome.output
    assert isinstance(outcome.exception, SystemExit), outcome.exception
    (line,) = outcome.output.splitlines()
    assert line.startswith("Error: ")
    return line


NESTED = "[" * 100_000 + "]" * 100_000
OPTION_A = {"id": 1, "label": "A"}


def _recount(**fields: object) -> str:
    return json.dumps({"options": [OPTION_A], "tie_order": ["A"], "cast_votes": [], **fields})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # Not UTF-8.
        ('2 1\n1 1 0\n0\n"José"\n"Bob"\n"T"\n'.encode("latin-1"), "not UTF-8 text (line 4"),
        ('2 1\n1 1 0\n0\n"Anna"\n"Bob"\n"T"\n'.encode("utf-16"), "looks like UTF-16"),
        ('2 1\n1 1 0\n0\n"Anna"\n"Bob"\n"T"\n'.encode("utf-16-le"), "looks like UTF-16"),
        # Malformed BLT.
        ("2 1\n1 1 3 0\n0\n" + NAMES, "line 2: candidates are numbered from 1 to 2"),
        ("2 40\n1 1 0\n0\n" + NAMES, "line 1: 40 seats, but only 2 candidates"),
        ('2 1\n1 1 0\n0\n"Anna"\n"Bob"\n', "(is the title missing?)"),
        ('2 1\n1 1 0\n0\n"Anna"\n""\n"T"\n', "line 5: a candidate's name cannot be empty"),
        ("2 1\n(p1) 1 0\n0\n" + NAMES, "line 2: a ballot id (p1) is read differently"),
        # Malformed /cast-votes JSON.
        ('[{"receipt": "a", "paper": {"choice": "for"}}]', "a list under 'ranking'"),
        ('[{"receipt": "a", "paper": {"ranking": [[["A"]]]}}]', "string or integer id"),
        ('[{"receipt": "a"}]', "a list under 'ranking': None"),
        ("[]", "there is nothing to count"),
        ('[{"receipt": "a", "paper": ', "line 1: this is not valid JSON"),
        (NESTED, "nested too deeply"),
        ("[" * 500 + "]" * 500, "a list under 'ranking': [[[[[[[...]]]]]]]"),
        # Malformed recount files.
        ('{"papers": []}', "or a recount file (an object with options, tie_order"),
        ('{"options": 3, "tie_order": [], "cast_votes": []}', "options are a list of"),
        ('{"options": [{"id": 1}], "tie_order": [], "cast_votes": []}', "'label' must be"),
        ('{"options": [{"label": "A"}], "tie_order": [], "cast_votes": []}', "'id' must be"),
        ('{"options": ["A"], "tie_order": [], "cast_votes": []}', "objects, not 'A'"),
        ('{"options": [], "tie_order": [], "cast_votes": {}}', "expected a BLT file"),
        ('[{"paper": {"ranking": [" "]}}]', "a candidate's name cannot be empty"),
        (_recount(options=[{"id": 1, "label": ""}], tie_order=[""]), "name cannot be empty"),
        (_recount(seats="2"), "'seats' must be a whole number, not '2'"),
        (_recount(seats=True), "'seats' must be a whole number, not True"),
        (_recount(seats=5), "5 seats, but only 1 candidates"),
        (_recount(tie_order="A"), "'tie_order' must be a list"),
        (_recount(quorum="half"), "quorum is not a number: 'half'"),
        (_recount(cast_votes=[{"paper": {"ranking": [2]}}]), "an option the file does not list"),
        ('{"options": [' + NESTED + '], "tie_order": [], "cast_votes": []}', "nested too deep"),
    ],
)
def test_tally_refuses_a_hostile_file_with_an_error_line_never_a_traceback(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = tmp_path / "hostile"
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    assert message in _refused(path)


def test_tally_refuses_more_seats_than_candidates_however_they_are_asked_for(
    tmp_path: Path,
) -> None:
    path = tmp_path / "two.blt"
    path.write_text("2 1\n1 1 0\n0\n" + NAMES, encoding="utf-8")
    assert "3 seats, but only 2 candidates" in _refused(path, "--method", "stv", "--seats", "3")


def test_tally_reads_a_comment_naming_a_candidate_as_a_comment(tmp_path: Path) -> None:
    """Issue 14: a comment quoting a name before the names made "Zed" a candidate and shifted
    every name after it, so Zed won with Anna's votes."""
    path = tmp_path / "comment.blt"
    path.write_text(
        '2 1\n3 1 0\n2 2 0\n0\n# "Zed" was struck off\n"Anna"\n"Bob"\n"Title"\n',
        encoding="utf-8",
    )
    code, output = _run(str(path), "--method", "irv")
    assert code == 0
    assert output.rstrip().endswith("Elected: Anna")
    assert "Zed" not in output


BALLOT_IDS = """\
3 1
(p1) 2 3 0
(p2) 2 3 0
(p3) 1 3 0
(p4) 1 0
(p5) 1 0
0
"Anna"
"Bob"
"Cleo"
"Ids"
"""


@pytest.mark.parametrize(
    ("convention", "papers", "elected"), [("droop", (5, 0), "Anna"), ("openstv", (5, 2), "Cleo")]
)
def test_tally_reads_ballot_ids_as_the_convention_given_says(
    tmp_path: Path, convention: str, papers: tuple[int, int], elected: str
) -> None:
    """Droop reads `(p1) 2 3 0` as one paper ranking Bob then Cleo, `(p4) 1 0` as one for
    Anna; OpenSTV as two papers ranking Cleo (the weight follows the id), and one blank paper.
    Each is read as its author reads it."""
    path = tmp_path / "ids.blt"
    path.write_text(BALLOT_IDS, encoding="utf-8")
    code, output = _run(str(path), "--method", "irv", "--ballot-ids", convention, "--json")
    assert code == 0, output
    data = json.loads(output)
    assert (data["valid_papers"], data["blank_papers"]) == papers
    assert data["elected"] == [elected]


def test_tally_counts_papers_for_withdrawn_candidates_only_as_droop_and_openstv_do(
    tmp_path: Path,
) -> None:
    """Issue 14: W withdrawn, 2 seats, 6 A>B, 2 B, 3 C, 4 W. Both reference tabulators set
    the 4 papers for W aside before the count and elect A and B (coopvote elected A and C)."""
    path = tmp_path / "withdrawn.blt"
    path.write_text(
        '4 2\n-4\n6 1 2 0\n2 2 0\n3 3 0\n4 4 0\n0\n"A"\n"B"\n"C"\n"W"\n"Withdrawn"\n',
        encoding="utf-8",
    )
    code, output = _run(str(path), "--method", "stv")
    assert code == 0, output
    assert "Valid papers: 11   Blank papers: 4" in output
    assert "(quota 4.00000)" in output
    assert output.rstrip().endswith("Elected: A, B")


def test_tally_prints_very_large_figures_exactly(tmp_path: Path) -> None:
    huge = 10**40
    path = tmp_path / "huge.blt"
    path.write_text(f'2 1\n{huge + 1} 1 0\n{huge} 2 0\n0\n"Anna"\n"Bob"\n"T"\n', encoding="utf-8")
    code, output = _run(str(path), "--method", "stv")
    assert code == 0, output
    assert f"(quota {huge + 1}.00000)" in output  # ⌊(2 × 10^40 + 1) ÷ 2⌋ + 1
    assert f"{huge + 1}.00000" in output.split("Anna", 1)[1]


@pytest.mark.parametrize("method", ["irv", "stv", "meek", "schulze"])
def test_tally_says_there_is_nothing_to_count_without_a_valid_paper(
    tmp_path: Path, method: str
) -> None:
    path = tmp_path / "blank.blt"
    path.write_text("2 1\n5 0\n0\n" + NAMES, encoding="utf-8")
    code, output = _run(str(path), "--method", method)
    assert code == 0, output
    assert "No valid paper: there is nothing to count, and the seats stay unfilled." in output
    assert "Tie" not in output
    assert output.rstrip().endswith("Elected: nobody")


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
