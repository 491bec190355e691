from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import event
from sqlmodel import select

from coopvote.db import Database
from coopvote.members.models import Member, MemberStatus, Role
from coopvote.security.models import WebSession
from coopvote.security.passwords import hasher, verify_password
from coopvote.settings import Settings
from coopvote.web import signing as web_signing
from tests.factories import PASSWORD, ensure_organisation, make_member
from tests.web.helpers import sign_in

Client = TestClient[Any]


def add_member(database: Database, **kwargs: Any) -> Member:
    with database.transaction() as session:
        return make_member(session, **kwargs)


def test_sign_in_returns_the_member_and_sets_an_httponly_session_cookie(
    client: Client, database: Database, settings: Settings
) -> None:
    member = add_member(database, email="pat@example.org")
    response = client.post(
        "/api/v1/session", json={"email": "PAT@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["id"] == member.public_id
    cookie = next(
        c
        for c in response.headers.get_list("set-cookie")
        if c.startswith(settings.session_cookie_name)
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    me = client.get("/api/v1/me").json()
    assert me["status"] == "active"
    assert me["member_number"] == member.member_number
    assert me["roles"] == ["member"]


@pytest.mark.parametrize("email", ["pat@example.org", "nobody@example.org"])
def test_wrong_credentials_get_one_generic_answer(
    client: Client, database: Database, email: str
) -> None:
    add_member(database, email="pat@example.org")
    response = client.post(
        "/api/v1/session", json={"email": email, "password": "not the password!"}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong email address or password."


def test_an_unknown_email_still_costs_a_password_verification(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []

    def spy(stored: str, password: str) -> tuple[bool, str | None]:
        verified.append(stored)
        return verify_password(stored, password)

    monkeypatch.setattr(web_signing, "verify_password", spy)
    client.post(
        "/api/v1/session", json={"email": "nobody@example.org", "password": "whatever it is"}
    )
    assert verified, "an unknown email must be compared against a dummy hash for equal timing"


def test_a_planted_session_cookie_is_never_accepted_or_kept(
    client: Client, database: Database, settings: Settings
) -> None:
    add_member(database, email="pat@example.org")
    planted = "attacker-chosen-session-id"
    client.cookies.set(settings.session_cookie_name, planted, domain="testserver.local")
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.set(settings.session_cookie_name, planted, domain="testserver.local")
    sign_in(client, "pat@example.org")
    issued = client.cookies.get(settings.session_cookie_name)
    assert issued
    assert issued != planted
    with database.transaction() as session:
        assert len(session.exec(select(WebSession)).all()) == 1


def test_each_sign_in_mints_a_new_session_id(
    client: Client, database: Database, settings: Settings
) -> None:
    add_member(database, email="pat@example.org")
    sign_in(client, "pat@example.org")
    first = client.cookies.get(settings.session_cookie_name)
    sign_in(client, "pat@example.org")
    assert client.cookies.get(settings.session_cookie_name) != first


def test_sign_out_destroys_the_session_on_the_server(
    client: Client, database: Database, settings: Settings
) -> None:
    add_member(database, email="pat@example.org")
    sign_in(client, "pat@example.org")
    kept_copy = client.cookies.get(settings.session_cookie_name)
    assert kept_copy
    assert client.delete("/api/v1/session").status_code == 204
    client.cookies.set(settings.session_cookie_name, kept_copy, domain="testserver.local")
    assert client.get("/api/v1/me").status_code == 401


def test_failed_sign_ins_are_throttled_per_account_without_hashing(
    client: Client, database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_member(database, email="pat@example.org")
    # Issue 11: the first limit is the account's from one client address.
    for _ in range(settings.throttle_client_failures):
        wrong = client.post(
            "/api/v1/session", json={"email": "pat@example.org", "password": "guess guess guess"}
        )
        assert wrong.status_code == 401
    calls: list[str] = []

    def counting(stored: str, password: str) -> tuple[bool, str | None]:
        calls.append(stored)
        return True, None

    monkeypatch.setattr(web_signing, "verify_password", counting)
    throttled = client.post(
        "/api/v1/session", json={"email": "pat@example.org", "password": PASSWORD}
    )
    assert throttled.status_code == 429
    assert calls == []


def test_failed_sign_ins_are_throttled_per_client_address(
    client: Client, database: Database, settings: Settings
) -> None:
    add_member(database, email="pat@example.org")
    for i in range(settings.throttle_address_failures):
        client.post(
            "/api/v1/session",
            json={"email": f"guess{i}@example.org", "password": "guess guess guess"},
        )
    response = client.post(
        "/api/v1/session", json={"email": "pat@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429


def test_a_lockout_is_audited(client: Client, database: Database, settings: Settings) -> None:
    from coopvote.audit.models import AuditEvent

    add_member(database, email="pat@example.org")
    for _ in range(settings.throttle_client_failures):
        client.post(
            "/api/v1/session", json={"email": "pat@example.org", "password": "guess guess guess"}
        )
    with database.transaction() as session:
        actions = session.exec(select(AuditEvent.action)).all()
    assert "account.throttled" in actions  # issue 11: delays, no more lockouts


def test_successful_sign_ins_from_one_address_are_not_throttled(
    client: Client, database: Database
) -> None:
    for i in range(8):
        add_member(database, email=f"office{i}@example.org")
    for i in range(8):
        sign_in(client, f"office{i}@example.org")


@pytest.mark.usefixtures("asvs_password_hashing")
def test_passwords_are_stored_with_argon2id_at_owasp_strength(
    client: Client, database: Database
) -> None:
    with database.transaction() as session:
        ensure_organisation(session)
    client.post(
        "/api/v1/members",
        json={
            "name": "Pat Parent",
            "email": "pat@example.org",
            "password": "a long new password for me",
            "constituency": "staff",
            "organisation": "the-grange",
        },
    )
    with database.transaction() as session:
        stored = session.exec(select(Member.password_hash)).one()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "a long new password" not in stored


@pytest.mark.usefixtures("asvs_password_hashing")
def test_a_weaker_hash_is_upgraded_at_sign_in(client: Client, database: Database) -> None:
    from argon2 import PasswordHasher

    member = add_member(database, email="pat@example.org")
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    with database.transaction() as session:
        stored = session.get(Member, member.id)
        assert stored is not None
        stored.password_hash = weak
    sign_in(client, "pat@example.org")
    with database.transaction() as session:
        upgraded = session.get(Member, member.id)
        assert upgraded is not None
    assert upgraded.password_hash != weak
    assert not hasher().check_needs_rehash(upgraded.password_hash)


@pytest.mark.parametrize("status", [MemberStatus.CEASED, MemberStatus.REJECTED])
def test_ceased_and_rejected_accounts_cannot_sign_in(
    client: Client, database: Database, status: MemberStatus
) -> None:
    add_member(database, email="pat@example.org", status=status)
    response = client.post(
        "/api/v1/session", json={"email": "pat@example.org", "password": PASSWORD}
    )
    assert response.status_code == 401


def test_office_holders_have_their_roles(client: Client, database: Database) -> None:
    add_member(database, email="gov@example.org", roles=(Role.GOVERNOR, Role.AUDITOR))
    sign_in(client, "gov@example.org")
    assert client.get("/api/v1/me").json()["roles"] == ["member", "auditor", "governor"]


def test_pages_read_within_a_minute_of_signing_in_write_nothing(
    client: Client, database: Database
) -> None:
    add_member(database, email="pat@example.org")
    sign_in(client, "pat@example.org")
    writes: list[str] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    event.listen(database.engine, "before_cursor_execute", spy)
    try:
        assert client.get("/api/v1/me").status_code == 200
        assert client.get("/membership").status_code == 200
    finally:
        event.remove(database.engine, "before_cursor_execute", spy)
    assert writes == []
