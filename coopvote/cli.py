"""The ``coopvote`` command. Each command is one unit of work against COOPVOTE_DATABASE_URL."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.engine import make_url
from sqlmodel import Session

from coopvote.audit.cli import audit
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.errors import DomainError
from coopvote.members import service as members
from coopvote.members import transfer
from coopvote.members.models import OFFICES, Role
from coopvote.schema.migrate import upgrade
from coopvote.settings import Settings
from coopvote.tally.cli import tally


def settings() -> Settings:
    return Settings.from_env()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Migrate, then run the command in one transaction; a domain error ends it cleanly."""
    database = Database.connect(settings().database_url)
    try:
        upgrade(database.engine)
        with database.transaction() as session:
            yield session
    except DomainError as problem:
        raise click.ClickException(problem.detail) from problem
    finally:
        database.dispose()


@click.group()
def main() -> None:
    """coopvote: membership, secret ballots and verifiable results for co-operatives."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="Worker processes; on PostgreSQL several hosts may run several each.",
)
def serve(host: str, port: int, workers: int) -> None:
    """Migrate the database, then serve the app."""
    import uvicorn

    current = settings()
    database = Database.connect(current.database_url)
    upgrade(database.engine)
    database.dispose()
    click.echo(f"coopvote is serving {current.cooperative_name} at http://{host}:{port}/")
    uvicorn.run(
        "coopvote.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=current.trust_forwarded_for,
        log_level="info",
    )


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied."""
    database = Database.connect(settings().database_url)
    upgrade(database.engine)
    database.dispose()
    click.echo("The database is up to date.")


@main.command()
@click.option("--reset", is_flag=True, help="Empty the database first.")
def demo(reset: bool) -> None:
    """Load the Aylesbury Learning Partnership demo and print its sign-ins."""
    from coopvote import demo as demo_data

    database = Database.connect(settings().database_url)
    try:
        if reset:
            demo_data.reset(database.engine)
        upgrade(database.engine)
        with database.transaction() as session:
            sign_ins = demo_data.load(session, utcnow())
    except demo_data.AlreadyLoaded as problem:
        raise click.ClickException(str(problem)) from problem
    finally:
        database.dispose()
    click.echo("Demo loaded: the Aylesbury Learning Partnership.\nSign in with:")
    for role, email in sign_ins:
        click.echo(f"  {role:<22} {email}")
    click.echo(f"  {'password (all)':<22} {demo_data.DEMO_PASSWORD}")


@main.group()
def users() -> None:
    """Accounts for office holders."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    required=True,
    multiple=True,
    type=click.Choice([r.value for r in OFFICES]),
    help="May be given more than once.",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, name: str, roles: tuple[str, ...], password_stdin: bool) -> None:
    """Create an account holding one or more offices."""
    password = read_password(password_stdin)
    with unit_of_work() as session:
        members.create_user(
            session,
            name=name,
            email=email,
            password=password,
            roles=[Role(r) for r in roles],
            now=utcnow(),
        )
    click.echo(f"Created {email} as {', '.join(roles)}.")


@users.command("set-password")
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_set_password(email: str, password_stdin: bool) -> None:
    """Set an account's password (e.g. for a member added by import, who has none)."""
    password = read_password(password_stdin)
    with unit_of_work() as session:
        members.set_password(session, email=email, password=password, now=utcnow())
    click.echo(f"The password of {email} is set; its sessions have ended.")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@main.group("members")
def members_group() -> None:
    """The register of members."""


@members_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def members_import(file: Path) -> None:
    """Import members from CSV (columns: name, email, constituency, organisation[, status]).

    All rows or none: every problem is reported with its line number. Rows whose email is
    registered already are left alone, so importing a file twice adds nobody twice.
    """
    with file.open(encoding="utf-8-sig") as lines:
        total = sum(1 for _ in lines) - 1
    with (
        file.open(encoding="utf-8-sig", newline="") as source,
        unit_of_work() as session,
        click.progressbar(length=max(total, 0), label="Importing") as bar,
    ):
        report = transfer.import_csv(
            session,
            source,
            actor_id=None,
            now=utcnow(),
            progress=lambda done: bar.update(done - bar.pos),
        )
    click.echo(f"Added {report.added}; {report.already_registered} were registered already.")


@members_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def members_export(file: Path) -> None:
    """Write the whole register to a CSV file."""
    from coopvote import audit

    with unit_of_work() as session, file.open("w", encoding="utf-8", newline="") as out:
        count = transfer.write_csv(transfer.export_rows(session), out)
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="members.exported",
            subject="register",
            now=utcnow(),
            data={"rows": count},
        )
    click.echo(f"Wrote {count} members to {file}.")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Copy a SQLite database safely while the app runs (PostgreSQL: use pg_dump)."""
    url = make_url(settings().database_url)
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            "This database is PostgreSQL: back it up with pg_dump, for example\n"
            "  pg_dump --format=custom --file=coopvote.dump 'postgresql://user@host/coopvote'\n"
            "and restore with pg_restore. See the README's section on backups."
        )
    if not url.database or url.database == ":memory:":
        raise click.ClickException("There is no database file to back up.")
    with sqlite3.connect(url.database) as source, sqlite3.connect(file) as target:
        source.backup(target)
    click.echo(f"Backed up {url.database} to {file} ({file.stat().st_size:,} bytes).")


@main.group()
def organisations() -> None:
    """The co-operative's organisations (e.g. its schools)."""


@organisations.command("add")
@click.argument("slug")
@click.argument("name")
def organisations_add(slug: str, name: str) -> None:
    with unit_of_work() as session:
        members.add_organisation(session, slug=slug, name=name, now=utcnow())
    click.echo(f"Added {name}.")


@main.group()
def constituencies() -> None:
    """The co-operative's constituencies (stakeholder groups)."""


@constituencies.command("add")
@click.argument("slug")
@click.argument("name")
def constituencies_add(slug: str, name: str) -> None:
    with unit_of_work() as session:
        members.add_constituency(session, slug=slug, name=name, now=utcnow())
    click.echo(f"Added {name}.")


main.add_command(tally)
main.add_command(audit)
