"""`coopvote ballots …`: ballot trustees, from the command line.

- `coopvote ballots name-trustee --email E`: an admin names an active member a ballot trustee.
- `coopvote ballots open-box BALLOT_ID`: trustees open a closed ballot's box together, each
  typing their private key (hex) on its own line of standard input; nothing is echoed or logged.
"""

from __future__ import annotations

import sys

import click

from coopvote.ballots import service as ballot_service
from coopvote.ballots import trustees
from coopvote.cli.context import unit_of_work
from coopvote.clock import utcnow


@click.group()
def ballots() -> None:
    """Ballot trustees: naming them, and opening a ballot's box together."""


@ballots.command("name-trustee")
@click.option("--email", required=True, help="The member's email address.")
def name_trustee(email: str) -> None:
    """Name an active member a ballot trustee; they then make their key offline and register
    it when signed in."""
    with unit_of_work() as session:
        member = trustees.member_by_email(session, email)
        trustees.name_trustee(session, member, actor_id=None, now=utcnow())
    click.echo(
        f"{email} is a ballot trustee: they make their key with `coopvote trustee keygen` and "
        "register it at /ballots/trustee/key."
    )


@ballots.command("open-box")
@click.argument("ballot_id")
def open_box(ballot_id: str) -> None:
    """Open a closed ballot's box with its trustees' private keys, one per line on stdin."""
    keys = [line.strip() for line in sys.stdin if line.strip()]
    with unit_of_work() as session:
        ballot = ballot_service.get_ballot(session, ballot_id, utcnow())
        papers = trustees.open_with_trustees(session, ballot, keys, actor_id=None, now=utcnow())
    click.echo(f"The box of {ballot_id} is open: {papers} papers, ready to publish.")
