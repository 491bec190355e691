"""`coopvote dev-mail`: a local SMTP server for development that delivers nothing, keeping
every message it receives in a Maildir, which the development-only page ``/dev/mail`` lists
(``COOPVOTE_DEV_MAILDIR``). `python3 dev.py demo` starts it, so that a newcomer can follow a
reset link in the demo. It needs aiosmtpd (a development dependency)."""

from __future__ import annotations

import time
from pathlib import Path

import click


@click.command("dev-mail")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8025, show_default=True, type=int)
@click.option(
    "--maildir", required=True, type=click.Path(path_type=Path), help="Where to keep messages."
)
def dev_mail(host: str, port: int, maildir: Path) -> None:
    """Catch mail on HOST:PORT into MAILDIR (development only), until stopped."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Mailbox

    maildir.parent.mkdir(parents=True, exist_ok=True)  # the Maildir itself, with its folders,
    # is made by ``mailbox.Maildir`` when missing
    controller = Controller(Mailbox(maildir), hostname=host, port=port)
    controller.start()
    click.echo(f"catching mail at {host}:{port} into {maildir}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
