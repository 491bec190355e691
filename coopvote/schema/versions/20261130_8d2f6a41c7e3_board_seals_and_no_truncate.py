"""board seals, no TRUNCATE of the audit log, throttle counters that lapse: each bulletin board
entry carries a seal (an HMAC under a key from the server's ballot key file, ``ballots.board``);
on PostgreSQL ``TRUNCATE`` of the audit log and its head is refused as ``UPDATE`` and ``DELETE``
are (the board's and the papers' tables refuse it since the sealed box); each throttling counter
says when it lapses, so that the scheduler can purge it.

Entries on a board already are sealed here, with the ballot key file that the command running
the upgrade has loaded (or that ``COOPVOTE_BALLOT_KEY_FILE`` names).

Revision ID: 8d2f6a41c7e3
Revises: 7d2e9b41c0a8
Create Date: 2026-11-30 04:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coopvote.db.types
from coopvote.ballots import board, keys
from coopvote.settings import Settings

revision: str = "8d2f6a41c7e3"
down_revision: str | None = "7d2e9b41c0a8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The sealed box's trigger that refuses every update of the board, lifted while the entries
#: already there are sealed.
SQLITE_NO_UPDATE = (
    "CREATE TRIGGER board_entry_no_update BEFORE UPDATE ON board_entry "
    "BEGIN SELECT RAISE(ABORT, 'the bulletin board is append-only'); END"
)
AUDIT_TABLES = ("audit_event", "audit_head")


def _board_key() -> bytes:
    try:
        return keys.board_key()
    except keys.BallotKeyMissing:  # `coopvote db upgrade` loads no key of its own
        keys.use_settings(Settings.from_env())
        return keys.board_key()


def _seal_existing_entries(sqlite: bool) -> None:
    connection = op.get_bind()
    entries = connection.execute(
        sa.text(
            "SELECT b.public_id, e.ballot_id, e.position, e.tracker, e.head "
            "FROM board_entry e JOIN ballot b ON b.id = e.ballot_id"
        )
    ).all()
    if not entries:
        return
    key = _board_key()
    op.execute(
        "DROP TRIGGER board_entry_no_update"
        if sqlite
        else "ALTER TABLE board_entry DISABLE TRIGGER board_entry_append_only"
    )
    connection.execute(
        sa.text("UPDATE board_entry SET seal = :seal WHERE ballot_id = :ballot AND position = :at"),
        [
            {
                "seal": board.seal_of(key, public_id, position, tracker, head),
                "ballot": ballot_id,
                "at": position,
            }
            for public_id, ballot_id, position, tracker, head in entries
        ],
    )
    op.execute(
        SQLITE_NO_UPDATE
        if sqlite
        else "ALTER TABLE board_entry ENABLE TRIGGER board_entry_append_only"
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("board_entry", sa.Column("seal", sa.String(length=64), nullable=True))
    _seal_existing_entries(sqlite)
    # Counters are throttling's working state only (as when the table was made): start afresh.
    op.execute("DELETE FROM throttle_counter")
    with op.batch_alter_table("throttle_counter", recreate="always" if sqlite else "never") as t:
        t.add_column(
            sa.Column("lapses_at", coopvote.db.types.UTCDateTime(timezone=True), nullable=False)
        )
        t.create_index(t.f("ix_throttle_counter_lapses_at"), ["lapses_at"], unique=False)
    if not sqlite:  # SQLite has no TRUNCATE: its DELETE triggers already refuse
        for table in AUDIT_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
            )


def downgrade() -> None:
    with op.batch_alter_table("throttle_counter") as t:
        t.drop_index("ix_throttle_counter_lapses_at")
        t.drop_column("lapses_at")
    if op.get_bind().dialect.name != "sqlite":
        for table in AUDIT_TABLES:
            op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
    op.drop_column("board_entry", "seal")  # SQLite 3.35+ drops it in place, triggers kept
