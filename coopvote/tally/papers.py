"""Papers in, grouped and checked: identical papers are counted once, with their number.

The web application stores papers in the shape of the API: `{"ranking": [...]}`,
`{"choices": [...]}` or `{"choice": "for"}`. These helpers turn them into `Ballot`s (groups
of identical ranked papers) and into the index-based form the counting modules work on.
"""

from __future__ import annotations

import itertools
import operator
import reprlib
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from coopvote.tally.cyclegc import cycle_collector_paused
from coopvote.tally.ties import TieResolver
from coopvote.tally.types import Ballot, InvalidPaper, NumberedBallots, Result, nothing_to_count


@cycle_collector_paused
def group_rankings(rankings: Iterable[Sequence[str]]) -> tuple[Ballot, ...]:
    """Group identical rankings into ballots, in order of first appearance."""
    counts = Counter(map(tuple, rankings))
    return tuple(itertools.starmap(Ballot, counts.items()))


def paper_entries(paper: object, key: str) -> list[str]:
    """The list under `key` of one API-shaped paper, as candidate identifiers (strings)."""
    # reprlib: a paper from a hostile file may be huge or deeply nested; quote only its start.
    if not isinstance(paper, Mapping) or not isinstance(paper.get(key), list):
        raise InvalidPaper(
            f"a paper must be an object with a list under {key!r}: {reprlib.repr(paper)}"
        )
    entries: list[object] = paper[key]
    for entry in entries:
        if isinstance(entry, bool) or not isinstance(entry, str | int):
            raise InvalidPaper(
                f"a paper names options by string or integer id: {reprlib.repr(paper)}"
            )
    return [str(entry) for entry in entries]


@cycle_collector_paused
def ballots_from_papers(papers: Iterable[object]) -> tuple[Ballot, ...]:
    """Group API-shaped ranked papers (`{"ranking": [option_id, ...]}`) into ballots, ids as
    strings, in order of first appearance; raises `InvalidPaper` for a paper of another shape.

    A large ballot repeats a few hundred thousand rankings a million times over, so when
    every paper is a plain dict holding a list, identical rankings are grouped first (each
    step one pass at C speed) and each distinct ranking is checked once. Anything else is
    checked paper by paper (`paper_entries`), which names the paper at fault.
    """
    papers = list(papers)
    distinct = distinct_rankings(papers)
    if distinct is None:
        return group_rankings(tuple(paper_entries(paper, "ranking")) for paper in papers)
    # Ids are compared as strings: 1 and "1" are the same option.
    return _added_up((tuple(map(str, ranking)), number) for ranking, number in distinct.items())


def distinct_rankings(papers: Sequence[object]) -> Counter[tuple[str | int, ...]] | None:
    """How many papers give each distinct ranking (ids as given, strings or integers), if
    every paper is a dict whose "ranking" is a list of strings and integers (not bools); None
    if some paper is not (`ballots_from_papers` then says which)."""
    rankings = _plain_rankings(papers)
    if rankings is None:
        return None
    try:
        distinct = Counter(map(tuple, rankings))
    except TypeError:  # an entry that cannot be hashed (a list, say): not an id
        return None
    if not _ids_only(distinct):
        return None
    return cast(Counter[tuple[str | int, ...]], distinct)


def numbered_rankings(
    papers: Sequence[tuple[object, int]],
) -> dict[tuple[str | int, ...], int] | None:
    """The same as `distinct_rankings` for papers already grouped, as (paper, number of
    papers) pairs — say, each distinct stored paper with how many times it was stored: each
    paper's ranking with its number, numbers added up where two papers give one ranking.
    None if some paper is not plain (a dict whose "ranking" is a list of string and integer
    ids); the numbers are not checked here (`NumberedBallots` checks them)."""
    lists = _plain_rankings(list(map(operator.itemgetter(0), papers)))
    if lists is None:
        return None
    rankings = list(map(tuple, lists))
    numbers = list(map(operator.itemgetter(1), papers))
    try:
        totals = dict(zip(rankings, numbers, strict=True))
    except TypeError:  # an entry that cannot be hashed (a list, say): not an id
        return None
    if not _ids_only(totals):
        return None
    if len(totals) < len(rankings):  # two papers give one ranking (their texts differ)
        totals = dict.fromkeys(rankings, 0)
        for ranking, number in zip(rankings, numbers, strict=True):
            totals[ranking] += number
    return cast(dict[tuple[str | int, ...], int], totals)


def _plain_rankings(papers: Sequence[object]) -> list[list[object]] | None:
    """Each paper's ranking, if every paper is a dict whose "ranking" is a list;
    else None. Each check is one pass at C speed; the entries are not looked at."""
    if set(map(type, papers)) - {dict}:
        return None
    try:
        rankings = list(
            map(operator.itemgetter("ranking"), cast(Sequence[dict[str, object]], papers))
        )
    except KeyError:
        return None
    if set(map(type, rankings)) - {list}:
        return None
    return cast(list[list[object]], rankings)


def _ids_only(rankings: Iterable[tuple[object, ...]]) -> bool:
    """Whether every entry of the rankings is a string or an integer (not a bool)."""
    return not set(map(type, itertools.chain.from_iterable(rankings))) - {str, int}


def _added_up(groups: Iterable[tuple[tuple[str, ...], int]]) -> tuple[Ballot, ...]:
    """Ballots from (ranking, number of papers) pairs, a ranking given twice added up, in
    order of first appearance."""
    counts: dict[tuple[str, ...], int] = {}
    for ranking, number in groups:
        counts[ranking] = counts.get(ranking, 0) + number
    return tuple(itertools.starmap(Ballot, counts.items()))


