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
    """A date and time typed in the co-operative's zone; ``InvalidInput`` naming the field when
    it is not one, or when it lies so near year 1 or 9999 that UTC cannot hold it."""
    raw = text(form, name).strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw).replace(tzinfo=zone)
        moment.astimezone(UTC)  # 9999-12-31 23:30 in a zone behind UTC overflows here
    except (ValueError, OverflowError):
        raise InvalidInput(
            "Enter a date and time.", field_errors={name: "Enter a date and time."}
        ) from None
    return moment


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
