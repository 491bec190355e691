"""Publishing a result: counted once from the stored papers, hashed, audited, never changed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import pytest
from sqlmodel import Session, col, select

from coopvote import tally
from coopvote.audit.models import AuditEvent
from coopvote.ballots import views as ballot_views
from coopvote.ballots.board import final_head
from coopvote.ballots.models import BallotStatus, Method
from coopvote.clock import utcnow
from coopvote.errors import Conflict, InvalidInput, NotFound
from coopvote.results import document
from coopvote.results import service as results
from coopvote.results import views as result_views
from coopvote.results.models import ResultDeclaration
from coopvote.tally import InvalidPaper
from tests.factories import make_ballot, make_member
from tests.results.helpers import closed_ballot, random_papers

SPECIAL = [{"choice": "for"}] * 7 + [{"choice": "against"}] * 2 + [{"choice": "abstain"}]


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq))
        )
    )


def test_publishing_stores_the_count_with_the_hash_of_its_canonical_json(
    session: Session,
) -> None:
    ballot = closed_ballot(session, Method.RESOLUTION, SPECIAL, threshold="three_quarters")
    head_before = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc())).first()
    published = results.publish_result(session, ballot, actor_id=None, now=utcnow())

    declaration = published.declaration
    assert ballot.status is BallotStatus.PUBLISHED
    assert declaration.sha256 == hashlib.sha256(declaration.document.encode()).hexdigest()
    stored = json.loads(declaration.document)
    assert document.canonical_json(stored) == declaration.document
    assert stored["outcome"] == "carried"  # 7 of 9 votes cast is 77.8 %, abstention aside
    assert (stored["votes_cast"], stored["tallies"]["abstain"]) == (10, "1")
    assert head_before is not None
    assert stored["audit_head"] == f"{head_before.seq}:{head_before.hash}"
    (event,) = events(session, "result.published")
    assert event.seq == head_before.seq + 1
    assert event.data["results_sha256"] == declaration.sha256
    assert event.data["audit_head"] == stored["audit_head"]
    assert published.result["results_sha256"] == declaration.sha256


def test_publishing_before_close_or_twice_is_a_conflict(session: Session) -> None:
    open_ballot = make_ballot(session)
    with pytest.raises(Conflict):
        results.publish_result(session, open_ballot, actor_id=None, now=utcnow())
    ballot = closed_ballot(session, Method.RESOLUTION, SPECIAL[:3])
    results.publish_result(session, ballot, actor_id=None, now=utcnow())
    with pytest.raises(Conflict):
        results.publish_result(session, ballot, actor_id=None, now=utcnow())
    assert len(result_views.declarations(session, ballot)) == 1


def test_no_result_can_be_read_or_previewed_before_the_ballot_closes(session: Session) -> None:
    draft = make_ballot(session, open_now=False)
    running = make_ballot(session)
    for ballot in (draft, running):
        with pytest.raises(Conflict):
            result_views.preview(session, ballot, now=utcnow())
        with pytest.raises(NotFound):
            result_views.published(session, ballot)
        with pytest.raises(NotFound):
            result_views.published_result(session, ballot.public_id)
    closed = closed_ballot(session, Method.RESOLUTION, SPECIAL[:2])
    assert result_views.preview(session, closed, now=utcnow())["outcome"] == "carried"
    with pytest.raises(NotFound):  # previewed, but not published
        result_views.published_result(session, closed.public_id)


@pytest.mark.parametrize("method", [Method.IRV, Method.STV, Method.PLURALITY])
def test_the_preview_declares_what_publishing_declares(session: Session, method: Method) -> None:
    ballot = closed_ballot(session, method, random_papers(method, 12, seed=5))
    preview = result_views.preview(session, ballot, now=utcnow())
    published = results.publish_result(session, ballot, actor_id=None, now=utcnow()).result
    counted = ("elected", "rounds", "tallies", "tie_breaks", "tie_order", "tie_order_seed")
    assert {k: preview[k] for k in counted} == {k: published[k] for k in counted}


def test_the_tie_order_is_drawn_from_the_boards_final_head(session: Session) -> None:
    ballot = closed_ballot(session, Method.STV, random_papers(Method.STV, 6, seed=1))
    result = results.publish_result(session, ballot, actor_id=None, now=utcnow()).result
    head = ballot_views.board(session, ballot).head
    entries = ballot_views.board_entries(session, ballot)
    assert head == final_head(ballot.public_id, [entry.tracker for entry in entries])
    (closed,) = events(session, "ballot.closed")
    assert closed.data["board_head"] == head
    seed = head[:32]
    assert result["tie_order_seed"] == seed
    assert result["tie_order"] == sorted(
        result["tie_order"], key=lambda name: hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()
    )


def test_a_void_election_elects_nobody(session: Session) -> None:
    make_member(session)  # on the roll, but does not vote
    ballot = closed_ballot(session, Method.IRV, [{"ranking": ["Ash"]}], quorum_bp=6000)
    result = results.publish_result(session, ballot, actor_id=None, now=utcnow()).result
    assert (result["outcome"], result["quorum_met"], result["elected"]) == ("void", False, [])


def _without_votes_for(original: Any) -> Any:
    """A counting fault: papers for the motion go missing (they come grouped, as
    (paper, number of papers) pairs)."""

    def faulty(facts: Any, papers: Any, seed: str) -> Any:
        return original(facts, [(p, n) for p, n in papers if p != {"choice": "for"}], seed)

    return faulty


def test_a_correction_is_a_new_declaration_linked_to_the_one_it_corrects(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ballot = closed_ballot(session, Method.RESOLUTION, SPECIAL[6:9])  # for, against, against
    with monkeypatch.context() as patched:
        patched.setattr(document, "count_papers", _without_votes_for(document.count_papers))
        first = results.publish_result(session, ballot, actor_id=None, now=utcnow())
    first_text, first_hash = first.declaration.document, first.declaration.sha256
    assert first.result["tallies"]["for"] == "0"

    with pytest.raises(InvalidInput):
        results.correct_result(session, ballot, reason=" ", actor_id=None, now=utcnow())
    corrected = results.correct_result(
        session, ballot, reason="A paper was left out of the count.", actor_id=None, now=utcnow()
    )
    assert corrected.result["version"] == 2
    assert corrected.result["tallies"]["for"] == "1"
    assert corrected.result["corrects"] == {"version": 1, "results_sha256": first_hash}
    assert corrected.declaration.corrects_id == first.declaration.id
    session.expire_all()
    kept = session.get(ResultDeclaration, first.declaration.id)
    assert kept is not None
    assert (kept.document, kept.sha256) == (first_text, first_hash)
    assert result_views.published_result(session, ballot.public_id).declaration.version == 2
    (event,) = events(session, "result.corrected")
    assert event.data["reason"] == "A paper was left out of the count."
    # A recount that changes nothing is not a correction.
    with pytest.raises(Conflict):
        results.correct_result(session, ballot, reason="Again.", actor_id=None, now=utcnow())


def test_receipts_are_found_on_the_board_whatever_their_spacing_and_case(
    session: Session,
) -> None:
    ballot = closed_ballot(session, Method.RESOLUTION, SPECIAL[:1])
    (tracker,) = ballot_views.board(session, ballot).trackers
    typed = " ".join(tracker[i : i + 8] for i in range(0, 64, 8)).upper()
    assert ballot_views.find_tracker(session, typed).id == ballot.id
    with pytest.raises(NotFound):
        ballot_views.find_tracker(session, "a" * 64)


def test_cast_votes_hold_every_paper_and_no_member_or_tracker(session: Session) -> None:
    papers = random_papers(Method.APPROVAL, 5, seed=3)
    ballot = closed_ballot(session, Method.APPROVAL, papers)
    votes = result_views.cast_votes(session, ballot)
    assert [set(vote) for vote in votes] == [{"paper"}] * 5
    labels = {o.id: o.label for o in ballot_views.options(session, ballot)}
    assert sorted(sorted(labels[i] for i in v["paper"]["choices"]) for v in votes) == sorted(
        sorted(p["choices"]) for p in papers
    )


FACTS = document.BallotFacts(
    public_id="b",
    title="Grouped",
    method="stv",
    seats=2,
    threshold=None,
    quorum_bp=0,
    electorate=20,
    options=((1, "Ash"), (2, "Birch"), (3, "Cedar")),
)


def test_grouped_papers_count_as_the_same_papers_one_by_one() -> None:
    """The count takes each distinct paper once, with its number; a paper given in two pairs
    (two stored texts of one paper, or ids 1 and "1") counts for both numbers."""
    grouped: list[tuple[dict[str, Any], int]] = [
        ({"ranking": [1, 2]}, 3),
        ({"ranking": [2, 3, 1]}, 4),
        ({"ranking": ["1", "2"]}, 2),  # the first paper again
        ({"ranking": [3]}, 5),
        ({"ranking": [1, 2]}, 1),  # and again
    ]
    labels = {str(i): label for i, label in FACTS.options}
    one_by_one = [
        {"ranking": [labels[str(i)] for i in p["ranking"]]}
        for p, number in grouped
        for _ in range(number)
    ]
    declared = document.declare(
        FACTS, grouped, seed="5eed", version=1, declared_at="now", audit_head="1:h"
    )
    expected = tally.count(
        "stv",
        FACTS.labels,
        one_by_one,
        seats=2,
        tie_order=[label for _, label in document.tie_order(FACTS, "5eed")],
    )
    assert declared["votes_cast"] == 15
    assert declared["rounds"] == expected.to_json()["rounds"]
    assert declared["elected"] == list(expected.elected)
    assert declared["rounds"][0]["votes"] == {
        "Ash": "6.00000",
        "Birch": "4.00000",
        "Cedar": "5.00000",
    }
    resolution = dataclasses.replace(FACTS, method="resolution", options=())
    counted = document.count_papers(
        resolution, [({"choice": "for"}, 3), ({"choice": "against"}, 2)], "5eed"
    )
    assert counted.to_json()["tallies"] == {"for": "3", "against": "2", "abstain": "0"}


@pytest.mark.parametrize(
    "paper", [{"ranking": [1, [2]]}, {"ranking": [1, True]}, {"rank": [1]}, ["ranking"]]
)
def test_a_grouped_paper_of_the_wrong_shape_is_named(paper: Any) -> None:
    grouped = [({"ranking": [1, 2]}, 3), (paper, 2)]
    with pytest.raises(InvalidPaper, match="a paper"):
        document.count_papers(FACTS, grouped, "5eed")
    with pytest.raises(InvalidPaper, match="does not have"):
        document.count_papers(FACTS, [({"ranking": [1, 4]}, 1)], "5eed")
