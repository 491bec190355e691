"""Column types shared by every model."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every engine.

    SQLite has no time zones, so values are stored as naive UTC there and made aware again
    on the way out; PostgreSQL stores ``timestamptz``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC was required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(
    enum: type[StrEnum], *, nullable: bool = False, length: int = 20, **kwargs: Any
) -> Column[Any]:
    """A string column holding a ``StrEnum``'s values, read back as enum members."""
    return Column(
        SAEnum(
            enum,
            native_enum=False,
            length=length,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
            create_constraint=False,
        ),
        nullable=nullable,
        **kwargs,
    )


def new_public_id() -> str:
    """An opaque identifier for URLs and the API (96 random bits): nothing to guess or count."""
    return secrets.token_urlsafe(12)
