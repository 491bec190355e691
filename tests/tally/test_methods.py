"""Worked examples for each method and for the `count` entry point."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopvote.tally import (
    Ballot,
    InvalidPaper,
    Outcome,
    count,
    count_approval,
    count_plurality,
    count_ranked,
    count_resolution,
    count_scottish_stv,
    draw_tie_order,
)
from coopvote.tally.papers import ballots_from_papers, group_rankings, paper_entries


def _choices(in_favour: int, against: int, abstain: int = 0) -> list[str]:
    return ["for"] * in_favour + ["against"] * against + ["abstain"] * abstain


@pytest.mark.parametrize(
    ("threshold", "in_favour", "against", "outcome"),
    [
        ("simple", 5, 4, Outcome.CARRIED),
        ("simple", 4, 4, Outcome.NOT_CARRIED),
        ("two_thirds", 6, 3, Outcome.CARRIED),  # exactly two thirds
        ("two_thirds", 5, 3, Outcome.NOT_CARRIED),
        ("three_quarters", 75, 25, Outcome.CARRIED),  # "not less than three-quarters"
        ("three_quarters", 74, 25, Outcome.NOT_CARRIED),
        ("three_quarters", 0, 0, Outcome.NOT_CARRIED),  # no vote for it: never carried
    ],
)
def test_resolution_thresholds_count_for_and_against_only(
    threshold: str, in_favour: int, against: int, outcome: Outcome
) -> None:
    # Abstentions are shown but are not votes cast: 40 of them change nothing.
    result = count_resolution(_choices(in_favour, against, 40), threshold=threshold)
    assert result.outcome is outcome
    assert result.tallies == {
        "for": Decimal(in_favour),
        "against": Decimal(against),
        "abstain": Decimal(40),
    }


@pytest.mark.parametrize(("papers", "met"), [(25, True), (24, False)])
def test_resolution_is_void_without_quorum_counting_abstentions(papers: int, met: bool) -> None:
    choices = _choices(1, 0, papers - 1)
    result = count_resolution(choices, quorum=Decimal("0.25"), electorate=100)
    assert result.quorum_met is met
    assert result.outcome is (Outcome.CARRIED if met else Outcome.VOID)


def test_resolution_rejects_unknown_choices_and_thresholds() -> None:
    with pytest.raises(InvalidPaper):
        count_resolution(["yes"])
    with pytest.raises(ValueError, match="threshold"):
        count_resolution([], threshold="most")
    with pytest.raises(ValueError, match="electorate"):
        count_resolution([], quorum=Fraction(1, 2))


def test_plurality_elects_the_most_marked_and_draws_lots_at_the_edge() -> None:
    papers = [("A",), ("A",), ("B",), ("C",), ("D",)]
    result = count_plurality("ABCD", papers, seats=2, tie_order="DCBA")
    assert result.elected == ("A", "D")
    (tie,) = result.tie_breaks
    assert (tie.tied, tie.chosen, tie.rule) == (("D", "C", "B"), "D", "lot")


def test_plurality_allows_one_mark_per_seat_and_approval_any() -> None:
    with pytest.raises(InvalidPaper, match="at most 1"):
        count_plurality("AB", [("A", "B")], seats=1, tie_order="AB")
    result = count_approval("ABC", [("A", "B"), ("B", "C"), ("B",)], seats=1, tie_order="ABC")
    assert result.elected == ("B",)
    assert result.tallies["B"] == 3


def test_scottish_stv_transfers_the_surplus_at_truncated_values() -> None:
    """13 papers, 2 seats: quota 13 // 3 + 1 = 5. A's surplus of 2 moves on from 7 papers at
    2/7 = 0.28571 each (truncated), so B gets 1.99997 and 0.00003 is lost; B then trails C
    by those 0.00003 and is excluded."""
    ballots = [Ballot(("A", "B"), 7), Ballot(("B",), 1), Ballot(("C",), 3), Ballot(("D",), 2)]
    result = count_scottish_stv("ABCD", ballots, seats=2, tie_order="ABCD")
    first, second, third = result.rounds[:3]
    assert first.quota == Decimal("5.00000")
    assert [a.kind.value for a in first.actions] == ["elected", "surplus_transferred"]
    assert second.votes == {
        "A": Decimal("5.00000"),
        "B": Decimal("2.99997"),
        "C": Decimal("3.00000"),
        "D": Decimal("2.00000"),
    }
    assert second.lost_to_rounding == Decimal("0.00003")
    assert third.exhausted == Decimal("2.00000")  # D's papers have no next preference
    assert result.elected == ("A", "C")


def test_count_accepts_api_papers_and_integer_ids() -> None:
    papers = [{"ranking": [1, 2]}, {"ranking": [2]}, {"ranking": [2, 1]}]
    result = count("irv", [1, 2], papers, tie_order=["1", "2"])  # type: ignore[list-item]
    assert result.elected == ("2",)
    with pytest.raises(InvalidPaper):
        count("irv", ["1"], [{"choices": ["1"]}], tie_order=["1"])


def test_count_draws_the_tie_order_from_the_seed_and_reports_it_only_if_used() -> None:
    tied = [{"ranking": ["A"]}, {"ranking": ["B"]}]
    first = count("irv", ["A", "B"], tied, seed="published-seed")
    again = count("irv", ["A", "B"], tied, seed="published-seed")
    assert first.to_json() == again.to_json()
    assert first.seed == "published-seed"
    assert first.tie_order == draw_tie_order(["A", "B"], "published-seed")
    clear = count("irv", ["A", "B"], [*tied, {"ranking": ["A"]}], seed="published-seed")
    assert clear.seed is None
    drawn = count("irv", ["A", "B"], tied)
    assert drawn.seed is not None
    assert drawn.tie_order == draw_tie_order(["A", "B"], drawn.seed)


def test_draw_tie_order_is_a_reproducible_permutation() -> None:
    candidates = ["Anna", "Bob", "Cleo", "Dan"]
    order = draw_tie_order(candidates, "2025-agm")
    assert sorted(order) == sorted(candidates)
    assert draw_tie_order(list(reversed(candidates)), "2025-agm") == order
    orders = {draw_tie_order(candidates, f"seed-{n}") for n in range(20)}
    assert len(orders) > 1


def test_resolution_result_serialises_outcome_and_quorum() -> None:
    data = count(
        "resolution", [], [{"choice": "for"}], quorum=Decimal("0.5"), electorate=3
    ).to_json()
    assert (data["outcome"], data["quorum_met"]) == ("void", False)
    assert data["tallies"] == {"for": "1", "against": "0", "abstain": "0"}


def test_count_rejects_unknown_methods_and_conflicting_tie_inputs() -> None:
    with pytest.raises(ValueError, match="unknown method"):
        count("borda", ["A"], [])
    with pytest.raises(ValueError, match="not both"):
        count("irv", ["A"], [], tie_order=["A"], seed="s")


def test_irv_worked_example_in_the_docs() -> None:
    """docs/counting/irv.md."""
    ballots = [
        Ballot(("Ann", "Cat"), 8),
        Ballot(("Bob", "Cat"), 5),
        Ballot(("Cat", "Bob"), 4),
        Ballot(("Dan", "Bob"), 3),
    ]
    names = ["Ann", "Bob", "Cat", "Dan"]
    result = count_ranked("irv", names, ballots, seats=1, tie_order=names)
    assert [dict(r.votes) for r in result.rounds] == [
        {"Ann": 8, "Bob": 5, "Cat": 4, "Dan": 3},
        {"Ann": 8, "Bob": 8, "Cat": 4},
        {"Ann": 8, "Bob": 12},
    ]
    assert result.elected == ("Bob",)


def test_meek_worked_example_in_the_docs() -> None:
    """docs/counting/meek.md."""
    ballots = [
        Ballot(("A", "B"), 6),
        Ballot(("B",), 2),
        Ballot(("C", "B"), 3),
        Ballot(("D", "C"), 2),
    ]
    result = count_ranked("meek", "ABCD", ballots, seats=2, tie_order="ABCD")
    assert result.rounds[0].quota == Decimal("4.333333334")
    assert result.rounds[1].votes == {
        "A": Decimal("4.333333338"),
        "B": Decimal("3.666666662"),
        "C": Decimal("3.000000000"),
        "D": Decimal("2.000000000"),
    }
    assert result.elected == ("A", "C")


def test_schulze_worked_example_in_the_docs() -> None:
    """docs/counting/schulze.md."""
    ballots = [Ballot(("A", "B", "C"), 4), Ballot(("B", "C", "A"), 3), Ballot(("C", "A", "B"), 2)]
    result = count_ranked("schulze", "ABC", ballots, seats=1, tie_order="ABC")
    assert result.pairwise == {"A": {"B": 6, "C": 4}, "B": {"A": 3, "C": 7}, "C": {"A": 5, "B": 2}}
    assert result.strongest_paths == {
        "A": {"B": 6, "C": 6},
        "B": {"A": 5, "C": 7},
        "C": {"A": 5, "B": 5},
    }
    assert result.ranking == ("A", "B", "C")


@pytest.mark.parametrize("method", ["irv", "stv", "meek", "schulze", "plurality", "approval"])
def test_with_no_valid_paper_nothing_is_counted_and_no_lot_fills_a_seat(method: str) -> None:
    """Blank papers only: every candidate has the same (no) vote, yet nobody is elected by
    lot; the seats stay unfilled."""
    seats = 1 if method == "irv" else 2
    result = count(method, ["A", "B", "C"], [{"ranking": [], "choices": []}] * 3, seats=seats)
    assert result.elected == ()
    assert (result.valid_papers, result.blank_papers) == (0, 3)
    assert result.rounds == ()
    assert result.tie_breaks == ()
    assert result.tallies == dict.fromkeys("ABC", Decimal(0))


# The count of a reported difference with Droop and OpenSTV (issue 14): both elect A and B.
WITHDRAWN_ONLY = [Ballot(("A", "B"), 6), Ballot(("B",), 2), Ballot(("C",), 3), Ballot(("W",), 4)]


@pytest.mark.parametrize("method", ["stv", "meek"])
def test_papers_for_withdrawn_candidates_only_are_set_aside_before_the_count(method: str) -> None:
    """A withdrawn candidate is treated as never having stood, as Droop and OpenSTV treat
    them: the 4 papers for W alone mark no candidate standing, so they are blank papers and
    not in the quota, which is ⌊11 / 3⌋ + 1 = 4, not ⌊15 / 3⌋ + 1 = 6."""
    result = count_ranked(method, "ABCW", WITHDRAWN_ONLY, seats=2, tie_order="ABCW", withdrawn="W")
    assert set(result.elected) == {"A", "B"}
    assert (result.valid_papers, result.blank_papers) == (11, 4)
    if method == "stv":
        assert result.rounds[0].quota == Decimal(4)


def test_withdrawn_candidates_only_leave_nothing_to_count() -> None:
    result = count_ranked("stv", "AW", [Ballot(("W",), 5)], seats=1, tie_order="AW", withdrawn="W")
    assert (result.elected, result.valid_papers, result.blank_papers) == ((), 0, 5)


def test_very_large_numbers_of_papers_are_counted_and_written_exactly() -> None:
    """Figures are exact however large: beyond the 28 significant digits of a default decimal
    context, nothing is rounded, so every round still adds up to the valid papers."""
    huge = 10**40 + 1
    ballots = [Ballot(("A", "B"), 3 * huge), Ballot(("B",), huge), Ballot(("C",), 2 * huge)]
    result = count_scottish_stv("ABC", ballots, seats=2, tie_order="ABC")
    valid = 6 * huge
    assert result.valid_papers == valid
    assert result.rounds[0].quota == Decimal(valid // 3 + 1)
    assert format(result.rounds[0].quota, "f") == f"{valid // 3 + 1}.00000"
    for round_ in result.rounds:
        figures = [*round_.votes.values(), round_.exhausted, round_.lost_to_rounding]
        assert sum(map(Fraction, figures)) == valid  # (a Decimal sum would round)


PAPER_IDS = st.one_of(st.integers(1, 4), st.sampled_from(["1", "2", "3", "4"]))


@given(st.lists(st.lists(PAPER_IDS, max_size=4, unique=True).map(lambda ids: {"ranking": ids})))
def test_api_papers_grouped_before_they_are_checked_give_the_ballots_checked_one_by_one(
    papers: list[dict[str, list[int | str]]],
) -> None:
    """`ballots_from_papers` groups plain papers first; ids 1 and "1" are one option."""
    one_by_one = group_rankings(tuple(paper_entries(paper, "ranking")) for paper in papers)
    assert ballots_from_papers(papers) == one_by_one


@pytest.mark.parametrize(
    "paper",
    [{"ranking": [True]}, {"ranking": "AB"}, {"ranking": [["A"]]}, {"choices": ["A"]}, ["A"]],
)
def test_api_papers_of_another_shape_are_refused_however_many_are_plain(paper: object) -> None:
    with pytest.raises(InvalidPaper):
        ballots_from_papers([{"ranking": ["A"]}, paper, {"ranking": ["B"]}])
