import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from coopvote.cli import main
from coopvote.db import Database
from coopvote.members.models import Member, MemberRole, Role
from coopvote.security.passwords import verify_password
from tests.factories import ensure_organisation

PASSWORD = "a long and unusual cli password"


@pytest.fixture
def cli(database: Database, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv(
        "COOPVOTE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    return CliRunner()


def test_users_create_makes_an_office_holder(cli: CliRunner, database: Database) -> None:
    result = cli.invoke(
        main,
        [
            "users",
            "create",
            "--email",
            "Aud@Example.org",
            "--name",
            "Aud Itor",
            "--role",
            "auditor",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with database.transaction() as session:
        member = session.exec(select(Member).where(Member.email == "aud@example.org")).one()
        roles = session.exec(select(MemberRole.role).where(MemberRole.member_id == member.id)).all()
    assert roles == [Role.AUDITOR]


def test_users_create_refuses_a_weak_password(cli: CliRunner) -> None:
    result = cli.invoke(
        main,
        [
            "users",
            "create",
            "--email",
            "a@example.org",
            "--name",
            "A B",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="password1234\n",
    )
    assert result.exit_code != 0
    assert "too common" in result.output


def test_members_import_and_export(cli: CliRunner, database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
    source = tmp_path / "members.csv"
    source.write_text(
        "name,email,constituency,organisation\nAnn Able,ann@example.org,staff,the-grange\n"
    )
    result = cli.invoke(main, ["members", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "Added 1" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,constituency,organisation\nX,nope,staff,the-grange\n")
    result = cli.invoke(main, ["members", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 2" in result.output
    target = tmp_path / "out.csv"
    result = cli.invoke(main, ["members", "export", str(target)])
    assert result.exit_code == 0, result.output
    assert "ann@example.org" in target.read_text()


def test_backup_copies_a_sqlite_database(
    cli: CliRunner, database: Database, tmp_path: Path
) -> None:
    target = tmp_path / "backup.db"
    result = cli.invoke(main, ["backup", str(target)])
    if database.is_sqlite:
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0
    else:
        assert result.exit_code == 1
        assert "pg_dump" in result.output


def test_the_demo_loads_and_prints_its_sign_ins(cli: CliRunner, database: Database) -> None:
    result = cli.invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "governor@demo.coopvote.org" in result.output
    with database.transaction() as session:
        assert len(session.exec(select(Member)).all()) > 40
    again = cli.invoke(main, ["demo"])
    assert again.exit_code == 1
    assert "--reset" in again.output


def test_users_set_password_lets_an_imported_member_sign_in(
    cli: CliRunner, database: Database, tmp_path: Path
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
    source = tmp_path / "members.csv"
    source.write_text(
        "name,email,constituency,organisation\nAnn Able,ann@example.org,staff,the-grange\n"
    )
    assert cli.invoke(main, ["members", "import", str(source)]).exit_code == 0
    weak = cli.invoke(
        main,
        ["users", "set-password", "--email", "ann@example.org", "--password-stdin"],
        input="password1234\n",
    )
    assert weak.exit_code == 1
    done = cli.invoke(
        main,
        ["users", "set-password", "--email", "ann@example.org", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert done.exit_code == 0, done.output
    with database.transaction() as session:
        member = session.exec(select(Member).where(Member.email == "ann@example.org")).one()
        assert verify_password(member.password_hash, PASSWORD)[0]


#: Run in a fresh interpreter: which top-level packages a `coopvote` command imported.
IMPORTED_BY = """
import json, sys
from coopvote.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args", [["tally", "--help"], ["tally", "{file}", "--method", "irv"]], ids=["help", "count"]
)
def test_tally_imports_neither_the_web_framework_nor_the_database_layer(
    tmp_path: Path, args: list[str]
) -> None:
    blt = tmp_path / "election.blt"
    blt.write_text('2 1\n3 1 0\n2 2 0\n0\n"Anna"\n"Bob"\n"Title"\n', encoding="utf-8")
    command = [sys.executable, "-c", IMPORTED_BY, *(a.format(file=blt) for a in args)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    imported = set(json.loads(done.stderr.splitlines()[-1]))
    assert "coopvote" in imported
    assert "click" in imported
    assert not imported & {"litestar", "sqlalchemy", "sqlmodel", "alembic", "uvicorn", "jinja2"}
    assert ("Elected: Anna" if "--method" in args else "Usage:") in done.stdout
