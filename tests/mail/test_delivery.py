"""The outbox and its sender, against a real SMTP server: nothing lost, nothing sent twice."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult
from sqlmodel import col, select

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.mail import sender, views
from coopvote.mail import service as mail
from coopvote.mail.models import MessageState, Notice, OutboxMessage
from coopvote.members.models import Member
from coopvote.settings import Settings, SmtpSecurity
from tests.factories import make_member
from tests.mail.conftest import Deliver
from tests.mail.smtp import Inbox, empty_outbox, mail_settings, smtp_server, text_of


def queue_for(database: Database, count: int) -> list[str]:
    """``count`` members, each with a message queued; their addresses."""
    with database.transaction() as session:
        members = [make_member(session) for _ in range(count)]
        empty_outbox(session)  # their admissions' notices
        for member in members:
            mail.queue(
                session, notice=Notice.PASSWORD_CHANGED, member=member, context={}, now=utcnow()
            )
        return [m.email for m in members]


def states(database: Database) -> list[MessageState]:
    with database.reading() as session:
        return [
            m.state for m in session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
        ]


def test_a_message_queued_in_a_rolled_back_transaction_does_not_exist(database: Database) -> None:
    with database.transaction() as session:
        member = make_member(session)
        empty_outbox(session)

    def admit_then_fail() -> None:
        with database.transaction() as session:
            mail.queue(
                session,
                notice=Notice.ADMITTED,
                member=session.get(Member, member.id),
                context={},
                now=utcnow(),
            )
            raise RuntimeError("the event failed")

    with pytest.raises(RuntimeError):
        admit_then_fail()
    assert states(database) == []


def test_queued_mail_is_delivered_over_smtp_once(
    database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    addresses = queue_for(database, 3)
    assert deliver() == 3
    assert deliver() == 0
    assert sorted(str(m["to"]).split("<")[1].rstrip(">") for m in inbox.messages) == sorted(
        addresses
    )
    message = inbox.messages[0]
    assert message["subject"] == "Your password for Aylesbury Learning Partnership was changed"
    assert message.get_body(preferencelist=("html",)) is not None
    assert "http://testserver.local/forgot-password" in text_of(message)
    assert states(database) == [MessageState.SENT] * 3
    with database.reading() as session:
        assert all(m.context == {} for m in session.exec(select(OutboxMessage)))


def test_a_server_that_is_down_leaves_mail_queued_and_it_goes_when_the_server_is_back(
    database: Database, sending: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    # Nothing listens on this port: the connection is refused.
    down = mail_settings(sending, port + 1 if port < 65000 else port - 1)
    addresses = queue_for(database, 2)
    assert Deliver(database, down)() == 0
    assert states(database) == [MessageState.QUEUED] * 2
    with database.reading() as session:
        messages = session.exec(select(OutboxMessage)).all()
        assert all(m.attempts == 1 and "ConnectionRefusedError" in m.last_error for m in messages)
        retry_at = max(m.next_attempt_at for m in messages)
    assert Deliver(database, sending)() == 0  # not yet: the retry backs off
    assert Deliver(database, sending)(retry_at) == 2
    assert sorted(a for a in addresses if inbox.to(a)) == sorted(addresses)
    assert states(database) == [MessageState.SENT] * 2


def test_a_refusing_server_fails_a_message_after_its_attempts_and_a_governor_can_retry(
    database: Database, sending: Settings, inbox: Inbox
) -> None:
    settings = mail_settings(sending, sending.smtp_port, mail_max_attempts=3)
    with database.transaction() as session:
        governor_id = make_member(session).id
        assert governor_id is not None
    [address] = queue_for(database, 1)
    inbox.refusing = True
    at = utcnow()
    for _ in range(3):
        Deliver(database, settings)(at)
        at += timedelta(hours=2)
    assert states(database) == [MessageState.FAILED]
    with database.reading() as session:
        [row] = views.outbox(session)
        assert row.attempts == 3
        assert "451" in row.last_error
    with database.transaction() as session:
        mail.retry(session, message_id=row.id, actor_id=governor_id, now=at)
    inbox.refusing = False
    assert Deliver(database, settings)(at) == 1
    assert inbox.to(address)


def test_two_senders_racing_send_every_message_exactly_once(
    database: Database, sending: Settings, inbox: Inbox
) -> None:
    settings = mail_settings(sending, sending.smtp_port, mail_per_minute=1000)
    addresses = queue_for(database, 40)
    workers = [
        Deliver(
            Database.connect(database.engine.url.render_as_string(hide_password=False)), settings
        )
        for _ in range(2)
    ]
    start = threading.Barrier(2)
    counts: list[int] = []

    def run(worker: Deliver) -> None:
        start.wait()
        counts.append(worker())

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:
        worker.database.dispose()
    received = [str(m["to"]) for m in inbox.messages]
    assert len(received) == 40 == sum(counts)
    assert sorted({r.split("<")[1].rstrip(">") for r in received}) == sorted(addresses)
    assert states(database) == [MessageState.SENT] * 40


def test_the_rate_limit_holds_back_what_exceeds_a_minute(
    database: Database, sending: Settings, inbox: Inbox
) -> None:
    settings = mail_settings(sending, sending.smtp_port, mail_per_minute=3)
    queue_for(database, 5)
    at = utcnow()
    assert Deliver(database, settings)(at) == 3
    assert Deliver(database, settings)(at + timedelta(seconds=30)) == 0
    assert Deliver(database, settings)(at + timedelta(seconds=61)) == 2


def test_a_sender_that_died_leaves_its_claim_to_be_taken_again_once_its_lease_runs_out(
    database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    queue_for(database, 1)
    at = utcnow()
    with database.transaction() as session:
        [claimed] = sender.claim(session, now=at, limit=10)  # and then the sender dies
    assert deliver(at + timedelta(minutes=1)) == 0  # its lease still holds
    assert deliver(at + timedelta(minutes=11)) == 1
    with database.transaction() as session:  # the dead sender's late settlement changes nothing
        sender.settle_failed(session, claimed, "late", now=at, max_attempts=1)
    assert states(database) == [MessageState.SENT]


def test_audit_records_sending_without_bodies(database: Database, deliver: Deliver) -> None:
    queue_for(database, 1)
    deliver()
    with database.reading() as session:
        from coopvote.audit.models import AuditEvent

        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "mail.sent")).all()
        assert set(event.data) == {"notice", "attempts"}


def _only_the_co_operative(
    server: object, session: object, envelope: object, mechanism: str, auth_data: Any
) -> AuthResult:
    """aiosmtpd's authenticator: one user and password."""
    given = [
        v.decode() if isinstance(v, bytes) else v for v in (auth_data.login, auth_data.password)
    ]
    ok = given == ["coop", "smtp secret"]
    return AuthResult(success=ok, handled=False)  # unhandled: the server answers 535 itself


