"""The auditor's workspace: dashboard, log browser and exports."""

import csv
import io
import json
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import text
from sqlmodel import col, select

from coopvote.audit.chain import Head, event_hash
from coopvote.audit.models import AuditEvent
from coopvote.audit.service import current_head
from coopvote.ballots.service import cast_vote
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Role
from tests.audit.chains import TAMPERINGS, append, as_owner
from tests.factories import make_ballot, make_member
from tests.web.auditing import OFFICER_NAME, signed_in_as


def events(database: Database) -> list[AuditEvent]:
    with database.transaction() as session:
        return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all())


def test_the_dashboard_shows_a_verified_chain_and_its_head(
    client: TestClient[Any], database: Database
) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    with database.transaction() as session:
        head = current_head(session)
    response = client.get("/audit")
    assert response.status_code == 200
    assert "The audit log verifies" in response.text
    assert f'<code class="hash">{head}</code>' in response.text
    assert "Keep a copy of this head" in response.text
    assert 'href="/audit"' in response.text  # the auditor's link in the navigation


def test_the_dashboard_names_the_first_bad_event(
    client: TestClient[Any], database: Database
) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    with as_owner(database) as connection:
        TAMPERINGS["edited"].change(connection)
    page = client.get("/audit").text
    assert "The audit log is broken" in page
    assert "At event 3: its content does not match its hash." in page
    assert "Keep a copy" not in page


def test_the_dashboard_checks_a_kept_head(client: TestClient[Any], database: Database) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    with database.transaction() as session:
        kept = current_head(session)
    assert "still has the hash you kept" in client.get("/audit", params={"head": str(kept)}).text
    forged = Head(kept.seq, "0" * 64)
    page = client.get("/audit", params={"head": str(forged)}).text
    assert f"At event {kept.seq}: differs from the head you kept." in page
    malformed = client.get("/audit", params={"head": "yesterday"})
    assert malformed.status_code == 422
    assert "sequence number, a colon" in malformed.text


def test_the_dashboard_reconciles_each_ballot(client: TestClient[Any], database: Database) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    with database.transaction() as session:
        voter = make_member(session)
        ballot = make_ballot(session, title="Adopt the budget")
        assert voter.id is not None
        cast_vote(session, ballot, member_id=voter.id, paper={"choice": "for"}, now=utcnow())
    assert "The ballot reconciles." in client.get("/audit").text
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE roll_entry SET has_voted = false"))
    page = client.get("/audit").text
    assert "1 of 1 ballots do not reconcile" in page
    assert "0 members marked as having voted, but 1 tracker on the board." in page


def test_a_ballot_whose_roll_froze_empty_is_flagged_to_auditors_and_governors(
    client: TestClient[Any], database: Database
) -> None:
    signed_in_as(client, database, Role.AUDITOR, Role.GOVERNOR)
    with database.transaction() as session:
        ballot = make_ballot(session, title="Nobody's ballot", eligible_constituencies=["staff"])
    assert ballot.roll_size == 0
    assert "1 ballot opened with an empty roll" in client.get("/audit").text
    assert "Empty roll" in client.get("/governance/ballots").text
    assert "Empty roll:" in client.get(f"/governance/ballots/{ballot.public_id}").text


@pytest.mark.parametrize(
    ("roles", "dashboard", "log"),
    [((Role.AUDITOR,), 200, 200), ((Role.GOVERNOR,), 403, 200), ((), 403, 403)],
)
def test_who_may_see_the_workspace(
    client: TestClient[Any],
    database: Database,
    roles: tuple[Role, ...],
    dashboard: int,
    log: int,
) -> None:
    signed_in_as(client, database, *roles)
    assert client.get("/audit").status_code == dashboard
    assert client.get("/audit/log").status_code == log
    for path in ["/audit/log.csv", "/audit/log.json"]:  # exports are recorded: POSTs
        assert client.post(path).status_code == log, path


def test_the_log_filters_names_and_pages(client: TestClient[Any], database: Database) -> None:
    member_id = signed_in_as(client, database, Role.GOVERNOR)
    with database.transaction() as session:
        append(session, 60, actor="system")  # more than a page
    everything = client.get("/audit/log").text
    assert "Page 1 of 2" in everything
    assert 'href="/audit/log?page=2"' in everything
    filtered = client.get(
        "/audit/log", params={"actor": f"member:{member_id}", "action": "member.admitted"}
    ).text
    assert "5 events match the filters" in filtered
    assert OFFICER_NAME in filtered
    assert "Page 1 of" not in filtered
    assert f"/audit/log.csv?action=member.admitted&amp;actor=member%3A{member_id}" in filtered
    nothing = client.get("/audit/log", params={"from": "2999-01-01", "to": ""}).text
    assert "No events match these filters." in nothing


def test_the_csv_export_holds_what_the_hashes_cover_and_is_audited(
    client: TestClient[Any], database: Database
) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    stored = events(database)
    response = client.post("/audit/log.csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["seq"]) for r in rows] == [e.seq for e in stored]
    for row in rows:  # anyone can recompute every hash from the file alone
        recomputed = event_hash(
            prev_hash=row["prev_hash"],
            seq=int(row["seq"]),
            at=datetime.fromisoformat(row["at"]),
            actor=row["actor"],
            action=row["action"],
            subject=row["subject"],
            data=json.loads(row["data"]),
        )
        assert recomputed == row["hash"]
    last = events(database)[-1]
    assert last.action == "audit.exported"
    assert last.subject == "audit_log"
    assert last.data == {"format": "csv", "events": len(stored), "filters": {}}


def test_the_json_export_is_the_filtered_api_list(
    client: TestClient[Any], database: Database
) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    params = {"action": "member.admitted", "subject": "member:2"}
    exported = client.post("/audit/log.json", params=params)
    assert exported.headers["content-type"].startswith("application/json")
    assert exported.json() == client.get("/api/v1/audit", params=params).json()
    assert len(exported.json()) == 1
    last = events(database)[-1]
    assert last.data == {"format": "json", "events": 1, "filters": params}


def test_a_name_that_looks_like_a_formula_is_defused_in_the_csv(
    client: TestClient[Any], database: Database
) -> None:
    signed_in_as(client, database, Role.AUDITOR)
    with database.transaction() as session:
        sly = make_member(session, name="=HYPERLINK(1)")
    rows = list(csv.DictReader(io.StringIO(client.post("/audit/log.csv").text)))
    assert {r["subject_name"] for r in rows if r["subject"] == f"member:{sly.id}"} == {
        "'=HYPERLINK(1)"
    }


def test_the_script_in_the_docs_recomputes_an_exported_log(
    client: TestClient[Any], database: Database, tmp_path: Path
) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "audit.md").read_text()
    script = tmp_path / "check.py"
    script.write_text(re.findall(r"```python\n(.*?)```", docs, re.DOTALL)[0])
    signed_in_as(client, database, Role.AUDITOR)
    exported = client.post("/audit/log.json").json()
    log = tmp_path / "audit-log.json"
    log.write_text(json.dumps(exported))
    run = subprocess.run([sys.executable, script, log], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"holds: head {exported[-1]['seq']}:{exported[-1]['hash']}"
    exported[2]["data"]["added"] = "later"
    log.write_text(json.dumps(exported))
    run = subprocess.run([sys.executable, script, log], capture_output=True, text=True)
    assert run.returncode == 1
    assert "broken at event 3" in run.stderr
