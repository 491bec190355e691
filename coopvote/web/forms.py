"""Reading HTML forms: every page form arrives URL-encoded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from litestar.params import URLEncodedBody

from coopvote.errors import InvalidInput

#: The type of a form body parameter: ``data: FormData``.
FormData = URLEncodedBody[dict[str, Any]]
T = TypeVar("T")


def text(form: dict[str, Any], name: str) -> str:
    """One text field; a field sent twice counts as its last value."""
    value = form.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value)


def checked(form: dict[str, Any], name: str) -> bool:
    return text(form, name) in {"on", "true", "1", "yes"}


def without_secrets(form: Mapping[str, Any]) -> dict[str, Any]:
    """What may be typed back into a re-shown form (lists stay lists): never a password."""
    return {
        name: value
        for name, value in form.items()
        if "password" not in name and name != "_csrf_token"
    }


def listed(form: dict[str, Any], name: str) -> list[str]:
    """Every value of a field that may be sent many times (checkboxes, a multiple select)."""
    value = form.get(name, [])
    return [str(v) for v in (value if isinstance(value, list) else [value]) if str(v)]


#: The largest whole number a form or a query may give: it fits every engine's INTEGER.
MAX_WHOLE_NUMBER = 2**31 - 1


def number_text(form: dict[str, Any], name: str) -> str:
    """A field that must hold a number, as typed; ``InvalidInput`` naming the field when it
    holds digits outside ASCII (``str.isdigit`` takes '²', which ``int()`` refuses)."""
    raw = text(form, name).strip()
    if not raw.isascii():
        raise InvalidInput("Enter a whole number.", field_errors={name: "Enter a whole number."})
    return raw


def whole_number(form: dict[str, Any], name: str, default: int | None) -> int | None:
    """A whole number from 0 to ``MAX_WHOLE_NUMBER``, or ``default`` when left blank."""
    raw = number_text(form, name)
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_WHOLE_NUMBER:
        raise InvalidInput("Enter a whole number.", field_errors={name: "Enter a whole number."})
    return int(raw)


def local_time(form: dict[str, Any], name: str, zone: ZoneInfo) -> datetime | None:
    """A date and time typed in the co-operative's ``zone``, or with an offset of its own,
    which is honoured (``2026-03-01T09:00+01:00``). ``InvalidInput`` naming the field, with the
    expected form, when it is not a date and time, when it lies so near year 1 or 9999 that
    UTC cannot hold it, or when the zone's clocks skip it (a gap) or pass it twice (an overlap)
    as daylight saving time begins or ends."""
    raw = text(form, name).strip()
    if not raw:
        return None
    try:
        typed = datetime.fromisoformat(raw)
        moment = typed if typed.tzinfo is not None else typed.replace(tzinfo=zone)
        moment.astimezone(UTC)  # 9999-12-31 23:30 in a zone behind UTC overflows here
    except (ValueError, OverflowError):
        problem = "Enter a date and time, such as 2026-03-01 09:00."
        raise InvalidInput(problem, field_errors={name: problem}) from None
    if typed.tzinfo is None:
        _ensure_on_the_clock(moment, name)
    return moment


def _ensure_on_the_clock(moment: datetime, name: str) -> None:
    """Refuse a local time that the zone's clocks skip or show twice (PEP 495: the two folds
    of a time in an overlap have different offsets; a time in a gap does not survive the
    round trip through UTC)."""
    there_and_back = moment.astimezone(UTC).astimezone(moment.tzinfo)
    if there_and_back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        problem = (
            f"{moment:%H:%M} does not exist on {moment:%-d %B %Y}: the clocks go forward then."
            " Choose another time."
        )
        raise InvalidInput(problem, field_errors={name: problem})
    if moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset():
        problem = (
            f"{moment:%H:%M} happens twice on {moment:%-d %B %Y}: the clocks go back then."
            " Choose another time."
        )
        raise InvalidInput(problem, field_errors={name: problem})


class FieldProblems:
    """Collects every field's problem while a form is read, so that all are reported at once
    rather than the first only."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def read(self, parse: Callable[[], T], fallback: T) -> T:
        """``parse()``, or ``fallback`` with the problem noted when it refuses the input."""
        try:
            return parse()
        except InvalidInput as problem:
            self.errors.update(problem.field_errors or {"form": problem.detail})
            return fallback

    def ensure_none(self) -> None:
        if self.errors:
            raise InvalidInput("Please correct the marked fields.", field_errors=self.errors)
