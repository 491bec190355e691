"""The ``coopvote`` command: one module per command group, each imported only when used.

A command that touches the database runs as one unit of work against COOPVOTE_DATABASE_URL
(`coopvote.cli.context`). Loading commands lazily keeps `coopvote tally`, which needs neither
the web framework nor the database layer, quick to start: it imports neither.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

import click

#: Each command's name, and where it is defined ("module:attribute").
COMMANDS = {
    "serve": "coopvote.cli.serve:serve",
    "db": "coopvote.cli.db:db",
    "demo": "coopvote.cli.demo:demo",
    "users": "coopvote.cli.users:users",
    "members": "coopvote.cli.members:members",
    "register": "coopvote.cli.register:register",
    "organisations": "coopvote.cli.organisations:organisations",
    "constituencies": "coopvote.cli.constituencies:constituencies",
    "backup": "coopvote.cli.backup:backup",
    "tally": "coopvote.cli.tally:tally",
    "audit": "coopvote.cli.audit:audit",
    "ballots": "coopvote.cli.ballots:ballots",
    "trustee": "coopvote.cli.trustee:trustee",
    "worker": "coopvote.cli.worker:worker",
    "dev-mail": "coopvote.cli.dev_mail:dev_mail",
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that subcommand is needed."""

    def __init__(self, name: str, *, commands: Mapping[str, str], help: str) -> None:
        super().__init__(name, help=help)
        self.lazy_commands = dict(commands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy_commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = self.lazy_commands.get(cmd_name)
        if where is None:
            return None
        module, attribute = where.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


main = LazyGroup(
    "coopvote",
    commands=COMMANDS,
    help="coopvote: membership, secret ballots and verifiable results for co-operatives.",
)
