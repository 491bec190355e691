"""The BLT reader and writer."""

from __future__ import annotations

import pytest
from hypothesis import given

from coopvote.tally import Ballot, BltElection, BltError, read_blt, write_blt

from .strategies import Election, elections

SAMPLE = """\
# a comment line
4 2
-3
3 1 2 0
(b7) 1 4 0   # a ballot id, and a comment
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


def test_read_blt_title_is_optional() -> None:
    assert read_blt('1 1\n1 1 0\n0\n"Solo"\n').title is None


@given(elections())
def test_write_then_read_gives_the_same_election(election: Election) -> None:
    original = BltElection(
        candidates=election.tie_order,
        seats=election.seats,
        ballots=election.ballots,
        withdrawn=election.tie_order[:1],
        title="Round trip",
    )
    assert read_blt(write_blt(original)) == original


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "ends before the header"),
        ("3\n", "line 1: the header is two positive numbers"),
        ("0 1\n0\n", "line 1: the header"),
        ("2 1\n1 1 2\n0\n", "line 2: a paper must end with 0"),
        ("2 1\n1 1 3 0\n0\n", "line 2: candidates are numbered from 1 to 2"),
        ("2 1\n1 1 1 0\n0\n", "line 2: a paper ranks a candidate twice"),
        ("2 1\n0 1 0\n0\n", "line 2: a paper's weight must be a positive whole number"),
        ("2 1\n1.5 1 0\n0\n", "line 2: expected whole numbers, found '1.5'"),
        ("2 1\n1 1=2 0\n0\n", "line 2: expected whole numbers, found '1=2'"),
        ("2 1\n1 1 - 2 0\n0\n", "line 2: expected whole numbers, found '-'"),
        ("2 1\n-3\n1 1 0\n0\n", "line 2: withdrawn candidates are numbers from -1 to -2"),
        ("2 1\n1 1 0\n", "ends before the papers"),
        ('2 1\n1 1 0\n0\n"A"\n', "expected 2 candidate names"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n"extra"\n', "expected 2 candidate names"),
        ('2 1\n1 1 0\n0\n"A"\nB\n', "line 5: expected a quoted name, found 'B'"),
        ('2 1\n1 1 0\n0\n"A"\n"B\n', "line 5: expected a quoted name"),
        ('2 1\n1 1 0\n0\n"A"\n"A"\n', "candidate names must be unique"),
    ],
)
def test_read_blt_rejects_malformed_files_clearly(text: str, message: str) -> None:
    with pytest.raises(BltError, match=message):
        read_blt(text)


def test_write_blt_refuses_names_it_cannot_quote() -> None:
    with pytest.raises(BltError, match="quote"):
        write_blt(BltElection(('Say "hi"',), 1, ()))
