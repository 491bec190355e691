"""The election pages through Litestar's test client: forms, what each person is offered, and
refusals shown on the page."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient
from sqlmodel import Session

from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot, Method
from coopvote.clock import utcnow
from coopvote.elections import service as elections
from coopvote.elections import views
from coopvote.elections.rules import ContestDefinition
from coopvote.members.models import Role
from tests.elections.helpers import first_contest, make_election, stand
from tests.factories import make_member
from tests.web.helpers import form, sign_in

PARENTS = ("parents-carers",)


def setup(session: Session) -> tuple[str, str]:
    make_member(session, email="gov@example.org", roles=(Role.GOVERNOR,), constituency="staff")
    make_member(session, email="parent@example.org", name="Pat Parent")
    make_member(session, email="other@example.org", name="Olu Other")
    make_member(session, email="staff@example.org", constituency="staff")
    election = make_election(session)
    ids = election.public_id, first_contest(session, election).public_id
    session.commit()
    return ids


def test_a_member_nominates_through_the_form_and_the_statement_is_sanitised(
    client: TestClient[Any], session: Session
) -> None:
    election, contest = setup(session)
    sign_in(client, "parent@example.org")
    shown = client.get(f"/elections/{election}")
    assert f'action="/elections/{election}/contests/{contest}/nominate"' in shown.text
    made = client.post(
        f"/elections/{election}/contests/{contest}/nominate",
        data=form(
            client, **{f"statement-{contest}": "I will **listen**. <script>alert('x')</script>"}
        ),
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = client.get(f"/elections/{election}").text
    assert "<strong>listen</strong>" in page
    assert "<script>alert" not in page


def test_a_refused_nomination_comes_back_with_the_field_marked(
    client: TestClient[Any], session: Session
) -> None:
    election, contest = setup(session)
    sign_in(client, "parent@example.org")
    refused = client.post(
        f"/elections/{election}/contests/{contest}/nominate",
        data=form(client, **{f"statement-{contest}": "word " * 501}),
    )
    assert refused.status_code == 422
    assert f'id="statement-{contest}"' in refused.text
    assert "aria-invalid" in refused.text
    assert "500 words" in refused.text


def test_a_member_outside_the_contest_is_offered_no_form_and_refused(
    client: TestClient[Any], session: Session
) -> None:
    election, contest = setup(session)
    sign_in(client, "staff@example.org")
    assert "/nominate" not in client.get(f"/elections/{election}").text
    refused = client.post(
        f"/elections/{election}/contests/{contest}/nominate",
        data=form(client, **{f"statement-{contest}": "I am staff."}),
    )
    assert refused.status_code == 403


def test_seconding_approving_closing_and_the_results_page(
    client: TestClient[Any], session: Session
) -> None:
    election, contest = setup(session)
    sign_in(client, "parent@example.org")
    client.post(
        f"/elections/{election}/contests/{contest}/nominate",
        data=form(client, **{f"statement-{contest}": "Vote for me."}),
    )
    page = client.get(f"/elections/{election}").text
    nomination = page.split('id="nomination-')[1].split('"')[0]
    assert "/second" not in page  # not one's own
    sign_in(client, "other@example.org")
    assert (
        f"/elections/nominations/{nomination}/second" in client.get(f"/elections/{election}").text
    )
    seconded = client.post(
        f"/elections/nominations/{nomination}/second", data=form(client), follow_redirects=True
    )
    assert "You have seconded the nomination." in seconded.text
    again = client.post(f"/elections/nominations/{nomination}/second", data=form(client))
    assert "You cannot" in again.text or "already" in again.text
    assert "/approve" not in again.text
    sign_in(client, "gov@example.org")
    approved = client.post(f"/elections/nominations/{nomination}/approve", data=form(client))
    assert "the nominee is a candidate" in approved.text
    closed = client.post(f"/elections/{election}/close-nominations", data=form(client))
    assert "Nominations are closed." in closed.text
    assert "Elected unopposed." in closed.text
    results = client.get(f"/elections/{election}/results").text
    assert "Pat Parent" in results
    assert "1 seat vacant." in results


def test_a_governor_defines_an_election_through_the_form(
    client: TestClient[Any], session: Session
) -> None:
    setup(session)
    sign_in(client, "gov@example.org")
    assert client.get("/elections/new").status_code == 200
    refused = client.post("/elections/new", data=form(client, title="By-election"))
    assert refused.status_code == 422
    assert "Say when nominations open." in refused.text
    assert "An election has at least one contest." in refused.text
    made = client.post(
        "/elections/new",
        data=form(
            client,
            title="By-election",
            nominations_open_at="2030-01-01T09:00",
            nominations_close_at="2030-01-10T09:00",
            voting_opens_at="2030-01-11T09:00",
            voting_closes_at="2030-01-25T09:00",
            seconders="2",
            **{
                "contests.0.title": "Community",
                "contests.0.seats": "1",
                "contests.0.method": "plurality",
                "contests.0.constituency": "community",
            },
        ),
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    sign_in(client, "parent@example.org")
    assert client.get("/elections/new").status_code == 403


def test_your_ballots_in_the_election(client: TestClient[Any], session: Session) -> None:
    voter = make_member(session, email="voter@example.org")
    election = make_election(
        session,
        contests=(
            ContestDefinition(
                "Parents", 1, Method.PLURALITY, eligible_constituencies=("parents-carers",)
            ),
            ContestDefinition("Everyone", 1, Method.PLURALITY),
        ),
    )
    for contest in views.contests(session, election):
        for _ in range(2):
            stand(session, election, contest, make_member(session), make_member(session))
    elections.close_nominations(session, election, actor_id=None, now=utcnow())
    for contest in views.contests(session, election):
        ballot = session.get(Ballot, contest.ballot_id)
        assert ballot is not None
        ballots.open_ballot(session, ballot, actor_id=None, now=utcnow())
    election_id, title = election.public_id, election.title
    session.commit()
    del voter
    sign_in(client, "voter@example.org")
    page = client.get(f"/elections/{election_id}").text
    assert f"Your ballots in the {title}" in page
    assert page.count('class="button" href="/ballots/') == 2


def test_a_candidates_statement_is_a_tap_away_from_the_paper(
    client: TestClient[Any], session: Session
) -> None:
    make_member(session, email="voter@example.org")
    election = make_election(session)
    contest = first_contest(session, election)
    nominations = [
        stand(session, election, contest, make_member(session, name=name), make_member(session))
        for name in ("Ann Ash", "Ben Birch", "Cy Cedar")
    ]
    elections.close_nominations(session, election, actor_id=None, now=utcnow())
    ballot = session.get(Ballot, first_contest(session, election).ballot_id)
    assert ballot is not None
    ballots.open_ballot(session, ballot, actor_id=None, now=utcnow())
    ballot_id, first = ballot.public_id, nominations[0].public_id
    session.commit()
    sign_in(client, "voter@example.org")
    paper = client.get(f"/ballots/{ballot_id}").text
    assert f'href="/elections/nominations/{first}"' in paper
    statement = client.get(f"/elections/nominations/{first}")
    assert statement.status_code == 200
    assert "Ann Ash" in statement.text
    assert "<strong>listen</strong>" in statement.text
