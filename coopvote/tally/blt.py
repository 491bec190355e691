"""The BLT ballot file format (OpenSTV, OpaVote, Droop), read strictly and written plainly.

    4 2                 number of candidates, number of seats
    -3                  optional: withdrawn candidates, as negative numbers
    3 1 2 0             a weight (how many papers), the candidates in order of preference, 0
    (b7) 1 4 0          a line may start with a ballot id in parentheses (see below)
    0                   end of the papers
    "Anna"              one quoted name per candidate, in number order
    "Bob"
    "Cleo"
    "Dan"
    "Title"             the title of the election (it may be empty: "")

Blank lines are ignored, and so is anything from a `#` outside a quoted name to the end of
its line — a comment is a comment wherever it stands, names in it included, as OpenSTV and
Droop read it. Equal rankings ("2=3"), skipped ranks ("-") and bracketed options are not
supported and are reported as errors, like every other departure from the format, with the
line number: a missing title, an empty name, more seats than candidates.

Ballot ids are read differently by the two tabulators that write them: for Droop the id takes
the place of the weight (`(b7) 1 4 0` is one paper ranking 1 then 4); OpenSTV writes a weight
after it (`(b7) 1 4 0` is one paper ranking 4). A file with ids is read only when told which
convention it follows (`ballot_ids="droop"` or `"openstv"`), never by guessing.

Reading is quick on large files: identical paper lines are grouped first, and each distinct
line is read once.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from coopvote.tally.cyclegc import cycle_collector_paused
from coopvote.tally.types import Ballot

BallotIds = Literal["droop", "openstv"]
BALLOT_IDS: tuple[BallotIds, ...] = ("droop", "openstv")

_NAME = re.compile(r'"([^"]*)"')
_NAMES_LINE = re.compile(r'((?:\s*"[^"]*")*)\s*(?:#.*)?')  # names, then perhaps a comment
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
_END_OF_PAPERS = re.compile(r"\s*0\s*(?:#.*)?")


class BltError(ValueError):
    """A BLT file that does not follow the format; the message names the line."""


@dataclass(frozen=True, slots=True)
class BltElection:
    """A BLT file's content. `ballots` has one entry per distinct ranking (its papers added
    up), in order of first appearance; withdrawn candidates are still on them."""

    candidates: tuple[str, ...]
    seats: int
    ballots: tuple[Ballot, ...]
    withdrawn: tuple[str, ...] = ()
    title: str = ""


@cycle_collector_paused
def read_blt(text: str, *, ballot_ids: BallotIds | None = None) -> BltElection:
    """Read BLT text (see the module's docstring); raises `BltError` naming the line at fault.

    `ballot_ids` says how to read ballot ids ("droop" or "openstv"); without it, a file that
    gives them is refused.
    """
    lines = text.splitlines()
    index, fields = _next_fields(lines, 0, "the header (candidates and seats)")
    header = _whole_numbers(index, fields)
    if len(header) != 2 or header[0] < 1 or header[1] < 1:
        raise BltError(
            f"line {index + 1}: the header is two positive numbers, candidates and seats"
        )
    candidates, seats = header
    if seats > candidates:
        raise BltError(f"line {index + 1}: {seats} seats, but only {candidates} candidates")

    withdrawn: list[int] = []
    start = index + 1
    while True:
        index, fields = _next_fields(lines, start, "the papers, ended by a line holding 0")
        if not fields[0].startswith("-"):
            break
        numbers = _whole_numbers(index, fields)
        if any(not -candidates <= number < 0 for number in numbers):
            raise BltError(
                f"line {index + 1}: withdrawn candidates are numbers from -1 to -{candidates}"
            )
        withdrawn.extend(-number for number in numbers)
        start = index + 1
    end = _end_of_papers(lines, start)
    names, title = _names_and_title(lines, end + 1, candidates)

    by_number = {str(number): name for number, name in enumerate(names, start=1)}
    rankings: dict[tuple[str, ...], int] = {}
    # A large count repeats the same lines many times: each distinct line is read once.
    for line, copies in Counter(lines[start:end]).items():
        try:
            paper = _paper(line, by_number, ballot_ids)
        except BltError as error:
            raise BltError(f"line {lines.index(line, start) + 1}: {error}") from None
        if paper is not None:
            ranking, weight = paper
            rankings[ranking] = rankings.get(ranking, 0) + weight * copies
    return BltElection(
        candidates=names,
        seats=seats,
        ballots=tuple(itertools.starmap(Ballot, rankings.items())),
        withdrawn=tuple(names[c - 1] for c in withdrawn),
        title=title,
    )


def write_blt(election: BltElection) -> str:
    """The election as BLT text, candidates numbered in the order given; raises `BltError`
    for a name BLT cannot hold (a quote, a line break)."""
    for name in (*election.candidates, election.title):
        if '"' in name or "\n" in name:
            raise BltError(f"a BLT name cannot hold a quote or a line break: {name!r}")
    number = {name: position for position, name in enumerate(election.candidates, start=1)}
    lines = [f"{len(election.candidates)} {election.seats}"]
    if election.withdrawn:
        lines.append(" ".join(f"-{number[name]}" for name in election.withdrawn))
    for ballot in election.ballots:
        preferences = " ".join(str(number[name]) for name in ballot.ranking)
        lines.append(f"{ballot.count} {preferences} 0" if preferences else f"{ballot.count} 0")
    lines.append("0")
    lines.extend(f'"{name}"' for name in (*election.candidates, election.title))
    return "\n".join(lines) + "\n"


def _next_fields(lines: list[str], start: int, expecting: str) -> tuple[int, list[str]]:
    """The index and fields of the first line from index `start` that is not blank."""
    for index in range(start, len(lines)):
        fields = lines[index].partition("#")[0].split()
        if fields:
            return index, fields
    raise BltError(f"the file ends before {expecting}")


def _whole_numbers(index: int, fields: list[str]) -> list[int]:
    for field in fields:
        if not _WHOLE_NUMBER.fullmatch(field):
            raise BltError(f"line {index + 1}: expected whole numbers, found {field!r}")
    return [int(field) for field in fields]


def _end_of_papers(lines: list[str], start: int) -> int:
    """The index of the line holding 0 alone, which ends the papers."""
    # compress/map run at C speed: a million papers' lines are not looped over in Python.
    ends = itertools.compress(
        itertools.count(start), map(_END_OF_PAPERS.fullmatch, itertools.islice(lines, start, None))
    )
    end = next(ends, None)
    if end is None:
        raise BltError("the file ends before the end of the papers (a line holding 0)")
    return end


def _paper(
    line: str, by_number: Mapping[str, str], ballot_ids: BallotIds | None
) -> tuple[tuple[str, ...], int] | None:
    """One paper line as (ranking, weight), or None if it is blank or only a comment.

    `by_number` names each candidate by their number as written ("1", "2", …).
    """
    fields = line.partition("#")[0].split()
    if not fields:
        return None
    if fields[0][0] == "(" and fields[0][-1] == ")":
        if ballot_ids is None:
            raise BltError(
                f"a ballot id {fields[0]} is read differently by Droop (in place of the "
                "weight: one paper) and by OpenSTV (a weight follows it); say which "
                "convention the file follows (ballot ids: droop or openstv)"
            )
        if len(fields) == 1:
            raise BltError("a ballot id must be followed by a paper")
        fields = ["1", *fields[1:]] if ballot_ids == "droop" else fields[1:]
    weight = fields[0]
    try:
        ranking = tuple(map(by_number.__getitem__, fields[1:-1]))
    except KeyError:
        raise BltError(_fault(fields, len(by_number))) from None
    if fields[-1] != "0" or not (weight.isdigit() and weight.isascii()) or int(weight) < 1:
        raise BltError(_fault(fields, len(by_number)))
    if len(set(ranking)) != len(ranking):
        raise BltError("a paper ranks a candidate twice")
    return ranking, int(weight)


def _fault(fields: list[str], candidates: int) -> str:
    """What is wrong with a paper line that `_paper` could not read, the first fault found.

    (Kept apart so that reading a correct line, a million times over, checks no more than
    it must.)
    """
    for field in fields:
        if not (field.isdigit() and field.isascii()):
            return f"expected whole numbers, found {field!r}"
    if int(fields[0]) < 1:
        return "a paper's weight must be a positive whole number"
    if len(fields) < 2 or fields[-1] != "0":
        return "a paper must end with 0"
    return f"candidates are numbered from 1 to {candidates}"


def _names_and_title(lines: list[str], start: int, candidates: int) -> tuple[tuple[str, ...], str]:
    """The candidates' names and the title, quoted, from index `start` on."""
    found: list[tuple[int, str]] = []
    for index in range(start, len(lines)):
        match = _NAMES_LINE.fullmatch(lines[index])
        if match is None:
            leftover = _NAME.sub(" ", lines[index]).split()[0]
            raise BltError(f"line {index + 1}: expected a quoted name, found {leftover!r}")
        found.extend((index + 1, name) for name in _NAME.findall(match.group(1)))
    if len(found) != candidates + 1:
        raise BltError(
            f"expected {candidates} candidate names and a title, found {len(found)} quoted "
            "names" + (" (is the title missing?)" if len(found) == candidates else "")
        )
    *names, (_, title) = found
    for number, name in names:
        if not name.strip():
            raise BltError(f"line {number}: a candidate's name cannot be empty")
    unique = {name for _, name in names}
    if len(unique) != candidates:
        raise BltError("candidate names must be unique")
    return tuple(name for _, name in names), title
