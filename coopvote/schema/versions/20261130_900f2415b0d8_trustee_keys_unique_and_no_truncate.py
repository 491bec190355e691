"""trustees' keys are their own; no TRUNCATE of what UPDATE and DELETE may not change: two
ballot trustees cannot hold one public key (one person would hold two shares of every ballot's
key; where two do, the later trustee's key is cleared, to register one of their own); a
ballot's key shares cannot be changed or removed (the box could no longer be opened); and on
PostgreSQL ``TRUNCATE`` of the audit notes and the meeting notices is refused, as their row
triggers refuse ``UPDATE`` and ``DELETE`` (row triggers do not fire on ``TRUNCATE``).

Revision ID: 900f2415b0d8
Revises: 1bedd5ed99d2
Create Date: 2026-11-30 05:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "900f2415b0d8"
down_revision: str | None = "1bedd5ed99d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SHARES = "ballot key shares cannot be changed or removed"

SQLITE = [
    f"CREATE TRIGGER key_share_no_update BEFORE UPDATE ON key_share "
    f"BEGIN SELECT RAISE(ABORT, '{_SHARES}'); END",
    f"CREATE TRIGGER key_share_no_delete BEFORE DELETE ON key_share "
    f"BEGIN SELECT RAISE(ABORT, '{_SHARES}'); END",
]
POSTGRESQL = [
    f"""CREATE FUNCTION key_share_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{_SHARES}' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER key_share_fixed BEFORE UPDATE OR DELETE ON key_share
    FOR EACH ROW EXECUTE FUNCTION key_share_fixed()""",
    """CREATE TRIGGER key_share_no_truncate BEFORE TRUNCATE ON key_share
    FOR EACH STATEMENT EXECUTE FUNCTION key_share_fixed()""",
    """CREATE TRIGGER audit_note_no_truncate BEFORE TRUNCATE ON audit_note
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    """CREATE TRIGGER meeting_notice_no_truncate BEFORE TRUNCATE ON meeting_notice
    FOR EACH STATEMENT EXECUTE FUNCTION meeting_notice_fixed()""",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # A key registered by several trustees stays with the first of them; the others register
    # keys of their own. Nothing usable is lost: opening a box knows shares by key, so their
    # shares of existing ballots were never counted apart from the first's.
    op.execute(
        "UPDATE ballot_trustee SET public_key = NULL WHERE id NOT IN "
        "(SELECT MIN(id) FROM ballot_trustee WHERE public_key IS NOT NULL GROUP BY public_key)"
    )
    op.create_index(
        op.f("ix_ballot_trustee_public_key"), "ballot_trustee", ["public_key"], unique=True
    )
    for statement in SQLITE if sqlite else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER key_share_no_update")
        op.execute("DROP TRIGGER key_share_no_delete")
    else:
        for trigger, table in [
            ("meeting_notice_no_truncate", "meeting_notice"),
            ("audit_note_no_truncate", "audit_note"),
            ("key_share_no_truncate", "key_share"),
            ("key_share_fixed", "key_share"),
        ]:
            op.execute(f"DROP TRIGGER {trigger} ON {table}")
        op.execute("DROP FUNCTION key_share_fixed()")
    op.drop_index(op.f("ix_ballot_trustee_public_key"), table_name="ballot_trustee")
