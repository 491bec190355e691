"""The meetings' pages: calling a meeting through its form, the notice, a proxy by member
number, and refusals shown on the meeting's page."""

from __future__ import annotations

from datetime import timedelta

from litestar import Litestar
from litestar.testing import TestClient

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members.models import Role
from tests.factories import make_member
from tests.web.helpers import form, sign_in

Client = TestClient[Litestar]


def as_(client: Client, who: str) -> Client:
    client.post("/sign-out", data=form(client))
    sign_in(client, f"{who}@example.org")
    return client


def test_a_governor_calls_a_meeting_and_a_member_appoints_a_proxy(
    client: Client, database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        make_member(session, email="ann@example.org")
        holder = make_member(session, email="bob@example.org")
        number = str(holder.member_number)

    as_(client, "gov")
    refused = client.post("/meetings", data=form(client, title="", starts_at="", kind="agm"))
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    starts = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT18:30")
    called = client.post(
        "/meetings",
        data=form(
            client,
            kind="agm",
            title="AGM 2027",
            starts_at=starts,
            place="The hall",
            item0_kind="special",
            item0_title="Change article 12",
            item0_text="That article 12 be replaced.",
        ),
        follow_redirects=False,
    )
    assert called.status_code == 303, called.text
    url = called.headers["location"]
    assert "Issue the notice" in client.get(url).text
    client.post(f"{url}/notice", data=form(client))

    as_(client, "ann")
    shown = client.get(url)
    assert "That article 12 be replaced." in shown.text
    assert "Appoint my proxy" in shown.text
    refused_proxy = client.post(
        f"{url}/proxy", data=form(client, proxy_kind="member", member_number="999999")
    )
    assert "No member has that member number." in refused_proxy.text
    appointed = client.post(
        f"{url}/proxy", data=form(client, proxy_kind="member", member_number=number)
    )
    assert "Your proxy is appointed." in appointed.text
    assert "Revoke my proxy" in appointed.text

    as_(client, "bob")
    assert "Proxies you hold" in client.get(url).text
    # Nobody but the chair opens the meeting: refused, shown as a message.
    assert "Only the chair" in client.post(f"{url}/open", data=form(client)).text
