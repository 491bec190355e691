"""Domain errors. Services raise them; the web layer maps them to HTTP in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


class DomainError(Exception):
    """A request that the rules refuse. ``status_code`` is the HTTP status it maps to."""

    status_code = 400

    def __init__(self, detail: str, *, field_errors: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field_errors = dict(field_errors or {})


class InvalidInput(DomainError):
    """Input that names something wrong; ``field_errors`` marks which fields."""

    status_code = 422


class NotAllowed(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """The action does not fit the current state (e.g. admitting a member twice)."""

    status_code = 409


@dataclass(frozen=True)
class Verdict:
    """Whether something may happen: true when it may; otherwise ``refusal`` says why, as the
    error a service raises (403 for who is asking, 409 for the state the thing is in).

    Rules answer ``can_*`` questions with a verdict, so that pages can decide what to offer;
    their ``ensure_*`` twins raise the refusal, so that services cannot forget to check."""

    refusal: DomainError | None = None

    def __bool__(self) -> bool:
        return self.refusal is None

    def ensure(self) -> None:
        if self.refusal is not None:
            raise self.refusal


YES = Verdict()
