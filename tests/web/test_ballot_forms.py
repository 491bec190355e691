"""The ballot forms read every field, and report every unreadable one at once."""

from zoneinfo import ZoneInfo

import pytest

from coopvote.ballots.models import Method, Threshold
from coopvote.errors import InvalidInput
from coopvote.web.ballot_forms import BallotForm

LONDON = ZoneInfo("Europe/London")


def test_every_unreadable_field_is_reported_at_once() -> None:
    form = BallotForm(
        {"title": "Budget", "method": "dice", "seats": "two", "quorum": "half", "closes_at": "x"}
    )
    with pytest.raises(InvalidInput) as refused:
        form.definition(LONDON)
    assert set(refused.value.field_errors) == {"method", "seats", "quorum", "closes_at"}


def test_each_field_of_a_typed_definition_is_read() -> None:
    typed = BallotForm(
        {
            "title": "Budget",
            "method": "resolution",
            "threshold": "three_quarters",
            "quorum": "12.5",
            "closes_at": "2030-03-01T12:00",
            "constituencies": ["staff", "parents-carers"],
        }
    ).definition(LONDON)
    assert typed.method is Method.RESOLUTION
    assert typed.threshold is Threshold.THREE_QUARTERS
    assert typed.quorum_bp == 1250
    assert typed.closes_at is not None
    assert typed.closes_at.tzinfo == LONDON
    assert list(typed.eligible_constituencies) == ["staff", "parents-carers"]
