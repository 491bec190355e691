"""A real SMTP server for the tests (aiosmtpd), which keeps what it receives and can be told
to refuse every message (a 451, as a server short of resources answers)."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import delete
from sqlmodel import Session

from coopvote.mail.models import OutboxMessage
from coopvote.settings import Settings, SmtpSecurity

LINK = re.compile(r"https?://\S+")


@dataclass
class Inbox:
    """What the server received, and whether it refuses."""

    messages: list[EmailMessage] = field(default_factory=list)
    refusing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        if self.refusing:
            return "451 4.3.0 Try again later"
        parsed = message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["to"])]

    def last_to(self, address: str) -> EmailMessage:
        found = self.to(address)
        assert found, f"no mail to {address}; got {[str(m['to']) for m in self.messages]}"
        return found[-1]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def link_in(message: EmailMessage, path: str) -> str:
    """The link to ``path`` in a message's text, as a path with its query (for a test client)."""
    for link in LINK.findall(text_of(message)):
        if path in link:
            return str(link[link.index(path) :])
    raise AssertionError(f"no link to {path} in:\n{text_of(message)}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(
    inbox: Inbox | None = None, port: int | None = None, **options: Any
) -> Iterator[tuple[Inbox, int]]:
    """``options`` go to aiosmtpd's SMTP server (e.g. ``authenticator``)."""
    inbox = inbox or Inbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_settings(settings: Settings, port: int, **overrides: Any) -> Settings:
    """``settings`` sending through the test server on ``port``."""
    chosen: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": SmtpSecurity.NONE,
        "smtp_timeout": 5.0,
        "base_url": "http://testserver.local",
    }
    return replace(settings, **(chosen | overrides))


def empty_outbox(session: Session) -> None:
    """Forget what setting a test up queued (e.g. the admission of each member made)."""
    session.execute(delete(OutboxMessage))
