"""Results pages: a page per method with the outcome in one sentence, the index, the
receipt checker, and the governors' preview and publish button."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

import pytest
from litestar.testing import TestClient

from coopvote.ballots.models import Method
from coopvote.db import Database
from coopvote.members.models import Role
from coopvote.results import views as result_views
from coopvote.results.summary import outcome_sentence
from tests.factories import make_ballot, make_member
from tests.results.helpers import closed_ballot, published_ballot, random_papers
from tests.web.helpers import form, sign_in

Client = TestClient[Any]


@pytest.fixture
def reader(client: Client, database: Database) -> Client:
    with database.transaction() as session:
        make_member(session, email="reader@example.org")
    sign_in(client, "reader@example.org")
    return client


@pytest.mark.parametrize("method", list(Method))
def test_each_method_has_a_result_page_that_says_the_outcome(
    reader: Client, database: Database, method: Method
) -> None:
    ballot_id = published_ballot(database, method, random_papers(method, 9, seed=9))
    result = reader.get(f"/api/v1/ballots/{ballot_id}/results").json()
    page = reader.get(f"/results/{ballot_id}")
    assert page.status_code == 200
    assert escape(outcome_sentence(result)) in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page.text
    assert result["results_sha256"] in page.text
    assert ("Round by round" in page.text) == (method in {Method.IRV, Method.STV, Method.MEEK})
    assert ("Head to head" in page.text) == (method is Method.SCHULZE)
    assert ("cast-votes.blt" in page.text) == (
        method not in {Method.RESOLUTION, Method.PLURALITY, Method.APPROVAL}
    )


def test_the_index_lists_published_results_newest_first(reader: Client, database: Database) -> None:
    older = published_ballot(database, Method.RESOLUTION, [{"choice": "for"}], title="Older")
    newer = published_ballot(database, Method.RESOLUTION, [{"choice": "for"}], title="Newer")
    with database.transaction() as session:
        closed_ballot(session, Method.RESOLUTION, [{"choice": "for"}], title="Unpublished")
    page = reader.get("/results").text
    assert page.index(f"/results/{newer}") < page.index(f"/results/{older}")
    assert "Unpublished" not in page


def test_the_receipt_checker_confirms_a_recorded_paper(reader: Client, database: Database) -> None:
    ballot_id = published_ballot(database, Method.RESOLUTION, [{"choice": "against"}])
    receipt = reader.get(f"/api/v1/ballots/{ballot_id}/board").json()["trackers"][0]
    assert reader.get("/receipts").status_code == 200
    found = reader.post("/receipts", data=form(reader, receipt=receipt.lower()))
    assert found.status_code == 200
    assert "Recorded" in found.text
    assert f"/results/{ballot_id}" in found.text
    missing = reader.post("/receipts", data=form(reader, receipt="ab" * 32))
    assert missing.status_code == 404
    assert "Not found" in missing.text


def test_governors_preview_a_closed_ballot_and_publish_it(
    client: Client, database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,))
        ballot = closed_ballot(session, Method.IRV, random_papers(Method.IRV, 5, seed=3))
        expected = outcome_sentence(result_views.preview(session, ballot, now=ballot.closes_at))
    sign_in(client, "gov@example.org")
    page = client.get(f"/governance/ballots/{ballot.public_id}")
    assert "Result (preview)" in page.text
    assert escape(expected) in page.text
    published = client.post(
        f"/governance/ballots/{ballot.public_id}/publish",
        data=form(client, confirmed="yes"),
        follow_redirects=False,
    )
    assert published.status_code == 303
    page = client.get(f"/governance/ballots/{ballot.public_id}")
    assert "Result (preview)" not in page.text
    assert f"/results/{ballot.public_id}" in page.text
    assert escape(expected) in client.get(f"/results/{ballot.public_id}").text


def test_a_receipt_is_shown_again_only_to_the_browser_session_that_voted(
    client: Client, database: Database
) -> None:
    with database.transaction() as session:
        make_member(session, email="voter@example.org")
        ballot_id = make_ballot(session).public_id
    sign_in(client, "voter@example.org")
    cast = client.post(
        f"/ballots/{ballot_id}/vote",
        data=form(client, paper=json.dumps({"choice": "for"})),
        follow_redirects=False,
    )
    assert cast.status_code == 303
    assert cast.headers["location"] == f"/ballots/{ballot_id}/receipt"
    kept = next(h for h in cast.headers.get_list("set-cookie") if "coopvote_receipts=" in h)
    assert "HttpOnly" in kept
    assert "expires" not in kept.lower()  # and "max-age" neither: it ends with the session
    assert "max-age" not in kept.lower()
    (tracker,) = client.get(f"/api/v1/ballots/{ballot_id}/board").json()["trackers"]
    again = client.get(f"/ballots/{ballot_id}/receipt")
    assert again.status_code == 200
    assert tracker in again.text
    # To another member signing in on this browser: nothing.
    with database.transaction() as session:
        make_member(session, email="next@example.org")
    sign_in(client, "next@example.org")
    assert client.get(f"/ballots/{ballot_id}/receipt").status_code == 404
    sign_in(client, "voter@example.org")
    assert client.get(f"/ballots/{ballot_id}/receipt").status_code == 200
    # Forged, or in another browser: nothing.
    kept = client.cookies["coopvote_receipts"]
    client.cookies["coopvote_receipts"] = kept[:-1] + ("1" if kept.endswith("0") else "0")
    assert client.get(f"/ballots/{ballot_id}/receipt").status_code == 404
    del client.cookies["coopvote_receipts"]
    assert client.get(f"/ballots/{ballot_id}/receipt").status_code == 404


@pytest.mark.parametrize("sign_out", ["page", "api"])
def test_signing_out_leaves_no_receipt_for_the_browsers_next_user(
    client: Client, database: Database, sign_out: str
) -> None:
    with database.transaction() as session:
        make_member(session, email="voter@example.org")
        ballot_id = make_ballot(session).public_id
    sign_in(client, "voter@example.org")
    cast = client.post(
        f"/ballots/{ballot_id}/vote", data=form(client, paper=json.dumps({"choice": "for"}))
    )
    assert cast.status_code == 200  # the receipt, after the redirect
    assert "coopvote_receipts" in client.cookies
    if sign_out == "page":
        client.post("/sign-out", data=form(client))
    else:
        client.delete("/api/v1/session")
    assert "coopvote_receipts" not in client.cookies


@pytest.mark.parametrize(
    ("method", "word"),
    [(Method.PLURALITY, "chosen"), (Method.SCHULZE, "chosen"), (Method.STV, "elected")],
)
def test_winners_of_a_poll_are_chosen_seats_are_elected_and_whole_papers_are_whole(
    reader: Client, database: Database, method: Method, word: str
) -> None:
    ballot_id = published_ballot(database, method, random_papers(method, 9, seed=3))
    page = reader.get(f"/results/{ballot_id}").text
    outcome = page.split('class="outcome')[1].split("</p>")[0]
    assert f" {word}." in outcome
    assert f"✓ {word.capitalize()}" in page
    assert not re.search(r'class="number">\d+\.0+<', page)  # "9", never "9.00000"
