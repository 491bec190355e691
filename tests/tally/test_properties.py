"""Properties every count must have, checked on random elections (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from coopvote.tally import Ballot, count_ranked, group_rankings
from coopvote.tally.plurality import count_approval, count_plurality

from .strategies import Election, elections

TRANSFER_METHODS = ("stv", "meek")


@given(elections(), st.sampled_from(("irv", "stv", "meek")))
def test_totals_conserved_in_every_round(election: Election, method: str) -> None:
    seats = 1 if method == "irv" else election.seats
    result = count_ranked(
        method, election.candidates, election.ballots, seats=seats, tie_order=election.tie_order
    )
    for round_ in result.rounds:
        total = sum(round_.votes.values()) + round_.exhausted + round_.lost_to_rounding
        assert total == result.valid_papers, round_


@given(elections(), st.sampled_from(("irv", "stv", "meek", "schulze")), st.randoms())
def test_result_does_not_depend_on_the_order_of_papers(
    election: Election, method: str, shuffler: random.Random
) -> None:
    seats = 1 if method == "irv" else election.seats
    papers = election.papers
    shuffler.shuffle(papers)
    shuffled = [Ballot(paper) for paper in papers]
    as_given = count_ranked(
        method, election.candidates, election.ballots, seats=seats, tie_order=election.tie_order
    )
    reordered = count_ranked(
        method, election.candidates, shuffled, seats=seats, tie_order=election.tie_order
    )
    assert reordered.to_json() == as_given.to_json()


@given(elections())
def test_majority_winner_wins_irv(election: Election) -> None:
    first = [paper[0] for paper in election.papers if paper]
    leader = max(election.candidates, key=first.count)
    result = count_ranked(
        "irv", election.candidates, election.ballots, seats=1, tie_order=election.tie_order
    )
    if 2 * first.count(leader) > len(first):
        assert result.elected == (leader,)


def _prefers(paper: tuple[str, ...], x: str, y: str) -> bool:
    """Whether a paper ranks x above y (a ranked candidate is above every unranked one)."""
    return x in paper and (y not in paper or paper.index(x) < paper.index(y))


@given(elections())
def test_condorcet_winner_wins_schulze(election: Election) -> None:
    papers = election.papers
    if not any(papers):
        return  # no valid paper: nothing to count, nobody wins (test_methods covers it)
    for winner in election.candidates:
        others = [c for c in election.candidates if c != winner]
        beats_all = all(
            sum(_prefers(p, winner, y) for p in papers)
            > sum(_prefers(p, y, winner) for p in papers)
            for y in others
        )
        if beats_all:
            result = count_ranked(
                "schulze",
                election.candidates,
                election.ballots,
                seats=election.seats,
                tie_order=election.tie_order,
            )
            assert result.elected[0] == winner


@given(elections())
def test_single_seat_scottish_stv_agrees_with_irv(election: Election) -> None:
    """With one seat, the Scottish rules exclude the lowest until the leader has more than
    half the valid papers or stands alone; IRV stops as soon as the leader has more than half
    of the papers still counting, whom no further exclusion can overtake."""
    irv = count_ranked(
        "irv", election.candidates, election.ballots, seats=1, tie_order=election.tie_order
    )
    stv = count_ranked(
        "stv", election.candidates, election.ballots, seats=1, tie_order=election.tie_order
    )
    assert stv.elected == irv.elected


@settings(max_examples=200)
@given(elections(), st.sampled_from(("irv", "stv", "meek", "schulze", "plurality", "approval")))
def test_every_method_fills_the_seats_it_can(election: Election, method: str) -> None:
    """Empty papers, one candidate, all tied, more seats than candidates, withdrawals: no
    crash, and every seat that can be filled is filled, by distinct standing candidates;
    with no valid paper, there is nothing to count and every seat stays unfilled."""
    seats = 1 if method == "irv" else election.seats
    if method in ("plurality", "approval"):
        counter = count_plurality if method == "plurality" else count_approval
        marks = [paper[:1] if method == "plurality" else paper for paper in election.papers]
        result = counter(election.candidates, marks, seats=seats, tie_order=election.tie_order)
        standing = set(election.candidates)
    else:
        result = count_ranked(
            method,
            election.candidates,
            election.ballots,
            seats=seats,
            tie_order=election.tie_order,
            withdrawn=election.withdrawn,
        )
        standing = set(election.candidates) - set(election.withdrawn)
    fillable = min(seats, len(standing)) if result.valid_papers else 0
    assert len(set(result.elected)) == len(result.elected) == fillable
    assert set(result.elected) <= standing
    assert result.valid_papers + result.blank_papers == len(election.papers)


@given(st.lists(st.lists(st.sampled_from("ABC"), max_size=3, unique=True).map(tuple)))
def test_grouping_keeps_every_paper(papers: list[tuple[str, ...]]) -> None:
    ballots = group_rankings(papers)
    assert sum(ballot.count for ballot in ballots) == len(papers)
    assert len({ballot.ranking for ballot in ballots}) == len(ballots)
