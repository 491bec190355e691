"""The BLT reader and writer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopvote.tally import (
    Ballot,
    BltElection,
    BltError,
    InvalidPaper,
    NumberedBallots,
    count_ranked,
    group_rankings,
    read_blt,
    write_blt,
)

from .strategies import Election, elections

SAMPLE = """\
# a comment line
4 2
-3
3 1 2 0
1 4 0   # a comment
2 0

1 2 4 1 0
0
"Anna"
"Bob"
"Cleo"   # withdrawn
"Dan"
"Board election 2025"
"""


def test_read_blt_reads_every_part_of_the_format() -> None:
    election = read_blt(SAMPLE)
    assert election.candidates == ("Anna", "Bob", "Cleo", "Dan")
    assert election.seats == 2
    assert election.withdrawn == ("Cleo",)
    assert election.title == "Board election 2025"
    assert election.ballots == (
        Ballot(("Anna", "Bob"), 3),
        Ballot(("Dan",), 1),
        Ballot((), 2),
        Ballot(("Bob", "Dan", "Anna"), 1),
    )


def test_read_blt_reads_comments_as_comments_wherever_they_stand() -> None:
    """A quoted word in a comment is no name (OpenSTV and Droop read it so); a # inside a
    quoted name is part of the name."""
    text = """2 1
