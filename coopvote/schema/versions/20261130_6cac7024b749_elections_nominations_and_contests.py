"""elections: contests, nominations and seconders; a ballot may shuffle its options on each paper

Revision ID: 6cac7024b749
Revises: 8d2f6a41c7e3
Create Date: 2026-11-30 03:51:49.653557
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coopvote.db.types

revision: str = "6cac7024b749"
down_revision: str | None = "8d2f6a41c7e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "election",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=20000), nullable=False),
        sa.Column(
            "nominations_open_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "nominations_close_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("voting_opens_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("voting_closes_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seconders", sa.Integer(), nullable=False),
        sa.Column("confirmatory_vote", sa.Boolean(), nullable=False),
        sa.Column(
            "candidate_order",
            sa.Enum("surname", "random", name="candidateorder", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column(
            "nominations_closed_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["member.id"], name=op.f("fk_election_created_by_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_election")),
        sa.UniqueConstraint("public_id", name=op.f("uq_election_public_id")),
    )
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_election_nominations_closed_at"), ["nominations_closed_at"], unique=False
        )

    op.create_table(
        "contest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "resolution",
                "plurality",
                "approval",
                "irv",
                "stv",
                "meek",
                "schulze",
                name="method",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("eligible_constituencies", sa.JSON(), nullable=False),
        sa.Column("eligible_organisations", sa.JSON(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "unopposed",
                "vacant",
                "balloted",
                "confirmatory",
                name="outcome",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("ballot_id", sa.Integer(), nullable=True),
        sa.Column("declaration", sa.Text(), nullable=True),
        sa.Column("declaration_sha256", sa.String(length=64), nullable=True),
        sa.Column("declared_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_contest_ballot_id_ballot")
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_contest_election_id_election")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contest")),
        sa.UniqueConstraint("ballot_id", name=op.f("uq_contest_ballot_id")),
        sa.UniqueConstraint("election_id", "position", name=op.f("uq_contest_election_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_contest_public_id")),
    )
    with op.batch_alter_table("contest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contest_election_id"), ["election_id"], unique=False)

    op.create_table(
        "nomination",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("nominator_id", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_consent",
                "submitted",
                "approved",
                "rejected",
                "withdrawn",
                name="nominationstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("consented_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("withdrawn_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contest.id"], name=op.f("fk_nomination_contest_id_contest")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["member.id"], name=op.f("fk_nomination_decided_by_member")
        ),
        sa.ForeignKeyConstraint(
            ["nominator_id"], ["member.id"], name=op.f("fk_nomination_nominator_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["nominee_id"], ["member.id"], name=op.f("fk_nomination_nominee_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination")),
        sa.UniqueConstraint("contest_id", "nominee_id", name=op.f("uq_nomination_contest_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_nomination_public_id")),
    )
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nomination_contest_id"), ["contest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nomination_nominee_id"), ["nominee_id"], unique=False)

    op.create_table(
        "seconding",
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_seconding_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"], ["nomination.id"], name=op.f("fk_seconding_nomination_id_nomination")
        ),
        sa.PrimaryKeyConstraint("nomination_id", "member_id", name=op.f("pk_seconding")),
    )
    with op.batch_alter_table("seconding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seconding_member_id"), ["member_id"], unique=False)

    # In place, as the sealed box's migration does: a batch rebuild fails on foreign keys with
    # data. Existing ballots keep their fixed order.
    op.add_column(
        "ballot",
        sa.Column("shuffle_options", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("ballot", "shuffle_options")

    with op.batch_alter_table("seconding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seconding_member_id"))

    op.drop_table("seconding")
    with op.batch_alter_table("nomination", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_nominee_id"))
        batch_op.drop_index(batch_op.f("ix_nomination_contest_id"))

    op.drop_table("nomination")
    with op.batch_alter_table("contest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contest_election_id"))

    op.drop_table("contest")
    with op.batch_alter_table("election", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_election_nominations_closed_at"))

    op.drop_table("election")
