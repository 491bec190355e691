"""`coopvote users create|set-password`: accounts for office holders.

Each hashes the password before its writing transaction begins: argon2id takes its time on
purpose, and on SQLite a writing transaction holds the write lock that every vote waits for."""

from __future__ import annotations

import sys

import click

from coopvote.cli.context import connected, refusing, unit_of_work
from coopvote.clock import utcnow
from coopvote.members import accounts
from coopvote.members.models import OFFICES, Role


@click.group()
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
    with refusing():
        password_hash = accounts.hash_new_password(password, email=email, name=name)
    with unit_of_work() as session:
        accounts.create_user(
            session,
            name=name,
            email=email,
            password_hash=password_hash,
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
    with refusing(), connected() as database:
        with database.reading() as session:
            account = accounts.account(session, email)
            policy = {"email": account.email, "name": account.name}
        password_hash = accounts.hash_new_password(password, **policy)
        with database.transaction() as session:
            accounts.set_password(session, email=email, password_hash=password_hash, now=utcnow())
    click.echo(f"The password of {email} is set; its sessions have ended.")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