# A test server on localhost: the warning about AUTH without TLS is what it is about.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_the_sender_authenticates_and_a_wrong_password_leaves_mail_queued(
    database: Database, settings: Settings
) -> None:
    with smtp_server(
        authenticator=_only_the_co_operative,
        auth_required=True,
        auth_require_tls=False,
        auth_exclude_mechanism=["LOGIN"],
    ) as (inbox, port):
        [address] = queue_for(database, 1)
        wrong = mail_settings(settings, port, smtp_user="coop", smtp_password="guess")
        assert Deliver(database, wrong)() == 0
        with database.reading() as session:
            [message] = session.exec(select(OutboxMessage)).all()
            assert "SMTPAuthenticationError" in message.last_error
        right = mail_settings(settings, port, smtp_user="coop", smtp_password="smtp secret")
        assert Deliver(database, right)(message.next_attempt_at) == 1
        assert inbox.to(address)


def test_starttls_is_never_skipped_for_a_server_that_cannot(
    database: Database, sending: Settings, inbox: Inbox
) -> None:
    queue_for(database, 1)
    insisting = mail_settings(sending, sending.smtp_port, smtp_security=SmtpSecurity.STARTTLS)
    assert Deliver(database, insisting)() == 0
    assert inbox.messages == []
    with database.reading() as session:
        [message] = session.exec(select(OutboxMessage)).all()
        assert message.state is MessageState.QUEUED
        assert "STARTTLS" in message.last_error
