"""The ballot forms read every field, and report every unreadable one at once."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from coopvote.ballots.models import Method, Threshold
from coopvote.errors import InvalidInput
from coopvote.web.ballot_forms import BallotForm
from coopvote.web.forms import local_time

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


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("2027-03-28T01:30", "does not exist on 28 March 2027"),
        ("2027-10-31T01:30", "happens twice on 31 October 2027"),
        ("noon", "Enter a date and time"),
    ],
)
def test_a_local_time_the_zone_skips_or_repeats_is_refused_with_the_reason(
    typed: str, problem: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        local_time({"opens_at": typed}, "opens_at", ZoneInfo("Europe/London"))
    assert problem in raised.value.field_errors["opens_at"]


def test_an_offset_typed_with_the_time_is_honoured() -> None:
    moment = local_time({"t": "2027-06-01T09:00+02:00"}, "t", ZoneInfo("Europe/London"))
    assert moment is not None
    assert moment.astimezone(UTC) == datetime(2027, 6, 1, 7, 0, tzinfo=UTC)
    plain = local_time({"t": "2027-06-01T09:00"}, "t", ZoneInfo("Europe/London"))
    assert plain is not None
    assert plain.astimezone(UTC) == datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
