"""member mail: the outbox, account tokens, members' choice of notices, ballot reminders

Adds ``mail_outbox`` (messages queued with the event that causes them), ``account_token``
(hashed single-use tokens of mailed links), ``notice_opt_out`` and ``ballot_reminder``; and to
``member``, ``email_confirmed`` (true for every existing account: their addresses were given
before confirmation existed) and ``invited_at``. Only new tables and added columns: no table is
rebuilt.

Revision ID: 92dca0a587b2
Revises: 6cac7024b749
Create Date: 2026-11-30 03:50:35.484408
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import coopvote.db.types

revision: str = "92dca0a587b2"
down_revision: str | None = "6cac7024b749"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_token",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("bound_to", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("created_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_account_token_member_id_member")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_account_token")),
    )
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_token_member_id"), ["member_id"], unique=False)

    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("recipient_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column(
            "notice",
            sa.Enum(
                "confirm_email",
                "already_registered",
                "password_reset",
                "password_changed",
                "invitation",
                "confirm_new_email",
                "email_changing",
                "admitted",
                "rejected",
                "ballot_opened",
                "ballot_reminder",
                "result_published",
                "proposal_threshold",
                "proposal_balloted",
                "proposal_hidden",
                name="notice",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "failed",
                name="messagestate",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", coopvote.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claim", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("sent_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_mail_outbox_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_outbox_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_outbox_sent_at"), ["sent_at"], unique=False)
        batch_op.create_index(
            "ix_mail_outbox_state_due", ["state", "next_attempt_at"], unique=False
        )

    op.create_table(
        "notice_opt_out",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "topic",
            sa.Enum("ballots", "results", "forum", name="topic", native_enum=False, length=20),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_notice_opt_out_member_id_member")
        ),
        sa.PrimaryKeyConstraint("member_id", "topic", name=op.f("pk_notice_opt_out")),
    )
    op.create_table(
        "ballot_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("due_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_ballot_reminder_ballot_id_ballot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_reminder")),
    )
    with op.batch_alter_table("ballot_reminder", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ballot_reminder_ballot_id"), ["ballot_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ballot_reminder_due_at"), ["due_at"], unique=False)

    # Plain ALTER TABLE … ADD COLUMN on both engines: ``member`` is not rebuilt (rows that
    # other tables point at stay where they are, and no pages are freed).
    op.add_column(
        "member",
        sa.Column("email_confirmed", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column(
        "member",
        sa.Column("invited_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    # In place too: rebuilding ``member`` fails on the foreign keys of rows that point at it.
    op.drop_column("member", "invited_at")
    op.drop_column("member", "email_confirmed")

    with op.batch_alter_table("ballot_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ballot_reminder_due_at"))
        batch_op.drop_index(batch_op.f("ix_ballot_reminder_ballot_id"))

    op.drop_table("ballot_reminder")
    op.drop_table("notice_opt_out")
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_outbox_state_due")
        batch_op.drop_index(batch_op.f("ix_mail_outbox_sent_at"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_member_id"))

    op.drop_table("mail_outbox")
    with op.batch_alter_table("account_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_token_member_id"))

    op.drop_table("account_token")
