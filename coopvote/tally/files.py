"""The files `coopvote tally` counts, read from their text: BLT, /cast-votes JSON, /recount JSON.

The /cast-votes JSON is `[{"receipt", "paper"}, ...]`; the recount file served by /recount is
`{"options", "tie_order", "seats", "cast_votes", ...}`. Where lots must be drawn, the
candidates' order in a BLT file is the tie order (the convention of Droop and OpenSTV); in
/cast-votes JSON, that is the order in which the candidates first appear; the recount file
states it. The app's BLT export lists candidates in its published tie order, so recounting
either download reproduces the published result, ties included.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from coopvote.tally.blt import read_blt
from coopvote.tally.counting import RANKED_METHODS, count, count_ranked
from coopvote.tally.papers import paper_entries
from coopvote.tally.types import InvalidPaper, Result


def count_file(text: str, method: str, seats: int | None) -> tuple[Result, str | None]:
    if text.lstrip().startswith("{"):
        return _count_recount_file(json.loads(text), method, seats), None
    if text.lstrip().startswith("["):
        return _count_cast_votes(json.loads(text), method, seats or 1), None
    if method == "resolution":
        raise ValueError("a BLT file holds ranked papers, not a resolution's")
    election = read_blt(text)
    result = count_ranked(
        method,
        election.candidates,
        election.ballots,
        seats=seats or election.seats,
        tie_order=election.candidates,
        withdrawn=election.withdrawn,
    )
    return result, election.title


def _count_cast_votes(data: Any, method: str, seats: int) -> Result:
    if not isinstance(data, list):
        raise ValueError("the /cast-votes JSON is a list of {receipt, paper} objects")
    papers = [item.get("paper") if isinstance(item, dict) else item for item in data]
    if method == "resolution":
        return count(method, [], papers)
    key = "ranking" if method in RANKED_METHODS else "choices"
    candidates: dict[str, None] = {}  # in order of first appearance
    for paper in papers:
        candidates.update(dict.fromkeys(paper_entries(paper, key)))
    if not candidates:
        raise ValueError("the file holds no marked paper, so no candidate is known")
    return count(method, list(candidates), papers, seats=seats, tie_order=list(candidates))


def _count_recount_file(data: Any, method: str, seats: int | None) -> Result:
    """The app's recount file: its options name the candidates (papers give their ids), and
    it states the tie order; a resolution's threshold, quorum and roll come with it."""
    options, cast_votes = data.get("options"), data.get("cast_votes")
    tie_order = data.get("tie_order")
    if not all(isinstance(part, list) for part in (options, tie_order, cast_votes)):
        raise ValueError(
            "expected the /cast-votes JSON (a list of {receipt, paper} objects) or a recount "
            "file (with options, tie_order and cast_votes)"
        )
    labels = {str(option["id"]): option["label"] for option in options}
    papers = [item.get("paper") if isinstance(item, dict) else item for item in cast_votes]
    if method != "resolution":
        key = "ranking" if method in RANKED_METHODS else "choices"
        try:
            papers = [{key: [labels[i] for i in paper_entries(p, key)]} for p in papers]
        except KeyError as error:
            raise InvalidPaper(f"a paper names an option the file does not list: {error}") from None
    return count(
        method,
        list(labels.values()),
        papers,
        seats=seats or data.get("seats") or 1,
        tie_order=tie_order,
        threshold=data.get("threshold"),
        quorum=Fraction(data.get("quorum") or 0),
        electorate=data.get("electorate"),
    )
