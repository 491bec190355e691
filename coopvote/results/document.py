"""A result as a document: counted from the papers, written as canonical JSON, hashed.

Pure: no database, no clock. The service gathers the facts (the ballot, its papers, the
audit head) and stores what ``declare`` returns; anyone can repeat ``count_papers`` on the
published papers (grouped) and ``canonical_json`` on the published document.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from coopvote.tally import (
    BltElection,
    InvalidPaper,
    NumberedBallots,
    Result,
    ballots_from_papers,
    count,
    count_ranked,
    draw_tie_order,
    group_rankings,
    write_blt,
)
from coopvote.tally.counting import RANKED_METHODS
from coopvote.tally.papers import numbered_rankings


@dataclass(frozen=True)
class BallotFacts:
    """What a count needs to know about a ballot, fixed when it closed."""

    public_id: str
    title: str
    method: str
    seats: int
    threshold: str | None
    quorum_bp: int
    electorate: int
    #: (option id, label) in the ballot's order; empty for a resolution.
    options: tuple[tuple[int, str], ...]

    @property
    def labels(self) -> list[str]:
        return [label for _, label in self.options]


@dataclass(frozen=True)
class Correction:
    """The declaration a new one corrects, and why."""

    version: int
    results_sha256: str
    reason: str


def canonical_json(data: Mapping[str, Any]) -> str:
    """Keys sorted, no spaces, UTF-8 as is: the same text as ``jq -cjS .`` prints."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def seed_from_board(head: str) -> str:
    """The seed of a ballot's tie order: the first 32 hex digits of its bulletin board's final
    head (``ballots.board``). Fixed when the ballot closes, chosen by nobody (it covers every
    sealed paper, each sealed with fresh randomness), and published with the board; a preview
    and the publication therefore draw the same lots."""
    return head[:32]


def tie_order(facts: BallotFacts, seed: str) -> list[tuple[int, str]]:
    """The options in the order lots fall (first listed, first chosen)."""
    by_label = {label: option_id for option_id, label in facts.options}
    return [(by_label[label], label) for label in draw_tie_order(facts.labels, seed)]


def named_paper(paper: Mapping[str, Any], labels: Mapping[int, str]) -> dict[str, Any]:
    """A stored paper (option ids) with the options' labels in their place."""
    if "ranking" in paper:
        return {"ranking": [labels[i] for i in paper["ranking"]]}
    if "choices" in paper:
        return {"choices": [labels[i] for i in paper["choices"]]}
    return dict(paper)


#: Papers grouped: each distinct paper (as stored: option ids) with its number of papers. A
#: paper may come in more than one pair (two stored texts of one paper); the numbers add up.
Papers = Sequence[tuple[Mapping[str, Any], int]]


def count_papers(facts: BallotFacts, papers: Papers, seed: str) -> Result:
    """Count the papers (grouped, as `Papers`) by the ballot's method, candidates named by
    their labels. Raises `InvalidPaper` for a paper the ballot cannot hold."""
    if facts.method in RANKED_METHODS:
        return count_ranked(
            facts.method,
            facts.labels,
            _numbered_ballots(facts, papers),
            seats=facts.seats,
            tie_order=[label for _, label in tie_order(facts, seed)],
        )
    labels = dict(facts.options)
    return count(
        facts.method,
        facts.labels,
        _one_by_one((named_paper(paper, labels), number) for paper, number in papers),
        seats=facts.seats,
        tie_order=None
        if facts.method == "resolution"
        else [label for _, label in tie_order(facts, seed)],
        threshold=facts.threshold,
        quorum=Fraction(facts.quorum_bp, 10_000),
        electorate=facts.electorate,
    )


def _one_by_one(papers: Iterable[tuple[Mapping[str, Any], int]]) -> Iterator[Mapping[str, Any]]:
    """Grouped papers one by one, a group's paper repeated (the same object) its number of
    times: the form `tally.count` takes for the methods that do not group."""
    return itertools.chain.from_iterable(itertools.starmap(itertools.repeat, papers))


