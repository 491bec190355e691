"""``/api/v1/audit``: the log for auditors and governors, its verification for auditors."""

from itertools import pairwise
from typing import Any

import pytest
from litestar.testing import TestClient

from coopvote.audit.service import current_head
from coopvote.db import Database
from coopvote.members.models import Role
from tests.audit.chains import TAMPERINGS, as_owner
from tests.web.auditing import OFFICER_NAME, signed_in_as

EVENT_KEYS = {"seq", "at", "actor", "action", "subject", "data", "prev_hash", "hash"}


def test_an_auditor_reads_the_log_in_chain_order(
    client: TestClient[Any], database: Database
) -> None:
    member_id = signed_in_as(client, database, Role.AUDITOR)
    events = client.get("/api/v1/audit").json()
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert set(events[0]) >= EVENT_KEYS
    assert all(e["prev_hash"] == before["hash"] for before, e in pairwise(events))
    appended = [
        e for e in events if e["action"] == "member.admitted" and e["subject"] == "member:3"
    ]
    assert appended[0]["actor"] == f"member:{member_id}"
    assert appended[0]["actor_name"] == OFFICER_NAME
    assert appended[0]["data"] == {"member_number": 3}


def test_after_and_limit_page_through_the_log(client: TestClient[Any], database: Database) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    page = client.get("/api/v1/audit", params={"after": 2, "limit": 3}).json()
    assert [e["seq"] for e in page] == [3, 4, 5]
    assert client.get("/api/v1/audit", params={"limit": 0}).status_code == 400
    assert client.get("/api/v1/audit", params={"limit": 1001}).status_code == 400


def test_the_log_filters_by_query_parameters(client: TestClient[Any], database: Database) -> None:
    member_id = signed_in_as(client, database, Role.GOVERNOR)
    events = client.get(
        "/api/v1/audit",
        params={"action": "member.admitted", "actor": f"member:{member_id}", "subject": "member:2"},
    ).json()
    assert [(e["action"], e["subject"]) for e in events] == [("member.admitted", "member:2")]
    assert client.get("/api/v1/audit", params={"from": "2999-01-01"}).json() == []
    assert len(client.get("/api/v1/audit", params={"from": "", "to": ""}).json()) > 5


def test_a_malformed_date_is_a_422_naming_the_parameter(
    client: TestClient[Any], database: Database
) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    response = client.get("/api/v1/audit", params={"to": "31/03/2026"})
    assert response.status_code == 422
    assert "'to'" in response.json()["detail"]


@pytest.mark.parametrize(
    ("roles", "log", "verify"),
    [((Role.AUDITOR,), 200, 200), ((Role.GOVERNOR,), 200, 403), ((), 403, 403)],
)
def test_who_may_read_and_verify(
    client: TestClient[Any], database: Database, roles: tuple[Role, ...], log: int, verify: int
) -> None:
    signed_in_as(client, database, *roles)
    assert client.get("/api/v1/audit").status_code == log
    assert client.get("/api/v1/audit/verify").status_code == verify


def test_verify_reports_an_untouched_chain_and_its_head(
    client: TestClient[Any], database: Database
) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    with database.transaction() as session:
        head = current_head(session)
    answer = client.get("/api/v1/audit/verify").json()
    assert answer == {
        "ok": True,
        "events": head.seq,
        "head": head.hash,
        "seq": head.seq,
        "first_bad_seq": None,
        "problem": None,
    }


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_verify_names_the_first_bad_event_of_a_tampered_chain(
    client: TestClient[Any], database: Database, name: str
) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    tampering = TAMPERINGS[name]
    with as_owner(database) as connection:
        tampering.change(connection)
    answer = client.get("/api/v1/audit/verify").json()
    assert answer["ok"] is False
    assert answer["first_bad_seq"] == tampering.first_bad_seq
    assert answer["problem"]


def test_verify_checks_a_kept_head(client: TestClient[Any], database: Database) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    with database.transaction() as session:
        kept = current_head(session)
    assert client.get("/api/v1/audit/verify", params={"head": str(kept)}).json()["ok"] is True
    wrong = client.get("/api/v1/audit/verify", params={"head": f"{kept.seq}:{'0' * 64}"}).json()
    assert wrong["ok"] is False
    assert wrong["first_bad_seq"] == kept.seq
    malformed = client.get("/api/v1/audit/verify", params={"head": "latest"})
    assert malformed.status_code == 422
    assert "colon" in malformed.json()["detail"]


def test_the_schema_describes_the_audit_api(client: TestClient[Any]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert {"from", "to", "after", "limit", "action"} <= {
        p["name"] for p in paths["/api/v1/audit"]["get"]["parameters"]
    }
    assert "/api/v1/audit/verify" in paths
