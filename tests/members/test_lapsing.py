"""Membership that lapses (issue 18): terms per constituency, renewal, lapse in the history,
leavers lapsed in bulk, and a lapsed member off the next roll."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlmodel import Session

from coopvote.ballots import views as ballot_views
from coopvote.cli import main
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.errors import InvalidInput
from coopvote.members import lapsing
from coopvote.members.models import MemberStatus, Role
from coopvote.members.views import constituency_by_slug, history
from coopvote.scheduler import tick
from tests.factories import make_ballot, make_member
from tests.web.helpers import form, sign_in


def test_a_membership_not_renewed_lapses_and_drops_off_the_next_roll(
    database: Database,
) -> None:
    long_ago = utcnow() - timedelta(days=400)
    with database.transaction() as session:
        lapsing.set_term(session, slug="parents-carers", days=365, now=long_ago)
        lapsed = make_member(session, at=long_ago)
        renewed = make_member(session, at=long_ago)
        staff = make_member(session, constituency="staff", at=long_ago)
        lapsing.renew(session, member=renewed, now=utcnow() - timedelta(days=30))
        ballot = make_ballot(session, open_now=False, opens_at=utcnow() - timedelta(seconds=1))
        ids = [m.id for m in (lapsed, renewed, staff) if m.id is not None]
    tick(database, utcnow())  # the scheduler lapses first, then opens the ballot
    with database.reading() as session:
        on_roll = [ballot_views.roll_entry(session, ballot, i) is not None for i in ids]
        assert on_roll == [False, True, True]
        lapsed_history = history(session, lapsed)
    assert lapsed_history[-1].to_status is MemberStatus.CEASED
    assert lapsed_history[-1].reason == lapsing.NOT_RENEWED


def test_leavers_lapse_in_bulk_and_a_bad_file_changes_nothing(session: Session) -> None:
    leaver = make_member(session, email="leaver@example.org")
    stays = make_member(session, email="stays@example.org")
    with pytest.raises(InvalidInput, match="line 3: nobody has the address"):
        lapsing.read_leavers(session, "email,reason\nleaver@example.org,\nnobody@example.org,\n")
    assert leaver.status is MemberStatus.ACTIVE
    leavers = lapsing.read_leavers(session, "email,reason\nLeaver@Example.org,Child left\n")
    assert lapsing.lapse_leavers(session, leavers, actor_id=None, now=utcnow()) == 1
    assert str(leaver.status) == MemberStatus.CEASED
    assert history(session, leaver)[-1].reason == "Child left"
    assert stays.status is MemberStatus.ACTIVE
    with pytest.raises(InvalidInput, match="line 2: A member who is ceased cannot be lapsed"):
        lapsing.read_leavers(session, "email\nleaver@example.org\n")


def test_a_member_renews_with_a_click_where_membership_lapses(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        lapsing.set_term(session, slug="parents-carers", days=365, now=utcnow())
        make_member(session, email="parent@example.org", at=utcnow() - timedelta(days=300))
        make_member(session, email="staff@example.org", constituency="staff")
    sign_in(client, "parent@example.org")
    assert "Renew my membership" in client.get("/membership").text
    renewed = client.post("/membership/renew", data=form(client))
    assert "now runs to" in renewed.text
    api = client.post("/api/v1/me/renew")
    assert api.status_code == 200
    assert api.json()["term_ends_at"] > (utcnow() + timedelta(days=364)).isoformat()
    client.delete("/api/v1/session")
    sign_in(client, "staff@example.org")
    assert "Renew my membership" not in client.get("/membership").text
    assert client.post("/api/v1/me/renew").status_code == 409


def test_governors_lapse_leavers_from_a_pasted_csv(
    client: TestClient[Any], database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, roles=(Role.GOVERNOR,), email="gov@example.org")
        make_member(session, email="leaver@example.org")
    sign_in(client, "gov@example.org")
    assert client.get("/register/leavers").status_code == 200
    bad = client.post("/register/leavers", data=form(client, leavers="email\nnobody@example.org\n"))
    assert bad.status_code == 422
    assert "line 2: nobody has the address" in bad.text
    done = client.post(
        "/register/leavers", data=form(client, leavers="email,reason\nleaver@example.org,Left\n")
    )
    assert "Lapsed 1 memberships." in done.text


def test_the_command_line_sets_terms_and_lapses_leavers(
    database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(
        "COOPVOTE_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    with database.transaction() as session:
        make_member(session, email="leaver@example.org")
    cli = CliRunner()
    assert cli.invoke(main, ["register", "term", "students", "365"]).exit_code == 0
    assert cli.invoke(main, ["register", "term", "students", "soon"]).exit_code == 2
    assert cli.invoke(main, ["register", "term", "students", "7"]).exit_code == 1
    leavers = tmp_path / "leavers.csv"
    leavers.write_text("email\nnobody@example.org\n")
    refused = cli.invoke(main, ["register", "lapse", str(leavers)])
    assert refused.exit_code == 1
    assert "line 2" in refused.output
    leavers.write_text("email\nleaver@example.org\n")
    done = cli.invoke(main, ["register", "lapse", str(leavers)])
    assert done.output.strip() == "Lapsed 1 memberships."
    with database.reading() as session:
        students = constituency_by_slug(session, "students")
        assert students is not None
        assert students.lapse_after_days == 365
