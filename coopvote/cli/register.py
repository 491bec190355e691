"""`coopvote register purge [--dry-run]`: apply the register's retention rules (issue 18)."""

from __future__ import annotations

from datetime import timedelta

import click
from sqlmodel import Session

from coopvote.cli.context import connected, unit_of_work
from coopvote.clock import utcnow
from coopvote.cooperative import views as cooperative
from coopvote.members import retention


@click.group()
def register() -> None:
    """Keeping the register of members lawfully."""


def _erase_after(session: Session) -> timedelta:
    return timedelta(days=cooperative.current(session).erase_after_days)


@register.command("purge")
@click.option("--dry-run", is_flag=True, help="List what is due; change nothing.")
def purge(dry_run: bool) -> None:
    """Erase former members' personal data once the co-operative's retention period has
    passed (its setting: by default a year after leaving), and remove register entries ten
    years after the member left (Companies Act 2006 s. 121). Each is audited."""
    now = utcnow()
    if dry_run:
        with connected() as database, database.reading() as session:
            done = retention.due(session, now=now, erase_after=_erase_after(session))
            lines = [f"would {item.describe()}" for item in done]
    else:
        with unit_of_work() as session:
            done = retention.purge(session, now=now, erase_after=_erase_after(session))
            lines = [item.describe() for item in done]
    click.echo("\n".join(lines) if lines else "Nothing is due.")
