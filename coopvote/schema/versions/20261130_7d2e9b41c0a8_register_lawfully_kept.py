"""the register lawfully kept: audit notes kept apart from the hashed chain (deleted only with
a recorded erasure), erasure and removal dates on members, the retention setting, terms of
membership that lapse per constituency, organisations' representatives, students' age bands
and consent, the privacy notice's versions

Revision ID: 7d2e9b41c0a8
Revises: 3c1f7e2ab9d4
Create Date: 2026-11-30 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d2e9b41c0a8"
down_revision: str | None = "3c1f7e2ab9d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: A note may go only once the erasure of the member it is about is on the chain.
NOT_ERASED = (
    "NOT EXISTS (SELECT 1 FROM audit_event WHERE action = 'member.erased' AND subject = OLD.about)"
)

SQLITE = [
    """CREATE TRIGGER audit_note_no_update BEFORE UPDATE ON audit_note
    BEGIN SELECT RAISE(ABORT, 'audit notes cannot be changed'); END""",
    f"""CREATE TRIGGER audit_note_erased_only BEFORE DELETE ON audit_note
    WHEN {NOT_ERASED}
    BEGIN SELECT RAISE(ABORT, 'an audit note goes only with its member''s recorded erasure');
    END""",
]

POSTGRESQL = [
    f"""CREATE FUNCTION audit_note_erased_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'audit notes cannot be changed'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF {NOT_ERASED} THEN
            RAISE EXCEPTION 'an audit note goes only with its member''s recorded erasure'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER audit_note_erased_only BEFORE UPDATE OR DELETE ON audit_note
    FOR EACH ROW EXECUTE FUNCTION audit_note_erased_only()""",
]


def upgrade() -> None:
    op.create_table(
        "audit_note",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("salt", sa.String(length=32), nullable=False),
        sa.Column("about", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("seq", "name", name=op.f("pk_audit_note")),
    )
    with op.batch_alter_table("audit_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_note_about"), ["about"], unique=False)
    op.create_table(
        "privacy_notice",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.String(length=20000), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_privacy_notice")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("entry_removed_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("constituency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lapse_after_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("term_started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("representative", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("age_band", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("privacy_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("guardian_consent_by", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("guardian_consent_at", sa.DateTime(timezone=True), nullable=True)
        )
    # A present member's term runs from their latest admission.
    op.execute(
        "UPDATE member SET term_started_at = (SELECT max(at) FROM status_change "
        "WHERE status_change.member_id = member.id AND status_change.to_status = 'active' "
        "AND status_change.from_status = 'pending')"
    )
    with op.batch_alter_table("cooperative_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erase_after_days", sa.Integer(), nullable=False, server_default="365")
        )
        batch_op.add_column(
            sa.Column("minimum_age", sa.Integer(), nullable=False, server_default="11")
        )
    for statement in SQLITE if op.get_context().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_note_no_update")
        op.execute("DROP TRIGGER audit_note_erased_only")
    else:
        op.execute("DROP TRIGGER audit_note_erased_only ON audit_note")
        op.execute("DROP FUNCTION audit_note_erased_only()")
    # Columns go by ALTER TABLE ... DROP COLUMN (SQLite 3.35+), never by copying a table: on
    # SQLite, dropping a table that members' rows refer to fails its foreign keys, so
    # `coopvote demo --reset` could not empty a database holding the demo.
    with op.batch_alter_table("cooperative_settings", recreate="never") as batch_op:
        batch_op.drop_column("minimum_age")
        batch_op.drop_column("erase_after_days")
    with op.batch_alter_table("constituency", recreate="never") as batch_op:
        batch_op.drop_column("lapse_after_days")
    with op.batch_alter_table("member", recreate="never") as batch_op:
        batch_op.drop_column("guardian_consent_at")
        batch_op.drop_column("guardian_consent_by")
        batch_op.drop_column("privacy_version")
        batch_op.drop_column("age_band")
        batch_op.drop_column("representative")
        batch_op.drop_column("term_started_at")
        batch_op.drop_column("entry_removed_at")
        batch_op.drop_column("erased_at")
    with op.batch_alter_table("audit_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_note_about"))
    op.drop_table("audit_note")
    op.drop_table("privacy_notice")
