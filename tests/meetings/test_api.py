"""The meetings API, role by role: governor, member, proxy holder, chair, tellers, auditor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Role
from tests.factories import make_member
from tests.web.helpers import sign_in


class As:
    """One client, signed in as whoever is asked for next (``as_["chair"]``)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.who: str | None = None

    def __getitem__(self, who: str) -> Client:
        if who != self.who:
            self.client.delete("/api/v1/session")
            sign_in(self.client, f"{who}@example.org")
            self.who = who
        return self.client


def people(database: Database) -> dict[str, str]:
    """Role name → public id; each signs in as ``<role>@example.org``."""
    with database.transaction() as session:
        made = {
            "governor": make_member(session, email="governor@example.org", roles=(Role.GOVERNOR,)),
            "auditor": make_member(session, email="auditor@example.org", roles=(Role.AUDITOR,)),
        }
        for name in ("chair", "teller1", "teller2", "holder", "member", "voter"):
            made[name] = make_member(session, email=f"{name}@example.org")
        return {k: m.public_id for k, m in made.items()}


def meeting_body(days: int) -> dict[str, Any]:
    return {
        "kind": "agm",
        "title": "AGM 2027",
        "starts_at": (utcnow() + timedelta(days=days)).isoformat(),
        "place": "The Grange School hall",
        "items": [
            {"kind": "report", "title": "Accounts", "text": "The accounts."},
            {
                "kind": "resolution",
                "title": "Change article 12",
                "text": "That article 12 be replaced.",
                "resolution_type": "special",
            },
        ],
    }


Client = TestClient[Litestar]


def test_a_meeting_through_the_api_for_every_role(client: Client, database: Database) -> None:
    ids = people(database)
    c = As(client)
    assert c["member"].post("/api/v1/meetings", json=meeting_body(30)).status_code == 403
    short = c["governor"].post("/api/v1/meetings", json=meeting_body(10)).json()["id"]
    assert c["governor"].post(f"/api/v1/meetings/{short}/notice").status_code == 409
    # A draft is the governors' alone.
    assert c["member"].get(f"/api/v1/meetings/{short}").status_code == 404
    blank = meeting_body(30)
    blank["items"][1]["text"] = ""
    blank_id = c["governor"].post("/api/v1/meetings", json=blank).json()["id"]
    assert c["governor"].post(f"/api/v1/meetings/{blank_id}/notice").status_code == 422

    created = c["governor"].post("/api/v1/meetings", json=meeting_body(30))
    assert created.status_code == 201, created.text
    mid = created.json()["id"]
    noticed = c["governor"].post(f"/api/v1/meetings/{mid}/notice")
    assert noticed.status_code == 200, noticed.text
    for name, role in [("chair", "chair"), ("teller1", "teller"), ("teller2", "teller")]:
        r = c["governor"].post(
            f"/api/v1/meetings/{mid}/officers", json={"member": ids[name], "role": role}
        )
        assert r.status_code == 200, r.text
    meeting = c["member"].get(f"/api/v1/meetings/{mid}").json()
    assert meeting["status"] == "noticed"
    assert meeting["proxy_deadline"]
    resolution = meeting["items"][1]
    assert resolution["advance_ballot_id"]
    item = resolution["id"]

    # Member: a directed proxy; holder sees it; over its own: 422.
    put = c["member"].put(
        f"/api/v1/meetings/{mid}/proxy",
        json={"proxy": ids["holder"], "instructions": {item: "for"}},
    )
    assert put.status_code == 200, put.text
    assert (
        c["member"].put(f"/api/v1/meetings/{mid}/proxy", json={"proxy": ids["member"]}).status_code
        == 422
    )
    held = c["holder"].get(f"/api/v1/meetings/{mid}/me").json()["holding"]
    assert held == [
        {"member": ids["member"], "name": held[0]["name"], "instructions": {item: "for"}}
    ]
    # Advance vote through the ordinary ballots API.
    ballot = resolution["advance_ballot_id"]
    assert (
        c["voter"].post(f"/api/v1/ballots/{ballot}/votes", json={"choice": "against"}).status_code
        == 201
    )

    for name in ("chair", "teller1", "teller2", "holder"):
        assert c[name].post(f"/api/v1/meetings/{mid}/attendance").status_code == 201
    assert c["teller1"].post(f"/api/v1/meetings/{mid}/open").status_code == 403
    opened = c["chair"].post(f"/api/v1/meetings/{mid}/open")
    assert opened.status_code == 200, opened.text
    assert opened.json()["quorum"] == {
        "required": 2,
        "in_person": 4,
        "by_proxy": 1,
        "present": 5,
        "met": True,
    }
    base = f"/api/v1/meetings/{mid}/items/{item}"
    assert c["chair"].post(f"{base}/open").status_code == 200
    assert c["voter"].post(f"{base}/votes", json={"choice": "for"}).status_code == 409
    assert c["member"].post(f"{base}/votes", json={"choice": "for"}).status_code == 403
    vote = c["chair"].post(f"{base}/votes", json={"choice": "for"})
    assert vote.status_code == 201
    assert len(vote.json()["receipt"]) == 64
    assert c["holder"].post(f"{base}/votes", json={"choice": "for"}).status_code == 201
    assert c["chair"].post(f"{base}/votes", json={"choice": "maybe"}).status_code == 400
    hands = {"for": 1, "against": 1, "abstain": 0}
    assert c["teller1"].post(f"{base}/tellers", json=hands).json() == {"agreed": None}
    assert c["teller2"].post(f"{base}/tellers", json=hands).json() == {"agreed": hands}
    assert c["member"].get(f"{base}/result").status_code == 404
    assert c["chair"].post(f"{base}/close").status_code == 200
    declared = c["chair"].post(f"{base}/declare")
    assert declared.status_code == 200, declared.text
    result = c["auditor"].get(f"{base}/result").json()
    assert result["channels"] == {
        "advance": {"for": 0, "against": 1, "abstain": 0},
        "in_room": {"for": 2, "against": 0, "abstain": 0},
        "proxy_directed": {"for": 1, "against": 0, "abstain": 0},
        "proxy_discretionary": {"for": 0, "against": 0, "abstain": 0},
        "tellers": hands,
    }
    assert result["totals"] == {"for": 4, "against": 2, "abstain": 0}
    assert result["outcome"] == "not_carried"
    assert "s. 283" in result["rule"]
    recount = c["member"].get(f"{base}/recount").json()
    assert recount["papers"]["in_room"] == ["for", "for"]
    assert recount["sha256"] == result["sha256"]

    assert c["chair"].post(f"/api/v1/meetings/{mid}/close").status_code == 200
    assert c["member"].get(f"/api/v1/meetings/{mid}/minutes").status_code == 404
    draft = c["governor"].get(f"/api/v1/meetings/{mid}/minutes").json()["text"]
    assert "not carried" in draft
    assert (
        c["governor"]
        .put(f"/api/v1/meetings/{mid}/minutes", json={"text": draft + "\nSigned."})
        .status_code
        == 200
    )
    assert c["governor"].post(f"/api/v1/meetings/{mid}/minutes/publish").status_code == 200
    assert c["member"].get(f"/api/v1/meetings/{mid}/minutes").json()["text"].endswith("Signed.")
    log = c["auditor"].get("/api/v1/audit?limit=500").json()
    actions = {e["action"] for e in log}
    assert {
        "meeting.notice_issued",
        "proxy.appointed",
        "motion.declared",
        "minutes.published",
    } <= actions
    assert all("choice" not in e["data"] for e in log)


