"""Names and addresses a register must not hold (issue 17): invisible or direction-flipping
names, and addresses longer than mail allows."""

import pytest

from coopvote.members.rules import email_problem, name_problem


@pytest.mark.parametrize(
    "name", ["", "   ", "\u200b\u200b", "\u200d\ufeff \u2060", "Ann\u202eeviL", "\u2066Bob\u2069"]
)
def test_invisible_and_direction_flipping_names_are_refused(name: str) -> None:
    assert name_problem(name) is not None


@pytest.mark.parametrize("name", ["Zoë Ó Briain", "محمد", "李小龍", "Anne-Marie O'Neill"])
def test_names_in_any_script_are_taken(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize(
    "email", ["a" * 65 + "@example.org", "ann@" + "d" * 250 + ".org", "no-at-sign.example.org"]
)
def test_addresses_longer_than_mail_allows_are_refused(email: str) -> None:
    assert email_problem(email) is not None


def test_an_address_at_the_limits_is_taken() -> None:
    assert email_problem("a" * 64 + "@" + "d" * 185 + ".org") is None
