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

Reading is quick on large files: the text is read as UTF-8 bytes (quicker to split, compare
and look up than text), identical paper lines are grouped first, each distinct line is read
once, and the papers keep the file's candidate numbers (`NumberedBallots`), so that a count
need not turn names back into numbers.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from coopvote.tally.cyclegc import cycle_collector_paused
from coopvote.tally.types import Ballot, InvalidPaper, NumberedBallots

BallotIds = Literal["droop", "openstv"]
BALLOT_IDS: tuple[BallotIds, ...] = ("droop", "openstv")

_NAME = re.compile(r'"([^"]*)"')
_NAMES_LINE = re.compile(r'((?:\s*"[^"]*")*)\s*(?:#.*)?')  # names, then perhaps a comment
_WHOLE_NUMBER = re.compile(rb"-?[0-9]+")
_END_OF_PAPERS = re.compile(rb"\s*0\s*(?:#.*)?")


class BltError(ValueError):
    """A BLT file that does not follow the format; the message names the line."""


@dataclass(frozen=True, slots=True)
class BltElection:
    """A BLT file's content. `ballots` has one entry per distinct ranking (its papers added
    up), in order of first appearance; withdrawn candidates are still on them. `read_blt`
    gives them as `NumberedBallots`, as the file numbers candidates."""

    candidates: tuple[str, ...]
    seats: int
    ballots: Sequence[Ballot]
    withdrawn: tuple[str, ...] = ()
    title: str = ""


