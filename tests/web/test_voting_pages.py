"""The cast path of the pages (issue 17): post/redirect/get at every step, so that refreshing
or going Back re-posts nothing; a session that ends mid-vote keeps the member's choices."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient
from sqlmodel import delete

from coopvote.ballots.models import Method
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.members import service as members
from coopvote.members.rules import Transition
from coopvote.security.models import WebSession
from tests.factories import make_ballot, make_member
from tests.web.helpers import form, sign_in

Client = TestClient[Any]


def _voter_and_ballot(client: Client, database: Database, method: Method) -> str:
    with database.transaction() as session:
        make_member(session, email="voter@example.org")
        ballot_id = make_ballot(session, method=method).public_id
    sign_in(client, "voter@example.org")
    return ballot_id


def _voter_tag(paper_page: str) -> str:
    found = re.search(r'name="voter" value="([0-9a-f]+)"', paper_page)
    assert found, "the paper carries the voter's tag"
    return found[1]


def test_each_step_of_casting_is_a_redirect_to_a_page_that_can_be_shown_again(
    client: Client, database: Database
) -> None:
    ballot_id = _voter_and_ballot(client, database, Method.RESOLUTION)
    paper = client.get(f"/ballots/{ballot_id}")
    checked = client.post(
        f"/ballots/{ballot_id}/review",
        data=form(client, choice="against", voter=_voter_tag(paper.text)),
        follow_redirects=False,
    )
    assert checked.status_code == 303
    assert checked.headers["location"] == f"/ballots/{ballot_id}/review"
    review = client.get(f"/ballots/{ballot_id}/review")
    assert "Against" in review.text
    assert "Cast my vote" in review.text
    assert review.text == client.get(f"/ballots/{ballot_id}/review").text  # refreshed: the same
    # "Change my choices" is the paper, filled in as it was.
    assert 'value="against" checked' in client.get(f"/ballots/{ballot_id}").text
    paper_json = re.search(r'name="paper" value="([^"]+)"', review.text)
    assert paper_json
    cast = client.post(
        f"/ballots/{ballot_id}/vote",
        data=form(client, paper=paper_json[1].replace("&#34;", '"')),
        follow_redirects=False,
    )
    assert cast.status_code == 303
    assert cast.headers["location"] == f"/ballots/{ballot_id}/receipt"
    (tracker,) = client.get(f"/api/v1/ballots/{ballot_id}/board").json()["trackers"]
    for _refresh in range(2):
        receipt = client.get(f"/ballots/{ballot_id}/receipt")
        assert receipt.status_code == 200
        assert f'data-copy="{tracker}"' in receipt.text
    # Back to the review step: it says so, and offers no Cast button.
    back = client.get(f"/ballots/{ballot_id}/review")
    assert back.status_code == 200
    assert "You have voted" in back.text
    assert "Cast my vote" not in back.text
    assert f"/ballots/{ballot_id}/receipt" in back.text
    assert "coopvote_paper" not in client.cookies  # forgotten once cast


def test_the_review_step_without_a_paper_filled_in_is_the_paper(
    client: Client, database: Database
) -> None:
    ballot_id = _voter_and_ballot(client, database, Method.RESOLUTION)
    shown = client.get(f"/ballots/{ballot_id}/review", follow_redirects=False)
    assert shown.status_code == 303
    assert shown.headers["location"] == f"/ballots/{ballot_id}"


def test_a_session_that_ends_mid_vote_keeps_the_choices_for_after_signing_in(
    client: Client, database: Database
) -> None:
    ballot_id = _voter_and_ballot(client, database, Method.STV)
    paper = client.get(f"/ballots/{ballot_id}")
    first, second = re.findall(r'name="(rank-\d+)"', paper.text)[:2]
    with database.transaction() as session:
        session.exec(delete(WebSession))
    sent = client.post(
        f"/ballots/{ballot_id}/review",
        data=form(client, voter=_voter_tag(paper.text), **{first: "2", second: "1"}),
        headers={"referer": f"http://testserver.local/ballots/{ballot_id}"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/sign-in?next=/ballots/{ballot_id}"
    assert client.get(f"/ballots/{ballot_id}", follow_redirects=False).status_code == 303
    sign_in(client, "voter@example.org")
    again = client.get(f"/ballots/{ballot_id}")
    assert re.search(rf'name="{first}".*?<option value="2" selected>', again.text, re.S)
    assert re.search(rf'name="{second}".*?<option value="1" selected>', again.text, re.S)
    # Nothing was cast: the member reviews and casts afresh.
    assert client.get(f"/api/v1/ballots/{ballot_id}/board").json()["trackers"] == []


def test_a_kept_paper_is_shown_to_no_other_member(client: Client, database: Database) -> None:
    ballot_id = _voter_and_ballot(client, database, Method.RESOLUTION)
    paper = client.get(f"/ballots/{ballot_id}")
    client.post(
        f"/ballots/{ballot_id}/review",
        data=form(client, choice="abstain", voter=_voter_tag(paper.text)),
    )
    with database.transaction() as session:
        make_member(session, email="next@example.org")
    sign_in(client, "next@example.org")
    assert "checked" not in client.get(f"/ballots/{ballot_id}").text
    assert client.get(f"/ballots/{ballot_id}/review").url.path == f"/ballots/{ballot_id}"


def test_a_form_sent_after_the_session_ended_returns_to_its_page_after_signing_in(
    client: Client, database: Database
) -> None:
    """Never to the form's own address, which answers only its POST (a 405)."""
    ballot_id = _voter_and_ballot(client, database, Method.RESOLUTION)
    with database.transaction() as session:
        session.exec(delete(WebSession))
    sent = client.post(
        f"/ballots/{ballot_id}/vote",
        data=form(client, paper='{"choice": "for"}'),
        headers={"referer": f"http://testserver.local/ballots/{ballot_id}/review"},
        follow_redirects=False,
    )
    assert sent.headers["location"] == f"/sign-in?next=/ballots/{ballot_id}/review"
    # A referrer from another site is never followed.
    sent = client.post(
        f"/ballots/{ballot_id}/vote",
        data=form(client, paper='{"choice": "for"}'),
        headers={"referer": "http://elsewhere.example/ballots"},
        follow_redirects=False,
    )
    assert sent.headers["location"] == "/sign-in?next=/"


