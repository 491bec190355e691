"""`coopvote register purge [--dry-run]`, `lapse FILE.csv`, `term SLUG DAYS|never`,
`settings [--erase-after-days N] [--minimum-age N]`: keeping the register lawfully (issue 18)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from sqlmodel import Session

from coopvote.cli.context import connected, unit_of_work
from coopvote.clock import utcnow
from coopvote.cooperative import service as cooperative_service
from coopvote.cooperative import views as cooperative
from coopvote.cooperative.service import RegisterSettings
from coopvote.errors import InvalidInput
from coopvote.members import lapsing, retention
from coopvote.members.transfer import decode


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


@register.command("lapse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def lapse(file: Path) -> None:
    """Lapse the memberships of the leavers in a CSV file (column ``email``, optional
    ``reason``), e.g. parents whose children left the school. Every row is checked first;
    any problem stops the whole file."""
    with unit_of_work() as session:
        leavers = lapsing.read_leavers(session, decode(file.read_bytes()))
        count = lapsing.lapse_leavers(session, leavers, actor_id=None, now=utcnow())
    click.echo(f"Lapsed {count} memberships.")


@register.command("term")
@click.argument("slug")
@click.argument("days")
def term(slug: str, days: str) -> None:
    """How many DAYS membership in the constituency SLUG lasts without renewal, or
    ``never`` (e.g. staff, members while employed)."""
    if days != "never" and not days.isdigit():
        raise click.BadParameter("a whole number of days, or 'never'", param_hint="DAYS")
    with unit_of_work() as session:
        lapsing.set_term(
            session, slug=slug, days=None if days == "never" else int(days), now=utcnow()
        )
    click.echo(
        f"Membership of {slug} lasts {days} days."
        if days != "never"
        else f"Membership of {slug} does not lapse."
    )


@register.command("settings")
@click.option("--erase-after-days", type=int, help="Days after leaving before erasure.")
@click.option("--minimum-age", type=int, help="The youngest a student may join.")
def settings(erase_after_days: int | None, minimum_age: int | None) -> None:
    """Show the register's settings, or change them (audited)."""
    with unit_of_work() as session:
        current = cooperative.current(session)
        if erase_after_days is not None or minimum_age is not None:
            change = RegisterSettings(
                erase_after_days=current.erase_after_days
                if erase_after_days is None
                else erase_after_days,
                minimum_age=current.minimum_age if minimum_age is None else minimum_age,
            )
            try:
                current = cooperative_service.change_register(
                    session, change, actor_id=None, now=utcnow()
                )
            except InvalidInput as problem:
                raise click.ClickException(
                    "; ".join(f"{k}: {v}" for k, v in problem.field_errors.items())
                ) from problem
        click.echo(
            f"erase_after_days {current.erase_after_days}\nminimum_age {current.minimum_age}"
        )
