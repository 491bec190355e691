"""throttle counters and known clients in place of the failures' log

Revision ID: 5e1d0c3a7b21
Revises: a6b757f38edd
Create Date: 2026-11-30 02:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coopvote.db.types

revision: str = "5e1d0c3a7b21"
down_revision: str | None = "a6b757f38edd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Failures counted so far are throttling's working state only: nothing to carry over.
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failure_key_at")
    op.drop_table("sign_in_failure")
    op.create_table(
        "throttle_counter",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle_counter")),
    )
    op.create_table(
        "known_client",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("last_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_known_client")),
    )


def downgrade() -> None:
    op.drop_table("known_client")
    op.drop_table("throttle_counter")
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
    )
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_failure_key_at", ["key", "at"], unique=False)
