"""Domain errors. Services raise them; the web layer maps them to HTTP in one place."""

from __future__ import annotations

from collections.abc import Mapping


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
