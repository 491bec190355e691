"""The pure rules: clear days, thresholds and their denominators, quorum with proxies."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coopvote.meetings.rules import (
    Basis,
    Figures,
    agreed_teller_count,
    clear_days,
    decide,
    quorum_present,
)


def test_clear_days_exclude_the_day_of_notice_and_the_day_of_the_meeting() -> None:
    notice = datetime(2027, 6, 1, 23, 0, tzinfo=UTC)
    assert clear_days(notice, datetime(2027, 6, 16, 9, 0, tzinfo=UTC)) == 14
    assert clear_days(notice, datetime(2027, 6, 15, 23, 59, tzinfo=UTC)) == 13


@pytest.mark.parametrize(
    ("figures", "carried"),
    [(Figures(3, 2, 50), True), (Figures(2, 2, 0), False), (Figures(0, 0, 5), False)],
)
def test_ordinary_more_for_than_against_abstentions_aside(figures: Figures, carried: bool) -> None:
    assert decide(Basis.ORDINARY, figures).carried is carried


@pytest.mark.parametrize(
    ("figures", "carried"),
    [
        (Figures(3, 1, 0), True),  # exactly 75 % of votes cast
        (Figures(3, 1, 100), True),  # abstentions are not votes cast
        (Figures(74, 26, 0), False),
        (Figures(0, 0, 3), False),
    ],
)
def test_special_at_least_three_quarters_of_votes_cast(figures: Figures, carried: bool) -> None:
    assert decide(Basis.SPECIAL, figures).carried is carried


def test_written_resolutions_count_against_every_eligible_member() -> None:
    # 30 for, none against: carried at a meeting, not in writing with 100 eligible.
    assert decide(Basis.SPECIAL, Figures(30, 0, 0)).carried
    assert not decide(Basis.WRITTEN_SPECIAL, Figures(30, 0, 0), eligible=100).carried
    assert decide(Basis.WRITTEN_SPECIAL, Figures(75, 0, 0), eligible=100).carried
    assert not decide(Basis.WRITTEN_ORDINARY, Figures(50, 0, 0), eligible=100).carried
    assert decide(Basis.WRITTEN_ORDINARY, Figures(51, 0, 0), eligible=100).carried


def test_quorum_counts_proxies_of_present_holders_once_per_member() -> None:
    # 1 and 2 attend; 3 appointed 1; 4 appointed the chair; 5 appointed an absent member.
    proxies: dict[int, int | None] = {3: 1, 4: None, 5: 9}
    assert quorum_present({1, 2}, proxies, chair_present=True) == 4
    assert quorum_present({1, 2}, proxies, chair_present=False) == 3
    # A member present in person and by proxy counts once.
    assert quorum_present({1, 3}, {3: 1}, chair_present=False) == 2


def test_tellers_count_once_two_agree() -> None:
    assert agreed_teller_count([Figures(1, 2, 0)]) is None
    assert agreed_teller_count([Figures(1, 2, 0), Figures(1, 3, 0)]) is None
    assert agreed_teller_count([Figures(1, 2, 0), Figures(1, 3, 0), Figures(1, 2, 0)]) == Figures(
        1, 2, 0
    )