def test_proxy_appointment_and_revocation(client: Client, database: Database) -> None:
    people(database)
    c = As(client)
    # Notice of exactly 15 days, and a proxy deadline of 48 hours: not yet passed.
    mid = c["governor"].post("/api/v1/meetings", json=meeting_body(15)).json()["id"]
    assert c["governor"].post(f"/api/v1/meetings/{mid}/notice").status_code == 200
    assert (
        c["member"].put(f"/api/v1/meetings/{mid}/proxy", json={"proxy": "chair"}).status_code == 200
    )
    assert c["member"].delete(f"/api/v1/meetings/{mid}/proxy").status_code == 204
    assert c["member"].delete(f"/api/v1/meetings/{mid}/proxy").status_code == 409
    assert (
        c["member"].put(f"/api/v1/meetings/{mid}/proxy", json={"proxy": "nobody"}).status_code
        == 422
    )


def test_admins_change_the_meeting_rules_within_the_law(client: Client, database: Database) -> None:
    with database.transaction() as session:
        make_member(session, email="admin@example.org", roles=(Role.ADMIN,))
    people(database)
    c = As(client)
    rules = c["member"].get("/api/v1/meetings/rules").json()
    assert rules == {
        "notice_clear_days": 14,
        "proxy_deadline_hours": 48,
        "proxy_cap": 5,
        "meeting_quorum": 2,
        "members_resolution_weeks": 6,
    }
    assert c["member"].put("/api/v1/meetings/rules", json=rules).status_code == 403
    too_short = c["admin"].put("/api/v1/meetings/rules", json={**rules, "notice_clear_days": 7})
    assert too_short.status_code == 422
    changed = c["admin"].put("/api/v1/meetings/rules", json={**rules, "notice_clear_days": 21})
    assert changed.json()["notice_clear_days"] == 21
    # A meeting 20 days away now has too short a notice.
    mid = c["governor"].post("/api/v1/meetings", json=meeting_body(20)).json()["id"]
    assert c["governor"].post(f"/api/v1/meetings/{mid}/notice").status_code == 409


def test_a_cancelled_meeting_cancels_its_advance_ballots(
    client: Client, database: Database
) -> None:
    people(database)
    c = As(client)
    mid = c["governor"].post("/api/v1/meetings", json=meeting_body(30)).json()["id"]
    ballot = (
        c["governor"].post(f"/api/v1/meetings/{mid}/notice").json()["items"][1]["advance_ballot_id"]
    )
    assert (
        c["governor"].post(f"/api/v1/meetings/{mid}/cancel", json={"reason": ""}).status_code == 422
    )
    cancelled = c["governor"].post(
        f"/api/v1/meetings/{mid}/cancel", json={"reason": "The hall flooded; a new date follows."}
    )
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "The hall flooded; a new date follows."
    assert c["member"].get(f"/api/v1/ballots/{ballot}").json()["status"] == "cancelled"
    assert (
        c["member"].put(f"/api/v1/meetings/{mid}/proxy", json={"proxy": "chair"}).status_code == 409
    )
