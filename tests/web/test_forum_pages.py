import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlmodel import Session, select

from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.forum import service as forum
from coopvote.members.models import Member, Role
from tests.factories import make_member, make_proposal
from tests.forum.writes import read_without_writing
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
        data=form(
            client,
            threshold="simple",
            closes_at=f"{utcnow() + timedelta(days=30):%Y-%m-%dT12:00}",
        ),
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


def member_by_email(session: Session, who: str) -> Member:
    return session.exec(select(Member).where(Member.email == f"{who}@example.org")).one()


@pytest.fixture
def discussed(database: Database, people: None) -> dict[str, str]:
    """A forum in several states: a proposal ready for a ballot with a discussion (one comment
    hidden), a hidden proposal, and one put to a ballot. Returns their ids."""
    with database.transaction() as session:
        author, ann, bob, gov = (
            member_by_email(session, w) for w in ("author", "ann", "bob", "gov")
        )
        assert None not in (author.id, ann.id, bob.id, gov.id)
        now = utcnow()
        ready = make_proposal(session, author, title="Orchards")
        for backer in (ann, bob):
            forum.support(session, ready, member_id=backer.id or 0, now=now)
        forum.add_comment(session, ready, "Yes", author_id=ann.id or 0, now=now)
        rude = forum.add_comment(session, ready, "Rude", author_id=bob.id or 0, now=now)
        forum.hide_comment(session, ready, rude, reason="Tone", actor_id=gov.id or 0, now=now)
        hidden = make_proposal(session, author, title="Names")
        forum.hide_proposal(session, hidden, reason="Privacy", actor_id=gov.id or 0, now=now)
        balloted = make_proposal(session, author, title="Minutes", supporters=2)
        forum.promote_to_ballot(
            session,
            balloted,
            forum.BallotSchedule(closes_at=now + timedelta(days=7)),
            actor_id=gov.id or 0,
            now=now,
        )
        return {
            "ready": ready.public_id,
            "hidden": hidden.public_id,
            "balloted": balloted.public_id,
        }


def test_reading_the_forum_never_writes(
    client: Client, database: Database, discussed: dict[str, str]
) -> None:
    ready, hidden, balloted = (f"/forum/{discussed[k]}" for k in ("ready", "hidden", "balloted"))
    reads = {
        "author": [
            ("/forum", 200),
            ("/forum?status=open&scope=whole-trust&q=orch", 200),
            ("/forum/new", 200),
            ("/forum/mine", 200),
            (ready, 200),
            (f"{ready}/edit", 409),  # it has support: refused, and nothing written
            (hidden, 200),
            (balloted, 200),
        ],
        "ann": [(hidden, 404), (ready, 200), ("/forum", 200), ("/forum/mine", 200)],
        "gov": [
            ("/forum?status=hidden", 200),
            ("/forum/ready", 200),
            (ready, 200),
            (f"{ready}/ballot", 200),
            (f"{balloted}/ballot", 409),
            (hidden, 200),
            (balloted, 200),
        ],
    }
    for who, paths in reads.items():
        answered, writes = read_without_writing(as_(client, who), database, paths)
        assert answered == paths, who
        assert writes == [], who


@pytest.mark.usefixtures("people")
def test_a_refused_proposal_is_shown_again_with_every_problem_and_what_was_typed(
    client: Client,
) -> None:
    refused = as_(client, "author").post(
        "/forum/new",
        data=form(client, title="", body="Keep these words", organisation="nowhere"),
    )
    assert refused.status_code == 422
    assert "Give the proposal a title." in refused.text
    assert "Choose a scope." in refused.text
    assert "Keep these words" in refused.text


@pytest.mark.usefixtures("people")
def test_a_refused_comment_is_shown_again_as_typed(client: Client) -> None:
    url = publish(client)
    too_long = "word " * 1001
    refused = as_(client, "ann").post(f"{url}/comments", data=form(client, body=too_long))
    assert refused.status_code == 422
    assert "Keep comments under 5,000 characters." in refused.text
    assert too_long.strip() in refused.text
    assert "Discussion (0)" in refused.text


def test_the_ballot_form_reports_every_problem_at_once(
    client: Client, discussed: dict[str, str]
) -> None:
    refused = as_(client, "gov").post(
        f"/forum/{discussed['ready']}/ballot",
        data=form(client, threshold="most", opens_at="soon", closes_at=""),
    )
    assert refused.status_code == 422
    for problem in (
        "Choose a threshold.",
        "Enter a date and time, such as 2026-03-01 09:00.",
        "Say when voting closes.",
    ):
        assert problem in refused.text


def test_only_the_author_may_open_the_edit_form(client: Client, discussed: dict[str, str]) -> None:
    hidden = f"/forum/{discussed['hidden']}"
    assert as_(client, "gov").get(f"{hidden}/edit").status_code == 403
    fresh = publish(client)
    assert client.get(f"{fresh}/edit").status_code == 200
    assert as_(client, "ann").get(f"{fresh}/edit").status_code == 403


def test_the_forum_templates_receive_permissions_not_roles() -> None:
    templates = Path(__file__).parents[2] / "templates" / "forum"
    mentions = {t.name for t in templates.glob("*.html") if "roles" in t.read_text()}
    assert mentions == set()
