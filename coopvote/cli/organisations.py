"""`coopvote organisations add SLUG NAME`: the co-operative's organisations."""

from __future__ import annotations

import click

from coopvote.cli.context import unit_of_work
from coopvote.clock import utcnow
from coopvote.members import service as members


@click.group()
def organisations() -> None:
    """The co-operative's organisations (e.g. its schools)."""


@organisations.command("add")
@click.argument("slug")
@click.argument("name")
def organisations_add(slug: str, name: str) -> None:
    with unit_of_work() as session:
        members.add_organisation(session, slug=slug, name=name, now=utcnow())
    click.echo(f"Added {name}.")
