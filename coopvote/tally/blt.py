"""The BLT ballot file format (OpenSTV, OpaVote, Droop), read strictly and written plainly.

    4 2                 number of candidates, number of seats
    -3                  optional: withdrawn candidates, as negative numbers
    3 1 2 0             a weight (how many papers), the candidates in order of preference, 0
    (b7) 1 4 0          a line may start with a ballot id in parentheses (ignored)
    0                   end of the papers
    "Anna"              one quoted name per candidate, in number order
    "Bob"
    "Cleo"
    "Dan"
    "Title"             optional

Blank lines are ignored, and so is anything after `#` outside a name. Equal rankings
("2=3"), skipped ranks ("-") and bracketed options are not supported and are reported as
errors, like every other departure from the format, with the line number.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from coopvote.tally.types import Ballot

_NAME = re.compile(r'"([^"]*)"')
_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


class BltError(ValueError):
    """A BLT file that does not follow the format; the message names the line."""


@dataclass(frozen=True, slots=True)
class BltElection:
    candidates: tuple[str, ...]
    seats: int
    ballots: tuple[Ballot, ...]
    withdrawn: tuple[str, ...] = ()
    title: str | None = None


def read_blt(text: str) -> BltElection:
    lines = _numbered_lines(text)
    number, header = _next_numbers(lines, "the header (candidates and seats)")
    if len(header) != 2 or header[0] < 1 or header[1] < 1:
        raise BltError(f"line {number}: the header is two positive numbers, candidates and seats")
    candidates, seats = header

    withdrawn: list[int] = []
    rankings: list[tuple[tuple[int, ...], int]] = []
    while True:
        number, fields = _next_numbers(lines, "the papers, ended by a line holding 0")
        if fields == [0]:
            break
        if fields[0] < 0 and not rankings:
            withdrawn.extend(_withdrawn(number, fields, candidates))
            continue
        rankings.append(_ballot_line(number, fields, candidates))

    names: list[str] = []
    for number, line in lines:
        names.extend(_NAME.findall(line))
        leftover = _NAME.sub("", line).split("#", 1)[0].split()
        if leftover:
            raise BltError(f"line {number}: expected a quoted name, found {leftover[0]!r}")
    if len(names) not in (candidates, candidates + 1):
        raise BltError(
            f"expected {candidates} candidate names (and an optional title), found {len(names)}"
        )
    if len(set(names[:candidates])) != candidates:
        raise BltError("candidate names must be unique")
    return BltElection(
        candidates=tuple(names[:candidates]),
        seats=seats,
        ballots=tuple(
            Ballot(tuple(names[c - 1] for c in ranking), count) for ranking, count in rankings
        ),
        withdrawn=tuple(names[c - 1] for c in withdrawn),
        title=names[candidates] if len(names) > candidates else None,
    )


def write_blt(election: BltElection) -> str:
    """The election as BLT text, candidates numbered in the order given."""
    for name in (*election.candidates, election.title or ""):
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
    lines.extend(f'"{name}"' for name in election.candidates)
    if election.title is not None:
        lines.append(f'"{election.title}"')
    return "\n".join(lines) + "\n"


def _numbered_lines(text: str) -> deque[tuple[int, str]]:
    return deque(enumerate(text.splitlines(), start=1))


def _next_numbers(lines: deque[tuple[int, str]], expecting: str) -> tuple[int, list[int]]:
    """Take the next non-blank line off `lines` and read it as whole numbers."""
    while lines:
        number, line = lines.popleft()
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if fields[0].startswith("(") and fields[0].endswith(")"):
            fields = fields[1:]  # a ballot id
        for field in fields:
            if not _WHOLE_NUMBER.fullmatch(field):
                raise BltError(f"line {number}: expected whole numbers, found {field!r}")
        if not fields:
            raise BltError(f"line {number}: a ballot id must be followed by a paper")
        return number, [int(field) for field in fields]
    raise BltError(f"the file ends before {expecting}")


def _withdrawn(number: int, fields: list[int], candidates: int) -> list[int]:
    if any(not -candidates <= field < 0 for field in fields):
        raise BltError(f"line {number}: withdrawn candidates are numbers from -1 to -{candidates}")
    return [-field for field in fields]


def _ballot_line(number: int, fields: list[int], candidates: int) -> tuple[tuple[int, ...], int]:
    weight, *preferences = fields
    if weight < 1:
        raise BltError(f"line {number}: a paper's weight must be a positive whole number")
    if not preferences or preferences[-1] != 0:
        raise BltError(f"line {number}: a paper must end with 0")
    ranking = tuple(preferences[:-1])
    if any(not 1 <= c <= candidates for c in ranking):
        raise BltError(f"line {number}: candidates are numbered from 1 to {candidates}")
    if len(set(ranking)) != len(ranking):
        raise BltError(f"line {number}: a paper ranks a candidate twice")
    return ranking, weight
