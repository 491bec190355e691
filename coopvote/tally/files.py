"""The files `coopvote tally` counts, read from their text: BLT, /cast-votes JSON, /recount JSON.

- BLT (coopvote.tally.blt): the candidates' order in the file is the tie order (the
  convention of Droop and OpenSTV).
- The /cast-votes JSON, `[{"receipt", "paper"}, ...]`: the candidates are those the papers
  name, and the tie order is the order in which they first appear.
- The recount file served by /recount, `{"options", "tie_order", "seats", "cast_votes", ...}`:
  its options name the candidates (papers give their ids) and it states the tie order; a
  resolution's threshold, quorum and roll come with it.

The app's BLT export lists candidates in its published tie order, so recounting either
download reproduces the published result, ties included. Every departure from these shapes
is a `FileError` (or a `BltError`, `InvalidPaper`), never a crash: the files come from anyone.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from coopvote.tally.blt import BallotIds, read_blt
from coopvote.tally.counting import RANKED_METHODS, count, count_ranked
from coopvote.tally.papers import paper_entries
from coopvote.tally.types import InvalidPaper, Result

NOT_A_FILE_WE_READ = (
    "expected a BLT file, the /cast-votes JSON (a list of {receipt, paper} objects) or a "
    "recount file (an object with options, tie_order and cast_votes)"
)


class FileError(ValueError):
    """A /cast-votes or recount file that does not have the expected shape."""


def count_file(
    text: str, method: str, *, seats: int | None = None, ballot_ids: BallotIds | None = None
) -> tuple[Result, str]:
    """Count the papers in a file's text by `method`; returns the result and the file's title
    ("" if it has none).

    `seats` overrides the file's number of seats (default: the file's, or 1); `ballot_ids`
    says how to read a BLT file's ballot ids. Raises `ValueError` (`BltError`, `InvalidPaper`,
    `FileError`) saying what is wrong with the file.
    """
    start = text.lstrip()[:1]
    if start == "{":
        return _count_recount_file(_json(text), method, seats), ""
    if start == "[":
        return _count_cast_votes(_json(text), method, seats or 1), ""
    if method == "resolution":
        raise FileError("a BLT file holds ranked papers, not a resolution's")
    election = read_blt(text, ballot_ids=ballot_ids)
    seats = seats or election.seats
    _check_seats(seats, len(election.candidates))
    result = count_ranked(
        method,
        election.candidates,
        election.ballots,
        seats=seats,
        tie_order=election.candidates,
        withdrawn=election.withdrawn,
    )
    return result, election.title


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FileError(f"line {error.lineno}: this is not valid JSON ({error.msg})") from None
    except RecursionError:
        raise FileError("the JSON is nested too deeply to be a file of papers") from None


def _check_seats(seats: int, candidates: int) -> None:
    if seats > candidates:
        raise FileError(f"{seats} seats, but only {candidates} candidates")


def _papers(items: object) -> list[object]:
    """The papers of a /cast-votes list (each `{"receipt", "paper"}`, or a bare paper)."""
    if not isinstance(items, list):
        raise FileError(NOT_A_FILE_WE_READ)
    return [item.get("paper") if isinstance(item, dict) else item for item in items]


def _count_cast_votes(data: object, method: str, seats: int) -> Result:
    papers = _papers(data)
    if method == "resolution":
        return count(method, [], papers)
    key = "ranking" if method in RANKED_METHODS else "choices"
    candidates: dict[str, None] = {}  # in order of first appearance
    for paper in papers:
        candidates.update(dict.fromkeys(paper_entries(paper, key)))
    if not candidates:
        raise FileError(
            "there is nothing to count: no paper in the file marks a candidate, so no "
            "candidate is known (the recount file lists them)"
        )
    _check_seats(seats, len(candidates))
    return count(method, list(candidates), papers, seats=seats, tie_order=list(candidates))


def _count_recount_file(data: object, method: str, seats: int | None) -> Result:
    if not isinstance(data, dict) or not {"options", "tie_order", "cast_votes"} <= data.keys():
        raise FileError(NOT_A_FILE_WE_READ)
    labels = _labels(data["options"])
    papers = _papers(data["cast_votes"])
    tie_order = _field(data, "tie_order", list, "a list of the options' labels")
    if seats is None:
        seats = _field(data, "seats", int, "a whole number", required=False) or 1
    threshold = _field(data, "threshold", str, "a string", required=False)
    quorum = _field(data, "quorum", str, 'a decimal string such as "0.25"', required=False)
    electorate = _field(data, "electorate", int, "a whole number", required=False)
    if method != "resolution":
        _check_seats(seats, len(labels))
        key = "ranking" if method in RANKED_METHODS else "choices"
        try:
            papers = [{key: [labels[i] for i in paper_entries(p, key)]} for p in papers]
        except KeyError as error:
            raise InvalidPaper(f"a paper names an option the file does not list: {error}") from None
    try:
        share = Fraction(quorum or 0)
    except ValueError:
        raise FileError(
            f"the recount file's quorum is not a number: {reprlib.repr(quorum)}"
        ) from None
    return count(
        method,
        list(labels.values()),
        papers,
        seats=seats,
        tie_order=tie_order,
        threshold=threshold,
        quorum=share,
        electorate=electorate,
    )


def _labels(options: object) -> dict[str, str]:
    """The recount file's options, `[{"id", "label"}, ...]`, as labels by id (a string)."""
    shape = 'the recount file\'s options are a list of {"id": …, "label": "…"} objects'
    if not isinstance(options, list):
        raise FileError(shape)
    labels: dict[str, str] = {}
    for option in options:
        if not isinstance(option, dict):
            raise FileError(f"{shape}, not {reprlib.repr(option)}")
        option_id = _field(option, "id", (str, int), "a string or a whole number", what=shape)
        labels[str(option_id)] = _field(option, "label", str, "a string", what=shape)
    if len(labels) != len(options):
        raise FileError("the recount file's options must have different ids")
    return labels


def _field(
    data: Mapping[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    description: str,
    *,
    required: bool = True,
    what: str = "the recount file",
) -> Any:
    """`data[key]`, checked to be of `kind` (a bool is never a number); None if it may be
    missing or null and is."""
    value = data.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, kind):
        raise FileError(f"{what}: {key!r} must be {description}, not {reprlib.repr(value)}")
    return value
