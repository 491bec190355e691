"""Reconciliation flags a ballot whose roll, marks and papers disagree."""

from sqlalchemy import text
from sqlmodel import Session

from coopvote.ballots import service as ballots
from coopvote.ballots.models import Ballot
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.results import service as results
from coopvote.results.reconcile import BallotReconciliation, reconcile_ballots
from tests.factories import make_ballot, make_member


def ballot_with_votes(database: Database, *, roll: int, votes: int) -> Ballot:
    with database.transaction() as session:
        voters = [make_member(session) for _ in range(roll)]
        ballot = make_ballot(session)
        for member in voters[:votes]:
            assert member.id is not None
            ballots.cast_vote(
                session, ballot, member_id=member.id, paper={"choice": "for"}, now=utcnow()
            )
    return ballot


def reconciliation(database: Database) -> list[BallotReconciliation]:
    with database.transaction() as session:
        return reconcile_ballots(session)


def test_a_ballot_whose_counts_agree_has_no_problems(database: Database) -> None:
    ballot = ballot_with_votes(database, roll=4, votes=3)
    [found] = reconciliation(database)
    assert (found.public_id, found.roll_size, found.roll_entries) == (ballot.public_id, 4, 4)
    assert (found.marked_as_voted, found.papers) == (3, 3)
    assert found.problems == []


def test_drafts_have_no_roll_and_are_left_out(session: Session) -> None:
    make_ballot(session, open_now=False)
    assert reconcile_ballots(session) == []


def test_a_deleted_paper_is_flagged(database: Database) -> None:
    ballot_with_votes(database, roll=3, votes=2)
    with database.engine.begin() as connection:
        connection.execute(
            text("DELETE FROM paper WHERE receipt = (SELECT MIN(receipt) FROM paper)")
        )
    [found] = reconciliation(database)
    assert found.problems == ["2 members marked as having voted, but 1 paper stored."]


def test_a_removed_mark_is_flagged(database: Database) -> None:
    ballot_with_votes(database, roll=3, votes=2)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE roll_entry SET has_voted = false "
                "WHERE member_id = (SELECT MIN(member_id) FROM roll_entry WHERE has_voted)"
            )
        )
    [found] = reconciliation(database)
    assert found.problems == ["1 member marked as having voted, but 2 papers stored."]


def test_a_member_slipped_onto_the_roll_is_flagged(database: Database) -> None:
    ballot = ballot_with_votes(database, roll=2, votes=0)
    with database.transaction() as session:
        late = make_member(session)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO roll_entry (ballot_id, member_id, has_voted) "
                "SELECT id, :member, false FROM ballot WHERE public_id = :ballot"
            ),
            {"member": late.id, "ballot": ballot.public_id},
        )
    [found] = reconciliation(database)
    assert found.problems == ["The roll holds 3 members, but it held 2 when the ballot opened."]


def test_a_member_swapped_on_the_roll_keeping_its_size_is_flagged(database: Database) -> None:
    ballot = ballot_with_votes(database, roll=2, votes=0)
    with database.transaction() as session:
        outsider = make_member(session)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE roll_entry SET member_id = :outsider "
                "WHERE member_id = (SELECT MIN(member_id) FROM roll_entry) "
                "AND ballot_id = (SELECT id FROM ballot WHERE public_id = :ballot)"
            ),
            {"outsider": outsider.id, "ballot": ballot.public_id},
        )
    [found] = reconciliation(database)
    assert found.problems == ["The roll's members are not those frozen when the ballot opened."]


def published_ballot(database: Database) -> Ballot:
    ballot = ballot_with_votes(database, roll=4, votes=3)
    with database.transaction() as session:
        current = ballots.get_ballot(session, ballot.public_id, utcnow())
        ballots.close_ballot(session, current, actor_id=None, now=utcnow())
        results.publish_result(session, current, actor_id=None, now=utcnow())
    return ballot


def test_a_published_result_reconciles_with_a_recount_of_its_papers(database: Database) -> None:
    published_ballot(database)
    [found] = reconciliation(database)
    assert found.result_sha256 is not None
    assert found.result_sha256_now == found.result_sha256
    assert found.problems == []


def test_a_paper_changed_after_publication_is_flagged(database: Database) -> None:
    published_ballot(database)
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE paper SET choice = :c WHERE receipt = (SELECT MIN(receipt) FROM paper)"),
            {"c": '{"choice": "against"}'},
        )
    [found] = reconciliation(database)
    assert found.problems == [
        "Counting the stored papers again does not give the published result."
    ]


def test_an_edited_result_document_is_flagged(database: Database) -> None:
    published_ballot(database)
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE result_declaration "
                "SET document = replace(document, 'carried', 'not_carried')"
            )
        )
    [found] = reconciliation(database)
    assert found.problems == ["The stored result has been changed since it was published."]
