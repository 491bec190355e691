"""Delivering the outbox over SMTP.

A sender claims a batch of due messages in a short transaction (``claim``): on PostgreSQL
``SELECT … FOR UPDATE SKIP LOCKED`` passes over rows another sender is claiming, and on every
engine a conditional ``UPDATE`` takes each row only while it is still unclaimed (on SQLite
the write lock taken at ``BEGIN`` already orders claims). A claim is a lease: a sender that
dies leaves its messages to be claimed again once the lease runs out. Each message is then
sent outside any transaction and settled in one of its own — sent, or queued again after a
back-off, or failed for good after ``Settings.mail_max_attempts`` attempts — each outcome in
the audit log (never a body). Several senders on several hosts never send one message twice,
short of a sender stalling past its whole lease in the middle of a send."""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from coopvote import audit
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.mail import rules
from coopvote.mail.models import MessageState, Notice, OutboxMessage
from coopvote.members.models import Member
from coopvote.settings import Settings, SmtpSecurity

log = logging.getLogger("coopvote.mail")


@dataclass(frozen=True)
class Claimed:
    """A message claimed for sending, with what rendering it needs."""

    id: int
    claim: str
    attempts: int
    recipient: str
    recipient_name: str
    notice: Notice
    context: dict[str, Any]
    member_public_id: str | None


def claim(session: Session, *, now: datetime, limit: int) -> list[Claimed]:
    """Claim up to ``limit`` due messages: queued ones whose time has come, and ones whose
    sender's lease ran out. Each attempt is counted as it is claimed."""
    if limit <= 0:
        return []
    due = or_(
        (col(OutboxMessage.state) == MessageState.QUEUED)
        & (col(OutboxMessage.next_attempt_at) <= now),
        (col(OutboxMessage.state) == MessageState.SENDING) & (col(OutboxMessage.lease_until) < now),
    )
    candidates = session.exec(
        select(OutboxMessage)
        .where(due)
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    token = secrets.token_hex(16)
    claimed = []
    for message in candidates:
        taken = session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == message.id, due)
            .values(
                state=MessageState.SENDING,
                claim=token,
                lease_until=now + rules.LEASE,
                attempts=col(OutboxMessage.attempts) + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue
        member = session.get(Member, message.member_id) if message.member_id else None
        assert message.id is not None
        claimed.append(
            Claimed(
                id=message.id,
                claim=token,
                attempts=message.attempts + 1,
                recipient=message.recipient,
                recipient_name=message.recipient_name,
                notice=message.notice,
                context=dict(message.context),
                member_public_id=member.public_id if member else None,
            )
        )
    return claimed


def sent_since(session: Session, since: datetime) -> int:
    """Messages sent since ``since`` (the rate limit's count)."""
    query = select(func.count()).where(col(OutboxMessage.sent_at) >= since)
    return int(session.exec(query).one())


def settle_sent(session: Session, message: Claimed, now: datetime) -> None:
    """The message went: its context (which may hold a link's token) is emptied, and a
    reminder forgets its recipient (nobody may learn who had not voted)."""
    values: dict[str, Any] = {
        "state": MessageState.SENT,
        "sent_at": now,
        "context": {},
        "lease_until": None,
        "last_error": "",
    }
    if message.notice is Notice.BALLOT_REMINDER:
        values |= {"recipient": "", "recipient_name": "", "member_id": None}
    if _settle(session, message, values):
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="mail.sent",
            subject=f"mail:{message.id}",
            now=now,
            data={"notice": message.notice.value, "attempts": message.attempts},
        )


def settle_failed(
    session: Session, message: Claimed, error: str, *, now: datetime, max_attempts: int
) -> None:
    """The attempt failed: queued again after a back-off, or failed for good."""
    final = rules.gives_up(message.attempts, max_attempts)
    values: dict[str, Any] = {
        "state": MessageState.FAILED if final else MessageState.QUEUED,
        "next_attempt_at": now + rules.retry_delay(message.attempts),
        "lease_until": None,
        "last_error": error[:1000],
    }
    if _settle(session, message, values):
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="mail.failed" if final else "mail.deferred",
            subject=f"mail:{message.id}",
            now=now,
            data={"notice": message.notice.value, "attempts": message.attempts, "error": error},
        )


def _settle(session: Session, message: Claimed, values: dict[str, Any]) -> bool:
    """Only the holder of the claim settles a message: a sender whose lease ran out and whose
    message was claimed again leaves it to the new claim."""
    settled = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message.id,
            col(OutboxMessage.claim) == message.claim,
            col(OutboxMessage.state) == MessageState.SENDING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(settled.rowcount == 1)  # type: ignore[attr-defined]