@dataclass(frozen=True, slots=True)
class RankedProfile:
    """Checked ranked papers, with candidates as indices into `candidates`.

    `ballots` pairs each ranking (withdrawn candidates removed) with its number of papers;
    identical papers are grouped, and a ranking that came twice from `NumberedBallots` counts
    twice. A withdrawn candidate is treated as never having stood, as Droop and OpenSTV
    treat them: a paper that marks nobody else is a blank paper. Blank papers (no mark for a
    candidate standing) are not valid papers and are only counted in `blank_papers`.
    """

    candidates: tuple[str, ...]
    standing: tuple[int, ...]
    ballots: tuple[tuple[tuple[int, ...], int], ...]
    valid_papers: int
    blank_papers: int
    ties: TieResolver

    def nothing_to_count(self, method: str, seats: int) -> Result:
        """The result when there is no valid paper (see `types.nothing_to_count`)."""
        return nothing_to_count(
            method,
            seats=seats,
            candidates=self.candidates,
            standing=[self.candidates[c] for c in self.standing],
            tie_order=self.ties.order,
            blank_papers=self.blank_papers,
        )


def check_candidates(candidates: Sequence[str], seats: int) -> tuple[str, ...]:
    names = tuple(candidates)
    if not names:
        raise ValueError("a count needs at least one candidate")
    if len(set(names)) != len(names):
        raise ValueError("candidate names must be unique")
    if not all(name.strip() for name in names):
        raise ValueError("a candidate's name cannot be empty")
    if seats < 1:
        raise ValueError("a count needs at least one seat")
    return names


def prepare_ranked(
    candidates: Sequence[str],
    ballots: Iterable[Ballot],
    *,
    seats: int,
    tie_order: Sequence[str],
    withdrawn: Collection[str] = (),
) -> RankedProfile:
    """Check ranked ballots against the candidates and group them by index.

    Ballots that already give candidates by number (`NumberedBallots`, as read from a BLT
    file) for these very candidates were checked when they were made, and are taken as
    they are.
    """
    names = check_candidates(candidates, seats)
    index = {name: position for position, name in enumerate(names)}
    unknown_withdrawn = set(withdrawn) - index.keys()
    if unknown_withdrawn:
        raise ValueError(f"withdrawn candidates not standing: {sorted(unknown_withdrawn)}")
    is_withdrawn = [name in withdrawn for name in names]
    if not (isinstance(ballots, NumberedBallots) and ballots.candidates == names):
        grouped, valid_papers, blank = _grouped(_numbered(index, ballots), is_withdrawn)
    elif withdrawn:
        grouped, valid_papers, blank = _grouped(ballots.groups, is_withdrawn)
    else:
        # Checked and grouped when they were made: only blank papers (an empty ranking) are
        # set aside.
        grouped = tuple(filter(operator.itemgetter(0), ballots.groups))
        valid_papers = sum(map(operator.itemgetter(1), grouped))
        blank = sum(map(operator.itemgetter(1), ballots.groups)) - valid_papers
    return RankedProfile(
        candidates=names,
        standing=tuple(c for c in range(len(names)) if not is_withdrawn[c]),
        ballots=grouped,
        valid_papers=valid_papers,
        blank_papers=blank,
        ties=TieResolver.for_order(names, tie_order),
    )


def _grouped(
    numbered: Iterable[tuple[tuple[int, ...], int]], is_withdrawn: Sequence[bool]
) -> tuple[tuple[tuple[tuple[int, ...], int], ...], int, int]:
    """Papers grouped by ranking, withdrawn candidates struck out; with the number of valid
    papers and the number of blank ones."""
    rankings: list[tuple[int, ...]] = []
    numbers: list[int] = []
    blank = 0
    strike_out = any(is_withdrawn)
    for ranking, number in numbered:
        if strike_out:
            ranking = tuple(c for c in ranking if not is_withdrawn[c])
        if not ranking:
            blank += number
            continue
        rankings.append(ranking)
        numbers.append(number)
    grouped = dict(zip(rankings, numbers, strict=True))
    if len(grouped) < len(rankings):  # the same ranking came in more than one ballot
        grouped = dict.fromkeys(rankings, 0)
        for ranking, number in zip(rankings, numbers, strict=True):
            grouped[ranking] += number
    return tuple(grouped.items()), sum(numbers), blank


def _numbered(
    index: Mapping[str, int], ballots: Iterable[Ballot]
) -> Iterator[tuple[tuple[int, ...], int]]:
    """Each ballot checked, as (its ranking by candidate index, its number of papers)."""
    to_index = index.__getitem__
    for ballot in ballots:
        number = ballot.count
        if type(number) is not int or number < 1:  # (a bool is not a number of papers)
            if type(number) is not int:
                raise InvalidPaper(f"the number of papers must be a whole number: {ballot!r}")
            raise InvalidPaper(f"the number of papers must be at least one: {ballot!r}")
        try:
            ranking = tuple(map(to_index, ballot.ranking))
        except KeyError as error:
            raise InvalidPaper(f"a paper ranks an unknown candidate {error}") from None
        if len(set(ranking)) != len(ranking):
            raise InvalidPaper(f"a paper ranks a candidate twice: {list(ballot.ranking)}")
        yield ranking, number
