"""Notices caused by other areas: admission, ballots, results, the forum; reminders to
non-voters only; members' choices and one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from litestar.testing import TestClient
from sqlmodel import Session, col, select

from coopvote.ballots import service as ballots
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.forum import service as forum
from coopvote.mail import service as mail
from coopvote.mail import views
from coopvote.mail.models import MessageState, Notice, OutboxMessage, Topic
from coopvote.members import service as members
from coopvote.members.models import MemberStatus, Role
from coopvote.members.rules import Transition
from coopvote.results import service as results
from tests.factories import make_ballot, make_member, make_proposal
from tests.mail.conftest import Deliver
from tests.mail.smtp import Inbox, empty_outbox, text_of
from tests.web.helpers import form, sign_in


def queued(session: Session, notice: Notice) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.notice == notice)))


def test_an_applicant_hears_of_admission_and_of_rejection_with_the_reason(
    session: Session,
) -> None:
    admitted = make_member(session, status=MemberStatus.PENDING)
    rejected = make_member(session, status=MemberStatus.PENDING)
    empty_outbox(session)
    now = utcnow()
    members.change_status(
        session, member=admitted, transition=Transition.ADMITTED, actor_id=None, now=now
    )
    members.change_status(
        session,
        member=rejected,
        transition=Transition.REJECTED,
        actor_id=None,
        now=now,
        reason="Not a parent at our schools",
    )
    [welcome] = queued(session, Notice.ADMITTED)
    [refusal] = queued(session, Notice.REJECTED)
    assert welcome.recipient == admitted.email
    assert welcome.context["member_number"] == admitted.member_number
    assert refusal.recipient == rejected.email
    assert refusal.context["reason"] == "Not a parent at our schools"


def test_a_ballot_opening_tells_its_roll_with_the_closing_time_in_the_cooperatives_zone(
    database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    with database.transaction() as session:
        voters = [make_member(session) for _ in range(3)]
        make_member(session, status=MemberStatus.PENDING)  # not on the roll
        empty_outbox(session)
        ballot = make_ballot(session, title="Adopt the new rules")
        closes_at = ballot.closes_at
    assert deliver() == 3
    assert sorted(str(m["to"]) for m in inbox.messages) == sorted(
        f"{v.name} <{v.email}>" for v in voters
    )
    message = inbox.messages[0]
    assert message["subject"] == "Ballot open: Adopt the new rules"
    text = text_of(message)
    assert f"/ballots/{ballot.public_id}" in text
    local = closes_at.astimezone(ZoneInfo("Europe/London"))
    assert local.strftime("%H:%M") in text
    assert str(local.tzname()) in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_reminders_reach_exactly_the_members_who_have_not_voted_and_name_nobody(
    database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    with database.transaction() as session:
        voters = [make_member(session) for _ in range(4)]
        ballot = make_ballot(session)
        for voter in voters[:2]:
            assert voter.id is not None
            ballots.cast_vote(
                session, ballot, member_id=voter.id, paper={"choice": "for"}, now=utcnow()
            )
        empty_outbox(session)
        mail.schedule_reminders(session, ballot=ballot, at=[utcnow() - timedelta(minutes=1)])
    with database.transaction() as session:
        assert mail.queue_due_reminders(session, utcnow()) == 2
        assert mail.queue_due_reminders(session, utcnow()) == 0  # once
        assert ballot.id is not None
        [reminder] = views.reminders(session, ballot.id)
        assert reminder.sent_count == 2
        rows = views.outbox(session)
        assert {r.recipient for r in rows} == {views.HIDDEN}
    assert deliver() == 2
    assert sorted(m["to"].addresses[0].addr_spec for m in inbox.messages) == sorted(
        v.email for v in voters[2:]
    )
    for message in inbox.messages:
        text = text_of(message)
        assert "not yet voted" in text
        assert all(
            v.name not in text for v in voters if v.email != message["to"].addresses[0].addr_spec
        )
        assert "for" not in message["subject"].lower().split()
    with database.reading() as session:  # once sent, a reminder forgets whom it went to
        sent = session.exec(
            select(OutboxMessage).where(OutboxMessage.notice == Notice.BALLOT_REMINDER)
        ).all()
        assert [(m.recipient, m.member_id) for m in sent] == [("", None), ("", None)]


def test_a_ballots_default_reminder_is_48_hours_before_its_close(session: Session) -> None:
    make_member(session)
    ballot = make_ballot(session)
    assert ballot.id is not None
    [reminder] = views.reminders(session, ballot.id)
    assert reminder.due_at == ballot.closes_at - timedelta(hours=48)


def test_a_published_result_tells_everyone_on_the_roll(session: Session) -> None:
    voters = [make_member(session) for _ in range(2)]
    ballot = make_ballot(session)
    now = utcnow()
    ballots.close_ballot(session, ballot, actor_id=None, now=now)
    empty_outbox(session)
    results.publish_result(session, ballot, actor_id=None, now=now)
    assert sorted(m.recipient for m in queued(session, Notice.RESULT_PUBLISHED)) == sorted(
        v.email for v in voters
    )


def test_a_proposals_author_hears_of_its_threshold_its_ballot_and_its_hiding(
    session: Session,
) -> None:
    author = make_member(session)
    governor = make_member(session, roles=(Role.GOVERNOR,))
    proposal = make_proposal(session, author, supporters=3)
    [reached] = queued(session, Notice.PROPOSAL_THRESHOLD)
    assert reached.recipient == author.email
    assert governor.id is not None
    forum.hide_proposal(
        session, proposal, reason="Names a child", actor_id=governor.id, now=utcnow()
    )
    [hidden] = queued(session, Notice.PROPOSAL_HIDDEN)
    assert hidden.context["reason"] == "Names a child"


def test_one_click_unsubscribe_turns_a_topic_off_without_a_session_or_csrf_token(
    client: TestClient[Any], database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    with database.transaction() as session:
        member = make_member(session)
        empty_outbox(session)
        make_ballot(session)
    deliver()
    url = inbox.last_to(member.email)["List-Unsubscribe"].strip("<>")
    link = urlsplit(url)
    client.cookies.clear()  # a mail client: no session, no CSRF cookie or header
    client.headers.pop("x-csrftoken", None)
    target = f"{link.path}?{link.query}"
    one_click = {"content-type": "application/x-www-form-urlencoded"}
    assert client.get(target).status_code == 200  # shows a button only
    with database.reading() as session:
        assert Topic.BALLOTS in views.topics_on(session, member.id or 0)
    done = client.post(target, content=b"List-Unsubscribe=One-Click", headers=one_click)
    assert done.status_code == 200
    forged = target.replace("topic=ballots", "topic=forum")
    refused = client.post(forged, content=b"List-Unsubscribe=One-Click", headers=one_click)
    assert refused.status_code == 400
    with database.transaction() as session:
        assert views.topics_on(session, member.id or 0) == {Topic.RESULTS, Topic.FORUM}
        empty_outbox(session)
        make_ballot(session)
        assert queued(session, Notice.BALLOT_OPENED) == []


def test_a_member_chooses_their_notices_on_their_page(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        member = make_member(session)
    sign_in(client, member.email)
    assert (
        client.post(
            "/membership/notices", data=form(client, results="on"), follow_redirects=False
        ).status_code
        == 303
    )
    with database.reading() as session:
        assert views.topics_on(session, member.id or 0) == {Topic.RESULTS}
    page = client.get("/membership").text
    assert 'name="results" type="checkbox" checked' in page
    assert 'name="ballots" type="checkbox">' in page


def test_governors_see_the_outbox_with_errors_and_members_do_not(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        governor = make_member(session, roles=(Role.GOVERNOR,))
        member = make_member(session)
        failed = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.member_id) == member.id)
        ).one()
        failed.state, failed.last_error = MessageState.FAILED, "SMTPRecipientsRefused: no such user"
        session.add(failed)
    sign_in(client, member.email)
    assert client.get("/governance/outbox").status_code == 403
    sign_in(client, governor.email)
    page = client.get("/governance/outbox?which=failed")
    assert page.status_code == 200
    assert "no such user" in page.text
    assert member.email in page.text
    retried = client.post(
        f"/governance/outbox/{failed.id}/retry", data=form(client), follow_redirects=False
    )
    assert retried.status_code == 303
    with database.reading() as session:
        again = session.get(OutboxMessage, failed.id)
        assert again is not None
        assert again.state is MessageState.QUEUED


def test_a_governor_sets_a_ballots_reminder_time_on_the_outbox_page(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        governor = make_member(session, roles=(Role.GOVERNOR,))
        ballot = make_ballot(session, title="Choose the orchard's trees")
    sign_in(client, governor.email)
    assert "Choose the orchard" in client.get("/governance/outbox").text
    local = (utcnow() + timedelta(days=2)).astimezone(ZoneInfo("Europe/London"))
    chosen = local.replace(second=0, microsecond=0, tzinfo=None).isoformat(timespec="minutes")
    done = client.post(
        f"/governance/outbox/reminders/{ballot.public_id}",
        data=form(client, remind_at=chosen),
        follow_redirects=False,
    )
    assert done.status_code == 303
    with database.reading() as session:
        [reminder] = views.reminders(session, ballot.id or 0)
        assert reminder.due_at == local.replace(second=0, microsecond=0)
    late = (utcnow() + timedelta(days=30)).astimezone(ZoneInfo("Europe/London"))
    refused = client.post(
        f"/governance/outbox/reminders/{ballot.public_id}",
        data=form(client, remind_at=late.replace(tzinfo=None).isoformat(timespec="minutes")),
    )
    assert "between now and the ballot" in refused.text
