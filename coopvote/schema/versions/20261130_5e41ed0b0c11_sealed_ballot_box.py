"""the sealed ballot box: sealed papers, the bulletin board, opened papers, ballot trustees

Papers were stored as plaintext with a receipt; now they are sealed when cast (``sealed_paper``),
listed by tracker on an append-only, hash-chained board (``board_entry``), and written as plain
papers (``paper``, keyed at random) only when the box is opened. The database refuses changes
to the board, to sealed papers (but a cancelled ballot's destruction) and to opened papers.

Papers of closed or published ballots are kept as opened papers (without their receipts); a
cancelled ballot's are destroyed. An open ballot's plaintext papers cannot be sealed after the
fact: close or cancel every open ballot before upgrading.

Revision ID: 5e41ed0b0c11
Revises: 5e1d0c3a7b21
Create Date: 2026-11-30 02:30:00
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import coopvote.db.types

revision: str = "5e41ed0b0c11"
down_revision: str | None = "5e1d0c3a7b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "the bulletin board is append-only"
SEALED = "sealed papers cannot be changed; only those of a cancelled ballot can be destroyed"
OPENED = "opened papers cannot be changed"

# Literal messages (no user input) in DDL: the engines take no bound parameters there.
SQLITE_TRIGGERS = [
    "CREATE TRIGGER board_entry_no_update BEFORE UPDATE ON board_entry "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
    "CREATE TRIGGER board_entry_no_delete BEFORE DELETE ON board_entry "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
    "CREATE TRIGGER sealed_paper_no_update BEFORE UPDATE ON sealed_paper "
    f"BEGIN SELECT RAISE(ABORT, '{SEALED}'); END",
    "CREATE TRIGGER sealed_paper_no_delete BEFORE DELETE ON sealed_paper "  # noqa: S608 - literal
    "WHEN (SELECT status FROM ballot WHERE id = OLD.ballot_id) IS NOT 'cancelled' "
    f"BEGIN SELECT RAISE(ABORT, '{SEALED}'); END",
    "CREATE TRIGGER paper_no_update BEFORE UPDATE ON paper "
    f"BEGIN SELECT RAISE(ABORT, '{OPENED}'); END",
    "CREATE TRIGGER paper_no_delete BEFORE DELETE ON paper "
    f"BEGIN SELECT RAISE(ABORT, '{OPENED}'); END",
]
SQLITE_DROPS = [
    "DROP TRIGGER IF EXISTS " + name
    for name in (
        "board_entry_no_update",
        "board_entry_no_delete",
        "sealed_paper_no_update",
        "sealed_paper_no_delete",
        "paper_no_update",
        "paper_no_delete",
    )
]

POSTGRES_TRIGGERS = [
    """CREATE FUNCTION box_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- A cancelled ballot's sealed papers are destroyed (TG_ARGV[1] = 'cancellable').
        IF TG_OP = 'DELETE' AND TG_NARGS > 1
           AND (SELECT status FROM ballot WHERE id = OLD.ballot_id) = 'cancelled' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    f"""CREATE TRIGGER board_entry_append_only BEFORE UPDATE OR DELETE ON board_entry
        FOR EACH ROW EXECUTE FUNCTION box_refuse('{APPEND_ONLY}')""",
    f"""CREATE TRIGGER board_entry_no_truncate BEFORE TRUNCATE ON board_entry
        FOR EACH STATEMENT EXECUTE FUNCTION box_refuse('{APPEND_ONLY}')""",
    f"""CREATE TRIGGER sealed_paper_guard BEFORE UPDATE OR DELETE ON sealed_paper
        FOR EACH ROW EXECUTE FUNCTION box_refuse('{SEALED}', 'cancellable')""",
    f"""CREATE TRIGGER sealed_paper_no_truncate BEFORE TRUNCATE ON sealed_paper
        FOR EACH STATEMENT EXECUTE FUNCTION box_refuse('{SEALED}')""",
    f"""CREATE TRIGGER paper_unchangeable BEFORE UPDATE OR DELETE ON paper
        FOR EACH ROW EXECUTE FUNCTION box_refuse('{OPENED}')""",
    f"""CREATE TRIGGER paper_no_truncate BEFORE TRUNCATE ON paper
        FOR EACH STATEMENT EXECUTE FUNCTION box_refuse('{OPENED}')""",
]
POSTGRES_DROPS = [
    "DROP TRIGGER IF EXISTS board_entry_append_only ON board_entry",
    "DROP TRIGGER IF EXISTS board_entry_no_truncate ON board_entry",
    "DROP TRIGGER IF EXISTS sealed_paper_guard ON sealed_paper",
    "DROP TRIGGER IF EXISTS sealed_paper_no_truncate ON sealed_paper",
    "DROP TRIGGER IF EXISTS paper_unchangeable ON paper",
    "DROP TRIGGER IF EXISTS paper_no_truncate ON paper",
    "DROP FUNCTION IF EXISTS box_refuse()",
]


