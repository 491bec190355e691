"""The account flows by mail, end to end: a real SMTP server receives the message, the test
follows its link through the app, as a member would."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members import accounts
from coopvote.members.models import Member, Role
from coopvote.members.transfer import import_csv
from coopvote.security import tokens
from coopvote.security.models import WebSession
from tests.factories import PASSWORD, ensure_organisation, make_member
from tests.mail.conftest import Deliver
from tests.mail.smtp import Inbox, empty_outbox, link_in
from tests.web.helpers import form, sign_in

NEW_PASSWORD = "a brand new passphrase for the orchard"
HEADER = "name,email,constituency,organisation\n"


def signs_in(client: TestClient[Any], email: str, password: str) -> int:
    response = client.post("/api/v1/session", json={"email": email, "password": password})
    if response.status_code == 200:  # signing in binds a new CSRF token to the session
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return response.status_code


def member_with_mail(database: Database, **fields: Any) -> Member:
    with database.transaction() as session:
        member = make_member(session, **fields)
        empty_outbox(session)
    return member


def test_forgot_password_mails_a_single_use_link_that_sets_a_new_password_and_ends_sessions(
    client: TestClient[Any], database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    member = member_with_mail(database)
    sign_in(client, member.email)  # a session elsewhere, which the reset must end
    elsewhere = dict(client.cookies)
    client.cookies.clear()
    client.get("/api/v1/health")  # now as someone signed out, on another browser
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    answer = client.post("/forgot-password", data=form(client, email=member.email.upper()))
    unknown = client.post("/forgot-password", data=form(client, email="nobody@example.org"))
    assert answer.status_code == unknown.status_code == 200
    assert "If an account uses that address" in answer.text
    assert answer.text == unknown.text
    assert deliver() == 1
    link = link_in(inbox.last_to(member.email), "/reset-password?token=")
    shown = client.get(link)
    assert shown.status_code == 200
    assert member.email in shown.text
    token = link.split("token=")[1]
    weak = client.post("/reset-password", data=form(client, token=token, password="short"))
    assert weak.status_code == 422
    assert "at least 12 characters" in weak.text
    done = client.post(
        "/reset-password",
        data=form(client, token=token, password=NEW_PASSWORD),
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/sign-in"
    again = client.post(
        "/reset-password", data=form(client, token=token, password=NEW_PASSWORD + "!")
    )
    assert again.status_code == 400
    assert "This link does not work" in again.text
    assert client.get(link).status_code == 400
    client.cookies.clear()
    client.cookies.update(elsewhere)
    assert client.get("/api/v1/me").status_code == 401  # the other session ended
    client.cookies.clear()
    client.get("/api/v1/health")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    assert signs_in(client, member.email, PASSWORD) == 401
    assert signs_in(client, member.email, NEW_PASSWORD) == 200
    assert deliver() == 1  # the notice that the password changed
    assert "was changed" in str(inbox.last_to(member.email)["subject"])


def test_a_tampered_expired_or_outdated_reset_link_gets_a_clear_page_never_a_500(
    client: TestClient[Any], database: Database
) -> None:
    member = member_with_mail(database)
    assert client.get("/reset-password?token=made-up").status_code == 400
    assert client.get("/reset-password").status_code == 400
    assert (
        client.post(
            "/reset-password", data=form(client, token="x" * 5000, password=NEW_PASSWORD)
        ).status_code
        == 400
    )
    now = utcnow()
    with database.transaction() as session:
        found = session.get(Member, member.id)
        assert found is not None
        token = tokens.issue(session, member=found, purpose=tokens.Purpose.RESET_PASSWORD, now=now)
    with database.reading() as session:
        with pytest.raises(tokens.InvalidToken):  # an hour later
            tokens.peek(session, token, tokens.Purpose.RESET_PASSWORD, now + timedelta(hours=1))
        with pytest.raises(tokens.InvalidToken):  # for something else
            tokens.peek(session, token, tokens.Purpose.INVITATION, now)
    with database.transaction() as session:
        found = session.get(Member, member.id)
        assert found is not None
        new_hash = accounts.hash_new_password(NEW_PASSWORD, email=found.email, name=found.name)
        accounts.set_password(session, email=found.email, password_hash=new_hash, now=now)
    assert client.get(f"/reset-password?token={token}").status_code == 400  # the password changed


def test_an_applicant_signs_in_only_once_their_address_is_confirmed_and_sees_their_own_page(
    client: TestClient[Any], database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
    email = "new.parent@example.org"
    registered = client.post(
        "/register",
        data=form(
            client,
            name="New Parent",
            email=email,
            password=PASSWORD,
            constituency="parents-carers",
            organisation="the-grange",
            agrees_to_rules="on",
        ),
        follow_redirects=False,
    )
    assert registered.status_code == 303
    assert signs_in(client, email, PASSWORD) == 401
    assert deliver() == 1
    link = link_in(inbox.last_to(email), "/confirm-email?token=")
    assert client.get(link).status_code == 200
    assert signs_in(client, email, PASSWORD) == 401  # following the link wrote nothing
    confirmed = client.post(
        "/confirm-email", data=form(client, token=link.split("token=")[1]), follow_redirects=False
    )
    assert confirmed.status_code == 303
    sign_in(client, email)
    assert client.get("/membership").status_code == 200
    assert "waiting for a governor" in client.get("/membership").text
    assert client.get("/forum").status_code == 403
    assert client.get("/api/v1/proposals").status_code in {401, 403}


def test_registering_a_taken_address_answers_alike_and_tells_its_owner(
    client: TestClient[Any], database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    member = member_with_mail(database)
    again = client.post(
        "/register",
        data=form(
            client,
            name="Someone Else",
            email=member.email,
            password="another long password here",
            constituency="parents-carers",
            organisation="the-grange",
            agrees_to_rules="on",
        ),
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert signs_in(client, member.email, "another long password here") == 401
    assert deliver() == 1
    assert "tried to register" in str(inbox.last_to(member.email)["subject"])


def test_an_imported_member_accepts_their_invitation_and_signs_in(
    client: TestClient[Any], database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
        import_csv(
            session,
            io.StringIO(
                f"{HEADER}Imported Parent,imported@example.org,parents-carers,the-grange\n"
            ),
            actor_id=None,
            now=utcnow(),
        )
    assert deliver() == 1  # the invitation only, no separate admission notice
    message = inbox.last_to("imported@example.org")
    assert "invited" in str(message["subject"])
    link = link_in(message, "/invitation?token=")
    assert client.get(link).status_code == 200
    token = link.split("token=")[1]
    accepted = client.post(
        "/invitation", data=form(client, token=token, password=NEW_PASSWORD), follow_redirects=False
    )
    assert accepted.status_code == 303
    assert signs_in(client, "imported@example.org", NEW_PASSWORD) == 200
    assert (
        client.post(
            "/invitation", data=form(client, token=token, password=NEW_PASSWORD)
        ).status_code
        == 400
    )


def test_a_governor_invites_from_the_register_and_sees_who_has_not_accepted(
    client: TestClient[Any], database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
        governor = make_member(session, roles=(Role.GOVERNOR,))
        import_csv(
            session,
            io.StringIO(f"{HEADER}Late Joiner,late@example.org,parents-carers,the-grange\n"),
            actor_id=None,
            now=utcnow(),
        )
        imported = session.exec(select(Member).where(Member.email == "late@example.org")).one()
        empty_outbox(session)
    sign_in(client, governor.email)
    page = client.get(f"/governance/members/{imported.public_id}")
    assert "invited" in page.text
    assert "not yet accepted" in page.text
    resent = client.post(
        f"/governance/members/{imported.public_id}/invite",
        data=form(client),
        follow_redirects=False,
    )
    assert resent.status_code == 303
    assert deliver() == 1
    assert inbox.last_to("late@example.org")
    assert "not yet accepted" in client.get("/governance/members?q=late").text
    refused = client.post(f"/governance/members/{governor.public_id}/invite", data=form(client))
    assert refused.status_code == 409


def test_a_member_changes_their_address_after_their_password_and_a_link_to_the_new_one(
    client: TestClient[Any], database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    member = member_with_mail(database)
    sign_in(client, member.email)
    wrong = client.post(
        "/membership/email",
        data=form(client, email="moved@example.org", email_password="not my password at all"),
    )
    assert wrong.status_code == 422
    assert "not your current password" in wrong.text
    asked = client.post(
        "/membership/email",
        data=form(client, email="moved@example.org", email_password=PASSWORD),
        follow_redirects=False,
    )
    assert asked.status_code == 303
    assert deliver() == 2
    assert "change of your email" in str(inbox.last_to(member.email)["subject"])
    link = link_in(inbox.last_to("moved@example.org"), "/confirm-new-email?token=")
    assert (
        client.post(
            "/confirm-new-email",
            data=form(client, token=link.split("token=")[1]),
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert signs_in(client, "moved@example.org", PASSWORD) == 200
    assert signs_in(client, member.email, PASSWORD) == 401


def test_a_member_changes_their_password_and_is_signed_out_elsewhere(
    client: TestClient[Any], database: Database
) -> None:
    member = member_with_mail(database)
    sign_in(client, member.email)
    elsewhere = dict(client.cookies)
    client.cookies.clear()
    client.get("/api/v1/health")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    sign_in(client, member.email)
    changed = client.post(
        "/membership/password",
        data=form(client, current_password=PASSWORD, password=NEW_PASSWORD),
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert client.get("/api/v1/me").status_code == 200
    client.cookies.clear()
    client.cookies.update(elsewhere)
    assert client.get("/api/v1/me").status_code == 401
    with database.reading() as session:
        sessions = session.exec(select(WebSession).where(WebSession.member_id == member.id))
        assert len(sessions.all()) == 1


def test_the_api_resets_a_password_with_the_mailed_token(
    client: TestClient[Any], database: Database, deliver: Deliver, inbox: Inbox
) -> None:
    member = member_with_mail(database)
    known = client.post("/api/v1/password-reset", json={"email": member.email})
    unknown = client.post("/api/v1/password-reset", json={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    deliver()
    token = link_in(inbox.last_to(member.email), "/reset-password?token=").split("token=")[1]
    forged = {"token": token[:-2], "password": NEW_PASSWORD}
    assert client.post("/api/v1/password-reset/complete", json=forged).status_code == 400
    done = client.post(
        "/api/v1/password-reset/complete", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 200
    assert signs_in(client, member.email, NEW_PASSWORD) == 200
    completion = {"token": token, "password": NEW_PASSWORD}
    assert client.post("/api/v1/password-reset/complete", json=completion).status_code == 400
    assert (
        client.post("/api/v1/email-confirmation/complete", json={"token": "x"}).status_code == 400
    )


def test_mail_requests_are_throttled_per_address(
    client: TestClient[Any], database: Database
) -> None:
    answers = [
        client.post("/api/v1/password-reset", json={"email": "target@example.org"}).status_code
        for _ in range(6)
    ]
    assert answers == [202] * 5 + [429]
