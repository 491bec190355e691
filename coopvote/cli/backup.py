"""`coopvote backup FILE`: a safe copy of a live SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from coopvote.cli.context import settings


@click.command()
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