def _triggers(create: bool) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if create:
        statements = SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS
    else:
        statements = SQLITE_DROPS if sqlite else POSTGRES_DROPS
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    connection = op.get_bind()
    open_with_papers = (
        connection.execute(
            sa.text(
                "SELECT b.public_id FROM ballot b WHERE b.status = 'open' "
                "AND EXISTS (SELECT 1 FROM paper p WHERE p.ballot_id = b.id)"
            )
        )
        .scalars()
        .all()
    )
    if open_with_papers:
        raise RuntimeError(
            "Close or cancel these open ballots before upgrading to the sealed ballot box "
            f"(their papers were cast unsealed): {', '.join(open_with_papers)}"
        )
    kept = connection.execute(
        sa.text(
            "SELECT p.ballot_id, p.choice FROM paper p JOIN ballot b ON b.id = p.ballot_id "
            "WHERE b.status IN ('closed', 'published')"
        ).columns(ballot_id=sa.Integer(), choice=sa.JSON())
    ).all()

    # Added in place: rebuilding ``ballot``, as a batch would on SQLite, fails on the foreign
    # keys of the rows that refer to it.
    op.add_column("ballot", sa.Column("box_opened_at", coopvote.db.types.UTCDateTime()))
    op.add_column(
        "ballot", sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    op.add_column("ballot", sa.Column("box_public_key", sa.String(length=64)))
    op.add_column("ballot", sa.Column("trustees_needed", sa.Integer()))
    op.execute(
        "UPDATE ballot SET box_opened_at = closed_at WHERE status IN ('closed', 'published')"
    )
    op.execute(
        "UPDATE ballot SET sealed = false WHERE status IN ('closed', 'published', 'cancelled')"
    )

    op.create_table(
        "sealed_paper",
        sa.Column("tracker", sa.String(length=64), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_sealed_paper_ballot_id_ballot")
        ),
        sa.PrimaryKeyConstraint("tracker", name=op.f("pk_sealed_paper")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_sealed_paper_ballot_id", "sealed_paper", ["ballot_id"], unique=False)
    op.create_table(
        "board_entry",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tracker", sa.String(length=64), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_board_entry_ballot_id_ballot")
        ),
        sa.PrimaryKeyConstraint("ballot_id", "position", name=op.f("pk_board_entry")),
        sa.UniqueConstraint("tracker", name=op.f("uq_board_entry_tracker")),
    )

    op.create_table(
        "ballot_trustee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=True),
        sa.Column("named_at", coopvote.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_ballot_trustee_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_trustee")),
        sa.UniqueConstraint("member_id", name=op.f("uq_ballot_trustee_member_id")),
    )
    op.create_table(
        "key_share",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("trustee_id", sa.Integer(), nullable=False),
        sa.Column("share_index", sa.Integer(), nullable=False),
        sa.Column("sealed_share", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_key_share_ballot_id_ballot")
        ),
        sa.ForeignKeyConstraint(
            ["trustee_id"],
            ["ballot_trustee.id"],
            name=op.f("fk_key_share_trustee_id_ballot_trustee"),
        ),
        sa.PrimaryKeyConstraint("ballot_id", "trustee_id", name=op.f("pk_key_share")),
    )

    op.drop_index("ix_paper_ballot_id", table_name="paper")
    op.drop_table("paper")
    paper = op.create_table(
        "paper",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_paper_ballot_id_ballot")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_paper_ballot_id", "paper", ["ballot_id"], unique=False)
    if kept:
        op.bulk_insert(
            paper,
            [
                {"id": secrets.token_hex(16), "ballot_id": ballot_id, "choice": choice}
                for ballot_id, choice in kept
            ],
        )
    _triggers(create=True)


def downgrade() -> None:
    _triggers(create=False)
    connection = op.get_bind()
    kept = connection.execute(
        sa.text("SELECT ballot_id, choice FROM paper").columns(
            ballot_id=sa.Integer(), choice=sa.JSON()
        )
    ).all()
    op.drop_index("ix_paper_ballot_id", table_name="paper")
    op.drop_table("paper")
    paper = op.create_table(
        "paper",
        sa.Column("receipt", sa.String(length=32), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("choice", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_paper_ballot_id_ballot")
        ),
        sa.PrimaryKeyConstraint("receipt", name=op.f("pk_paper")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_paper_ballot_id", "paper", ["ballot_id"], unique=False)
    if kept:
        op.bulk_insert(
            paper,
            [
                {"receipt": secrets.token_hex(16), "ballot_id": ballot_id, "choice": choice}
                for ballot_id, choice in kept
            ],
        )
    op.drop_table("key_share")
    op.drop_table("ballot_trustee")
    op.drop_table("board_entry")
    op.drop_index("ix_sealed_paper_ballot_id", table_name="sealed_paper")
    op.drop_table("sealed_paper")
    # Dropped in place (SQLite 3.35+ can): rebuilding ``ballot``, as a batch would, fails on
    # the foreign keys of the rows that refer to it.
    for column in ("trustees_needed", "box_public_key", "sealed", "box_opened_at"):
        op.execute(f"ALTER TABLE ballot DROP COLUMN {column}")
