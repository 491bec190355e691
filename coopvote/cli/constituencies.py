"""`coopvote constituencies add SLUG NAME`: the co-operative's constituencies."""

from __future__ import annotations

import click

from coopvote.cli.context import unit_of_work
from coopvote.clock import utcnow
from coopvote.members import service as members


@click.group()
def constituencies() -> None:
    """The co-operative's constituencies (stakeholder groups)."""


@constituencies.command("add")
@click.argument("slug")
@click.argument("name")
def constituencies_add(slug: str, name: str) -> None:
    with unit_of_work() as session:
        members.add_constituency(session, slug=slug, name=name, now=utcnow())
    click.echo(f"Added {name}.")