3 1 0   # "Zed" here too
2 2 0
0
# "Zed" was struck off
"Anna #1"  # "Zed"
"Bob"
"Title"
"""
    election = read_blt(text)
    assert election.candidates == ("Anna #1", "Bob")
    assert election.title == "Title"
    assert election.ballots == (Ballot(("Anna #1",), 3), Ballot(("Bob",), 2))


def test_read_blt_adds_up_the_papers_of_each_ranking_in_order_of_first_appearance() -> None:
    text = '3 1\n1 2 1 0\n1 3 0\n1 2 1 0\n4 2 1 0\n1 3 0\n0\n"A"\n"B"\n"C"\n"T"\n'
    assert read_blt(text).ballots == (Ballot(("B", "A"), 6), Ballot(("C",), 2))


def test_read_blt_adds_up_one_paper_lines_that_differ_only_in_spacing() -> None:
    text = '2 1\n1 2 1 0\n1  2 1 0\n1\t2 1 0\n 1 2 1 0 \n1 1 0\n0\n"A"\n"B"\n"T"\n'
    assert read_blt(text).ballots == (Ballot(("B", "A"), 4), Ballot(("A",), 1))


@pytest.mark.parametrize("end", [" 0", "0 # the end of the papers", "\t0\t"])
def test_read_blt_ends_the_papers_at_a_0_however_it_is_spaced(end: str) -> None:
    text = f'2 1\n1 2 1 0\n1 1 0\n{end}\n"A"\n"B"\n"T"\n'
    assert read_blt(text).ballots == (Ballot(("B", "A"), 1), Ballot(("A",), 1))


BALLOT_IDS = """3 1
(p1) 1 2 0
(p2) 1 0
(p3) 3 0
0
"Anna"
"Bob"
"Cleo"
"Ids"
"""


def test_read_blt_reads_ballot_ids_as_droop_does_the_id_is_one_paper() -> None:
    election = read_blt(BALLOT_IDS, ballot_ids="droop")
    assert election.ballots == (
        Ballot(("Anna", "Bob"), 1),
        Ballot(("Anna",), 1),
        Ballot(("Cleo",), 1),
    )


def test_read_blt_reads_ballot_ids_as_openstv_does_a_weight_follows_the_id() -> None:
    election = read_blt(BALLOT_IDS, ballot_ids="openstv")
    assert election.ballots == (Ballot(("Bob",), 1), Ballot((), 4))


def test_read_blt_refuses_ballot_ids_unless_told_whose_convention_they_follow() -> None:
    with pytest.raises(BltError, match=r"line 2: a ballot id \(p1\) is read differently"):
        read_blt(BALLOT_IDS)


@given(elections())
def test_write_then_read_gives_the_same_election(election: Election) -> None:
    original = BltElection(
        candidates=election.tie_order,
        seats=min(election.seats, len(election.tie_order)),
        ballots=election.ballots,
        withdrawn=election.tie_order[:1],
        title="Round trip",
    )
    # The reader gives one ballot per distinct ranking, its papers added up.
    grouped = group_rankings(paper for paper in election.papers)
    assert read_blt(write_blt(original)) == BltElection(
        original.candidates, original.seats, grouped, original.withdrawn, original.title
    )


@given(elections(), st.lists(st.integers(1, 3), max_size=12), st.data())
def test_plain_lines_read_all_at_once_give_the_papers_read_line_by_line(
    election: Election, weights: list[int], data: st.DataObject
) -> None:
    """A plain file is read all at once; a comment sends it to the line-by-line reader."""
    number = {name: position for position, name in enumerate(election.candidates, start=1)}
    lines = [
        f"{weights[i % len(weights)] if weights else 1} "
        + "".join(f"{number[name]} " for name in ballot.ranking)
        + "0"
        for i, ballot in enumerate(election.ballots)
    ]
    lines += data.draw(st.lists(st.sampled_from(lines), max_size=6)) if lines else []
    names = "".join(f'"{name}"\n' for name in election.candidates)
    plain = f"{len(election.candidates)} 1\n" + "\n".join([*lines, "0"]) + f'\n{names}"T"\n'
    commented = plain.replace("\n0\n", "\n# the end of the papers\n0\n", 1)
    assert read_blt(plain) == read_blt(commented)
    assert tuple(read_blt(plain).ballots) == tuple(read_blt(commented).ballots)


def test_read_blt_gives_the_papers_by_candidate_number_and_by_name() -> None:
    ballots = read_blt('3 1\n2 3 1 0\n1 0\n0\n"A"\n"B"\n"C"\n"T"\n').ballots
    assert isinstance(ballots, NumberedBallots)
    assert ballots.groups == (((2, 0), 2), ((), 1))
    assert ballots == (Ballot(("C", "A"), 2), Ballot((), 1))
    assert ballots[0] == Ballot(("C", "A"), 2)
    assert len(ballots) == 2


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ((((0, 3), 1),), "numbered from 0 to 2"),
        ((((-1,), 1),), "numbered from 0 to 2"),
        ((((0, 1, 0), 1),), "ranks a candidate twice"),
        ((((0,), 0),), "at least one"),
        ((((0,), True),), "whole number"),
    ],
)
def test_numbered_ballots_are_checked_when_made(
    groups: tuple[tuple[tuple[int, ...], int], ...], message: str
) -> None:
    with pytest.raises(InvalidPaper, match=message):
        NumberedBallots(("A", "B", "C"), groups)


@given(elections(), st.sampled_from(("irv", "stv", "meek", "schulze")))
def test_numbered_ballots_count_as_the_same_ballots_by_name(
    election: Election, method: str
) -> None:
    position = {name: index for index, name in enumerate(election.candidates)}
    grouped = group_rankings(election.papers)
    numbered = NumberedBallots(
        election.candidates,
        tuple((tuple(position[name] for name in b.ranking), b.count) for b in grouped),
    )
    seats = 1 if method == "irv" else election.seats
    by_name, by_number = (
        count_ranked(
            method,
            election.candidates,
            ballots,
            seats=seats,
            tie_order=election.tie_order,
            withdrawn=election.withdrawn,
        )
        for ballots in (grouped, numbered)
    )
    assert by_number == by_name


NAMES = '"A"\n"B"\n"Title"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "ends before the header"),
        ("3\n", "line 1: the header is two positive numbers"),
        ("0 1\n0\n", "line 1: the header"),
        ("2 40\n0\n", "line 1: 40 seats, but only 2 candidates"),
        ("2 1\n1 1 2\n0\n" + NAMES, "line 2: a paper must end with 0"),
        ("2 1\n1 1 3 0\n0\n" + NAMES, "line 2: candidates are numbered from 1 to 2"),
        ("2 1\n1 1 1 0\n0\n" + NAMES, "line 2: a paper ranks a candidate twice"),
        ("2 1\n0 1 0\n0\n" + NAMES, "line 2: a paper's weight must be a positive whole number"),
        ("2 1\n1.5 1 0\n0\n" + NAMES, "line 2: expected whole numbers, found '1.5'"),
        ("2 1\n1 1=2 0\n0\n" + NAMES, "line 2: expected whole numbers, found '1=2'"),
        ("2 1\n1 1 - 2 0\n0\n" + NAMES, "line 2: expected whole numbers, found '-'"),
        ("2 1\n-3\n1 1 0\n0\n" + NAMES, "line 2: withdrawn candidates are numbers from -1 to -2"),
        ("2 1\n1 1 0\n", "ends before the end of the papers"),
        ('2 1\n1 1 0\n0\n"A"\n', "expected 2 candidate names and a title, found 1"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n', r"found 2 quoted names \(is the title missing\?\)"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n"extra"\n', "expected 2 candidate names"),
        ('2 1\n1 1 0\n0\n"A"\n""\n"T"\n', "line 5: a candidate's name cannot be empty"),
        ('2 1\n1 1 0\n0\n"A"\n"  "\n"T"\n', "line 5: a candidate's name cannot be empty"),
        ("2 1\n(p1)\n0\n" + NAMES, "line 2: a ballot id"),
        ('2 1\n1 1 0\n0\n"A"\nB\n', "line 5: expected a quoted name, found 'B'"),
        ('2 1\n1 1 0\n0\n"A"\n"B\n', "line 5: expected a quoted name"),
        ('2 1\n1 1 0\n0\n"A"\n"A"\n"T"\n', "candidate names must be unique"),
        ("2 1\n1 ١ 0\n0\n" + NAMES, "line 2: expected whole numbers, found '١'"),
    ],
)
def test_read_blt_rejects_malformed_files_clearly(text: str, message: str) -> None:
    with pytest.raises(BltError, match=message):
        read_blt(text)


def test_write_blt_refuses_names_it_cannot_quote() -> None:
    with pytest.raises(BltError, match="quote"):
        write_blt(BltElection(('Say "hi"',), 1, ()))