def _numbered_ballots(facts: BallotFacts, papers: Papers) -> NumberedBallots:
    """Ranked papers (option ids, grouped) with each distinct ranking given by the options'
    positions in the ballot: the form a count takes without naming every paper. Raises
    `InvalidPaper` for a paper that is not a ranking of the ballot's options."""
    distinct = numbered_rankings(papers)
    if distinct is None:  # not all plain: checked paper by paper, to say which is at fault
        ballots = ballots_from_papers(_one_by_one(papers))
        distinct = {ballot.ranking: ballot.count for ballot in ballots}
    # An id is compared as a string, as `tally.count` does: 1 and "1" are the same option.
    position: dict[str | int, int] = {}
    for index, (option_id, _) in enumerate(facts.options):
        position[option_id] = position[str(option_id)] = index
    to_positions = functools.partial(map, position.__getitem__)
    try:  # (each step at C speed, over a few hundred thousand rankings)
        groups = tuple(zip(map(tuple, map(to_positions, distinct)), distinct.values(), strict=True))
    except KeyError as error:
        raise InvalidPaper(f"a paper ranks an option the ballot does not have: {error}") from None
    return NumberedBallots(tuple(facts.labels), groups)


def turnout(votes_cast: int, electorate: int) -> str:
    """The share of the roll that voted, as a decimal string to four places."""
    if not electorate:
        return "0.0000"
    share = Decimal(votes_cast) / Decimal(electorate)
    return str(share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))


def declare(
    facts: BallotFacts,
    papers: Papers,
    *,
    seed: str,
    version: int,
    declared_at: str,
    audit_head: str,
    corrects: Correction | None = None,
) -> dict[str, Any]:
    """The result document: the count (as ``tally`` gives it) and the declaration around it.

    ``papers`` are grouped (`Papers`). ``outcome`` is "carried", "not_carried" or "void" for
    a resolution and "elected" or "void" for an election. A void election elects nobody,
    though its count is shown.
    """
    result = count_papers(facts, papers, seed)
    votes_cast = sum(number for _, number in papers)
    if result.quorum_met is not None:
        quorum_met = result.quorum_met
    else:
        quorum_met = votes_cast * 10_000 >= facts.quorum_bp * facts.electorate
    if result.outcome is not None:
        outcome = result.outcome.value
    else:
        outcome = "elected" if quorum_met else "void"
    return {
        **result.to_json(),
        "ballot_id": facts.public_id,
        "title": facts.title,
        "version": version,
        "declared_at": declared_at,
        "audit_head": audit_head,
        "threshold": facts.threshold,
        "quorum": str(Decimal(facts.quorum_bp) / 10_000),
        "electorate": facts.electorate,
        "votes_cast": votes_cast,
        "turnout": turnout(votes_cast, facts.electorate),
        "quorum_met": quorum_met,
        "outcome": outcome,
        "elected": list(result.elected) if quorum_met else [],
        "options": [{"id": i, "label": label} for i, label in facts.options],
        "tie_order_seed": seed,
        "corrects": None
        if corrects is None
        else {"version": corrects.version, "results_sha256": corrects.results_sha256},
        "correction_reason": corrects.reason if corrects else "",
    }


def recount_file(
    facts: BallotFacts, seed: str, cast_votes: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Everything ``coopvote tally`` needs to repeat the published count from the papers:
    the options, the tie order (so lots fall as they did), the seats, and for a resolution
    its threshold, quorum and roll."""
    return {
        "ballot_id": facts.public_id,
        "title": facts.title,
        "method": facts.method,
        "seats": facts.seats,
        "threshold": facts.threshold,
        "quorum": str(Decimal(facts.quorum_bp) / 10_000),
        "electorate": facts.electorate,
        "tie_order_seed": seed,
        "options": [{"id": i, "label": label} for i, label in facts.options],
        "tie_order": [label for _, label in tie_order(facts, seed)],
        "cast_votes": list(cast_votes),
    }


def blt_name(text: str) -> str:
    """BLT quotes names and cannot escape a quote: a label's double quotes become single."""
    return " ".join(text.replace('"', "'").split())


def blt(facts: BallotFacts, seed: str, papers: Iterable[Mapping[str, Any]]) -> str:
    """Ranked papers as a BLT file, candidates listed in the tie order: a tabulator that
    takes lots by the file's order (Droop, OpenSTV, ``coopvote tally``) draws the same."""
    if facts.method not in RANKED_METHODS:
        raise ValueError(f"BLT holds ranked papers; a {facts.method} ballot has none")
    labels = {i: blt_name(label) for i, label in facts.options}
    return write_blt(
        BltElection(
            candidates=tuple(blt_name(label) for _, label in tie_order(facts, seed)),
            seats=facts.seats,
            ballots=group_rankings([labels[i] for i in paper["ranking"]] for paper in papers),
            title=blt_name(facts.title),
        )
    )
