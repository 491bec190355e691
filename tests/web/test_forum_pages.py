import re
from typing import Any

import pytest
from litestar.testing import TestClient

from coopvote.db import Database
from coopvote.members.models import Role
from tests.factories import make_member
from tests.web.helpers import form, sign_in

Client = TestClient[Any]
SCRIPT = "Plant **trees**.\n\n<script>document.title = 'pwned'</script>\n\n[x](javascript:alert(1))"


@pytest.fixture
def people(database: Database) -> None:
    with database.transaction() as session:
        for who in ("author", "ann", "bob"):
            make_member(session, email=f"{who}@example.org")
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))


def as_(client: Client, who: str) -> Client:
    client.post("/sign-out", data=form(client))
    sign_in(client, f"{who}@example.org")
    return client


def publish(client: Client) -> str:
    created = as_(client, "author").post(
        "/forum/new", data=form(client, title="Orchards", body=SCRIPT), follow_redirects=False
    )
    assert created.status_code == 303, created.text
    return str(created.headers["location"])


@pytest.mark.usefixtures("people")
def test_a_proposal_page_renders_markdown_and_never_a_script(client: Client) -> None:
    shown = client.get(publish(client))
    assert "<strong>trees</strong>" in shown.text
    assert "<script>document.title" not in shown.text
    assert "&lt;script&gt;" in shown.text  # shown as text, never as markup
    assert 'href="javascript' not in shown.text
    assert '<progress id="progress-' in shown.text
    assert "0 supporters · 2 needed for a ballot" in shown.text


@pytest.mark.usefixtures("people")
def test_members_support_through_the_page_and_a_governor_promotes(client: Client) -> None:
    url = publish(client)
    assert "Support this proposal" not in client.get(url).text  # not the author's own
    for who in ("ann", "bob"):
        as_(client, who).post(f"{url}/support", data=form(client))
    page = client.get(url).text
    assert "You support this proposal." in page
    assert "Ready for ballot" in page
    assert "Orchards" in as_(client, "bob").get("/forum/mine").text
    ready = as_(client, "gov").get("/forum/ready").text
    assert "Orchards" in ready
    missing = client.post(f"{url}/ballot", data=form(client, threshold="simple"))
    assert missing.status_code == 422
    promoted = client.post(
        f"{url}/ballot",
        data=form(client, threshold="simple", closes_at="2099-01-01T12:00"),
        follow_redirects=False,
    )
    assert promoted.headers["location"].startswith("/governance/ballots/")
    assert "Balloted" in client.get(url).text


@pytest.mark.usefixtures("people")
def test_a_governor_hides_with_a_reason_that_the_author_sees(client: Client) -> None:
    url = publish(client)
    as_(client, "ann").post(f"{url}/comments", data=form(client, body="Nice *idea*"))
    assert "<em>idea</em>" in client.get(url).text
    as_(client, "gov").post(f"{url}/hide", data=form(client, reason="Duplicate of another"))
    assert as_(client, "ann").get(url).status_code == 404
    assert "Duplicate of another" in as_(client, "author").get(url).text


@pytest.mark.usefixtures("people")
def test_the_list_filters_by_status_scope_and_search(client: Client) -> None:
    publish(client)
    as_(client, "ann")
    assert "Orchards" in client.get("/forum", params={"q": "orch"}).text
    assert "Orchards" not in client.get("/forum", params={"q": "nothing"}).text
    assert "Orchards" in client.get("/forum", params={"status": "open"}).text
    assert "Orchards" not in client.get("/forum", params={"status": "carried"}).text
    assert "Orchards" not in client.get("/forum", params={"scope": "the-grange"}).text
    assert re.search(r"1 proposal\.", client.get("/forum", params={"scope": "whole-trust"}).text)