def test_a_suspended_member_is_told_why_before_the_paper(
    client: Client, database: Database
) -> None:
    told = "Your membership is suspended"
    with database.transaction() as session:
        member = make_member(session, email="voter@example.org")
        ballot_id = make_ballot(session).public_id  # the member is on its roll
        members.change_status(
            session,
            member=member,
            transition=Transition.SUSPENDED,
            actor_id=None,
            reason="test",
            now=utcnow(),
        )
    sign_in(client, "voter@example.org")
    listed = client.get("/ballots")
    assert told in listed.text
    assert "Vote<span" not in listed.text
    paper = client.get(f"/ballots/{ballot_id}")
    assert told in paper.text
    assert "Review my vote" not in paper.text


def test_a_member_not_on_the_roll_is_told_why(client: Client, database: Database) -> None:
    with database.transaction() as session:
        ballot_id = make_ballot(session).public_id
        make_member(session, email="late@example.org")
    sign_in(client, "late@example.org")
    paper = client.get(f"/ballots/{ballot_id}")
    assert "You are not on the roll for this ballot" in paper.text
    assert "members admitted later" in paper.text
    assert "Review my vote" not in paper.text


def test_a_paper_refused_says_so_in_its_own_words_and_links_to_its_field(
    client: Client, database: Database
) -> None:
    ballot_id = _voter_and_ballot(client, database, Method.RESOLUTION)
    refused = client.post(f"/ballots/{ballot_id}/review", data=form(client, choice="maybe"))
    assert refused.status_code == 422
    assert "Choose For, Against or Abstain." in refused.text
    assert "{" not in refused.text.split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#paper"' in refused.text
    assert 'id="paper"' in refused.text


def test_the_signed_in_home_page_is_the_members_dashboard(
    client: Client, database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="voter@example.org")
        ballot = make_ballot(session, title="Adopt the budget")
    sign_in(client, "voter@example.org")
    home = client.get("/").text
    assert "Your ballots" in home
    assert f'href="/ballots/{ballot.public_id}"' in home
    assert "Not yet voted" in home
    assert "Recent results" in home
    assert "Proposals you support" in home