class Renderer:
    """Renders a claimed message from ``templates/mail/<notice>.txt`` (its first line is the
    subject) and ``.html``, with absolute links to ``settings.base_url``."""

    def __init__(self, templates: Path, settings: Settings) -> None:
        self.settings = settings
        zone = ZoneInfo(settings.timezone)
        self.text = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates),
            autoescape=False,  # noqa: S701 - plain text mail, never shown as HTML
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )
        self.html = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        for environment in (self.text, self.html):
            environment.filters["local_time"] = lambda iso: (
                datetime.fromisoformat(iso).astimezone(zone).strftime("%A %-d %B %Y at %H:%M %Z")
            )

    def render(self, message: Claimed) -> EmailMessage:
        context = {
            **message.context,
            "name": message.recipient_name,
            "cooperative_name": self.settings.cooperative_name,
            "base_url": self.settings.base_url,
            "unsubscribe_url": self.unsubscribe_url(message),
        }
        text = self.text.get_template(f"mail/{message.notice.value}.txt").render(context)
        first_line, _, body = text.partition("\n")
        subject = " ".join(first_line.split())  # a title's stray line break stays out of headers
        html = self.html.get_template(f"mail/{message.notice.value}.html").render(
            context, subject=subject
        )
        email = EmailMessage()
        email["Subject"] = subject
        email["From"] = formataddr((self.settings.cooperative_name, self.settings.mail_from))
        email["To"] = formataddr((message.recipient_name, message.recipient))
        email["Date"] = format_datetime(utcnow())
        email["Message-ID"] = make_msgid(domain=self.settings.mail_from.rpartition("@")[2])
        email["Auto-Submitted"] = "auto-generated"
        if context["unsubscribe_url"]:
            # RFC 8058: a mail client may unsubscribe with one POST to this address.
            email["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
            email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email.set_content(body.lstrip("\n"))
        email.add_alternative(html, subtype="html")
        return email

    def unsubscribe_url(self, message: Claimed) -> str:
        topic = rules.topic_of(message.notice)
        if topic is None or message.member_public_id is None:
            return ""
        signature = rules.unsubscribe_signature(
            self.settings.secret_key, message.member_public_id, topic.value
        )
        return (
            f"{self.settings.base_url}/unsubscribe?member={message.member_public_id}"
            f"&topic={topic.value}&signature={signature}"
        )


def connect(settings: Settings) -> smtplib.SMTP:
    """A connection to the configured SMTP server: TLS from the start (``ssl``) or upgraded
    (``starttls``, refused by a server that cannot), authenticated when a user is set."""
    host, port, timeout = settings.smtp_host, settings.smtp_port_or_default, settings.smtp_timeout
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if settings.smtp_security is SmtpSecurity.SSL:
        server = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if settings.smtp_security is SmtpSecurity.STARTTLS:
            server.starttls(context=context)
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        server.close()  # a refused upgrade or sign-in must not leave the connection open
        raise
    return server


def deliver_due(
    database: Database,
    settings: Settings,
    renderer: Renderer,
    clock: Callable[[], datetime],
) -> int:
    """Claim a batch of due messages (within the rate limit) and send them over one SMTP
    connection; returns how many were sent. SMTP problems never raise: each message they
    touch is settled as a failed attempt."""
    now = clock()
    with database.transaction() as session:
        room = rules.sendable_now(
            settings.mail_per_minute, sent_since(session, now - timedelta(minutes=1))
        )
        batch = claim(session, now=now, limit=min(room, rules.BATCH))
    if not batch:
        return 0
    try:
        server = connect(settings)
    except (OSError, smtplib.SMTPException) as problem:
        _fail_all(database, settings, batch, _describe(problem), clock)
        return 0
    sent = 0
    try:
        for index, message in enumerate(batch):
            try:
                server.send_message(renderer.render(message))
            except smtplib.SMTPServerDisconnected as problem:
                _fail_all(database, settings, batch[index:], _describe(problem), clock)
                break
            # A template or a header that cannot be made (ValueError) fails this message only.
            except (OSError, smtplib.SMTPException, jinja2.TemplateError, ValueError) as problem:
                _fail_all(database, settings, [message], _describe(problem), clock)
                continue
            with database.transaction() as session:
                settle_sent(session, message, clock())
            sent += 1
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return sent


def _fail_all(
    database: Database,
    settings: Settings,
    messages: Sequence[Claimed],
    error: str,
    clock: Callable[[], datetime],
) -> None:
    log.warning("mail not sent (%d messages): %s", len(messages), error)
    with database.transaction() as session:
        for message in messages:
            settle_failed(
                session, message, error, now=clock(), max_attempts=settings.mail_max_attempts
            )


def _describe(problem: BaseException) -> str:
    return f"{type(problem).__name__}: {problem}"[:1000]
