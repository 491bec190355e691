"""Database access. Importing this package fixes the constraint naming convention that
Alembic relies on, before any model is defined."""

from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from coopvote.db.engine import Database, make_engine  # noqa: E402 - after the naming convention

__all__ = ["Database", "make_engine"]
