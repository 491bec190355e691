"""audit log append-only: triggers refuse changing or deleting events, and let the head move
only one step forward, onto the event just appended

Revision ID: 3c1f7e2ab9d4
Revises: 5e41ed0b0c11
Create Date: 2026-11-30 02:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3c1f7e2ab9d4"
down_revision: str | None = "5e41ed0b0c11"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The one change the head may take: to the next sequence number, and to the hash of the event
#: stored under it, which must follow the old head. (SQLite's triggers and PostgreSQL's alike.)
NOT_AN_ADVANCE = (
    "NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 OR NOT EXISTS ("
    "SELECT 1 FROM audit_event WHERE seq = NEW.seq AND hash = NEW.hash "
    "AND prev_hash = OLD.hash)"
)

SQLITE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: events cannot be changed'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: events cannot be deleted'); END""",
    f"""CREATE TRIGGER audit_head_advance_only BEFORE UPDATE ON audit_head
    WHEN {NOT_AN_ADVANCE}
    BEGIN SELECT RAISE(ABORT, 'the audit head only advances onto a new event'); END""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    BEGIN SELECT RAISE(ABORT, 'the audit head cannot be deleted'); END""",
]

POSTGRESQL = [
    """CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    f"""CREATE FUNCTION audit_head_advance_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {NOT_AN_ADVANCE} THEN
            RAISE EXCEPTION 'the audit head only advances onto a new event'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER audit_head_advance_only BEFORE UPDATE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_advance_only()""",
]


def upgrade() -> None:
    for statement in SQLITE if op.get_context().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for name in (
            "audit_event_no_update",
            "audit_event_no_delete",
            "audit_head_advance_only",
            "audit_head_no_delete",
        ):
            op.execute(f"DROP TRIGGER {name}")
        return
    op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
    op.execute("DROP TRIGGER audit_head_no_delete ON audit_head")
    op.execute("DROP TRIGGER audit_head_advance_only ON audit_head")
    op.execute("DROP FUNCTION audit_head_advance_only()")
    op.execute("DROP FUNCTION audit_refuse_change()")