@cycle_collector_paused
def read_blt(text: str, *, ballot_ids: BallotIds | None = None) -> BltElection:
    """Read BLT text (see the module's docstring); raises `BltError` naming the line at fault.

    `ballot_ids` says how to read ballot ids ("droop" or "openstv"); without it, a file that
    gives them is refused.
    """
    # surrogatepass: any str goes to bytes and back unchanged.
    lines = text.encode("utf-8", "surrogatepass").splitlines()
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
        if not fields[0].startswith(b"-"):
            break
        numbers = _whole_numbers(index, fields)
        if any(not -candidates <= number < 0 for number in numbers):
            raise BltError(
                f"line {index + 1}: withdrawn candidates are numbers from -1 to -{candidates}"
            )
        withdrawn.extend(-number for number in numbers)
        start = index + 1
    plain = _plain_papers(lines, start, candidates)
    end = plain[0] if plain else _end_of_papers(lines, start)
    names, title = _names_and_title(lines, end + 1, candidates)
    try:
        ballots = NumberedBallots(names, plain[1]) if plain else None
    except InvalidPaper:  # read them again one by one, to name the line at fault
        ballots = None
    if ballots is None:
        ballots = _papers(lines[start:end], start, names, ballot_ids)
    return BltElection(
        candidates=names,
        seats=seats,
        ballots=ballots,
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


def _next_fields(lines: list[bytes], start: int, expecting: str) -> tuple[int, list[bytes]]:
    """The index and fields of the first line from index `start` that is not blank."""
    for index in range(start, len(lines)):
        fields = lines[index].partition(b"#")[0].split()
        if fields:
            return index, fields
    raise BltError(f"the file ends before {expecting}")


def _whole_numbers(index: int, fields: list[bytes]) -> list[int]:
    for field in fields:
        if not _WHOLE_NUMBER.fullmatch(field):
            raise BltError(f"line {index + 1}: expected whole numbers, found {_text(field)!r}")
    return [int(field) for field in fields]


def _text(line: bytes) -> str:
    """A line, or a field of one, as text again (for a name or a message)."""
    return line.decode("utf-8", "surrogatepass")


def _end_of_papers(lines: list[bytes], start: int) -> int:
    """The index of the line holding 0 alone, which ends the papers."""
    # compress/map run at C speed: a million papers' lines are not looped over in Python.
    ends = itertools.compress(
        itertools.count(start), map(_END_OF_PAPERS.fullmatch, itertools.islice(lines, start, None))
    )
    end = next(ends, None)
    if end is None:
        raise BltError("the file ends before the end of the papers (a line holding 0)")
    return end


def _plain_papers(
    lines: list[bytes], start: int, candidates: int
) -> tuple[int, tuple[tuple[tuple[int, ...], int], ...]] | None:
    """The papers from index `start` on, if they are all plain, `weight number… 0` and
    nothing else, and end at a line holding exactly 0: (the index of that line, the papers
    grouped by ranking in order of first appearance). None otherwise; `_papers` then reads
    them line by line.

    This is how a large count is read quickly. Identical lines are counted first (a million
    papers repeat a few hundred thousand lines), each distinct line is read once, and each
    check is one pass over all of them. A line that ends the papers (0 alone, perhaps
    spaced or followed by a comment) is never plain, so the first line `0` ends them. (A
    paper that ranks a candidate twice is found by `NumberedBallots`, which checks every
    ranking.)
    """
    try:
        end = lines.index(b"0", start)
    except ValueError:
        return None
    copies = Counter(itertools.islice(lines, start, end))
    # A comment, a ballot id or a bracket is never a candidate's number or a weight, so a line
    # holding one fails a check below.
    fields = list(map(bytes.split, copies))
    if not all(fields) or set(map(operator.itemgetter(-1), fields)) != {b"0"}:
        return None  # a blank line, or one that does not end with 0
    weights = set(map(operator.itemgetter(0), fields))
    if not all(weight.isdigit() and int(weight) >= 1 for weight in weights):
        return None
    position = _positions(candidates)
    try:
        rankings = [tuple(map(position.__getitem__, paper[1:-1])) for paper in fields]
    except KeyError:  # not a candidate's number
        return None
    if weights == {b"1"} and _spaced_alike(copies, fields):
        # One paper a line, as in a large count, and every line spaced alike: different
        # lines give different rankings.
        return end, tuple(zip(rankings, copies.values(), strict=True))
    groups = dict.fromkeys(rankings, 0)
    for ranking, paper, number in zip(rankings, fields, copies.values(), strict=True):
        groups[ranking] += int(paper[0]) * number
    return end, tuple(groups.items())


def _spaced_alike(lines: Iterable[bytes], fields: list[list[bytes]]) -> bool:
    """Whether the lines (split into `fields`) have one space between fields and no other
    white space: a line of n fields then holds n - 1 spaces."""
    joined = b"".join(lines)
    spaces = sum(map(len, fields)) - len(fields)
    return joined.count(b" ") == spaces and not any(
        other in joined for other in (b"\t", b"\x0b", b"\x0c")
    )


def _positions(candidates: int) -> dict[bytes, int]:
    """Each candidate's number as a BLT file writes it (b"1", b"2", …), and its position
    (0 for the first)."""
    return {str(number).encode(): number - 1 for number in range(1, candidates + 1)}


def _papers(
    lines: list[bytes], first: int, names: tuple[str, ...], ballot_ids: BallotIds | None
) -> NumberedBallots:
    """The paper lines (`first` is the index of the first one in the file), read one by one
    and grouped by ranking in order of first appearance; raises `BltError` naming the first
    line at fault. (Each distinct line is still read once.)"""
    position = _positions(len(names))
    groups: dict[tuple[int, ...], int] = {}
    for line, number in Counter(lines).items():
        try:
            paper = _paper(line, position, ballot_ids)
        except BltError as error:
            raise BltError(f"line {first + lines.index(line) + 1}: {error}") from None
        if paper is not None:
            ranking, weight = paper
            groups[ranking] = groups.get(ranking, 0) + weight * number
    return NumberedBallots(names, tuple(groups.items()))


def _paper(
    line: bytes, position: Mapping[bytes, int], ballot_ids: BallotIds | None
) -> tuple[tuple[int, ...], int] | None:
    """One paper line as (ranking, weight), or None if it is blank or only a comment.

    The ranking gives candidates by position (0 for the first); `position` maps each
    candidate's number as written (b"1", b"2", …) to it.
    """
    fields = line.partition(b"#")[0].split()
    if not fields:
        return None
    if fields[0].startswith(b"(") and fields[0].endswith(b")"):
        if ballot_ids is None:
            raise BltError(
                f"a ballot id {_text(fields[0])} is read differently by Droop (in place of the "
                "weight: one paper) and by OpenSTV (a weight follows it); say which "
                "convention the file follows (ballot ids: droop or openstv)"
            )
        if len(fields) == 1:
            raise BltError("a ballot id must be followed by a paper")
        fields = [b"1", *fields[1:]] if ballot_ids == "droop" else fields[1:]
    weight = fields[0]
    try:
        ranking = tuple(map(position.__getitem__, fields[1:-1]))
    except KeyError:
        raise BltError(_fault(fields, len(position))) from None
    if fields[-1] != b"0" or not weight.isdigit() or int(weight) < 1:
        raise BltError(_fault(fields, len(position)))
    if len(set(ranking)) != len(ranking):
        raise BltError("a paper ranks a candidate twice")
    return ranking, int(weight)


def _fault(fields: list[bytes], candidates: int) -> str:
    """What is wrong with a paper line that `_paper` could not read, the first fault found.

    (Kept apart so that reading a correct line, a million times over, checks no more than
    it must.)
    """
    for field in fields:
        if not field.isdigit():  # (bytes.isdigit: the ASCII digits only)
            return f"expected whole numbers, found {_text(field)!r}"
    if int(fields[0]) < 1:
        return "a paper's weight must be a positive whole number"
    if len(fields) < 2 or fields[-1] != b"0":
        return "a paper must end with 0"
    return f"candidates are numbered from 1 to {candidates}"


def _names_and_title(
    lines: list[bytes], start: int, candidates: int
) -> tuple[tuple[str, ...], str]:
    """The candidates' names and the title, quoted, from index `start` on."""
    found: list[tuple[int, str]] = []
    for index in range(start, len(lines)):
        line = _text(lines[index])
        match = _NAMES_LINE.fullmatch(line)
        if match is None:
            leftover = _NAME.sub(" ", line).split()[0]
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
