"""Development only: the mail that ``coopvote dev-mail`` caught (``COOPVOTE_DEV_MAILDIR``),
newest first, so that a newcomer can follow a reset link in the demo. ``create_app`` mounts
it only in development with a maildir set (``Settings.shows_caught_mail``)."""

from __future__ import annotations

import mailbox
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from coopvote.web.access import PUBLIC
from coopvote.web.deps import CurrentSettings
from coopvote.web.templating import page

#: The most messages shown.
SHOWN = 50


@dataclass(frozen=True)
class Caught:
    subject: str
    to: str
    date: str
    text: str
    unsubscribe: str


def caught(maildir: Path) -> list[Caught]:
    """The messages in ``maildir``, newest first."""
    if not maildir.is_dir():
        return []
    box = mailbox.Maildir(maildir, factory=None, create=False)
    messages = []
    for key in box.iterkeys():
        message = _parse(box.get_bytes(key))
        body = message.get_body(preferencelist=("plain",))
        messages.append(
            Caught(
                subject=str(message["subject"] or ""),
                to=str(message["to"] or ""),
                date=str(message["date"] or ""),
                text=body.get_content() if body is not None else "",
                unsubscribe=str(message["list-unsubscribe"] or ""),
            )
        )
    messages.sort(key=lambda m: parsedate_to_datetime(m.date), reverse=True)
    return messages[:SHOWN]


def _parse(raw: bytes) -> EmailMessage:
    parsed = message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


class DevMailPages(Controller):
    path = "/dev/mail"
    opt = PUBLIC
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def mail(self, request: Request[Any, Any, Any], settings: CurrentSettings) -> Template:
        return page(request, "dev/mail.html", messages=caught(Path(settings.dev_maildir)))
