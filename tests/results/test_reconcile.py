"""Reconciliation flags a ballot whose roll, marks, board, sealed and opened papers disagree;
the database itself refuses changes to the board and the papers."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from coopvote.ballots import box, keys
from coopvote.ballots import service as ballots
from coopvote.ballots import views as ballot_views
from coopvote.ballots.board import next_head
from coopvote.ballots.models import Ballot
from coopvote.clock import utcnow
from coopvote.db import Database
from coopvote.results import service as results
from coopvote.results.reconcile import BallotReconciliation, reconcile_ballots
from tests.ballots.tampering import unguarded
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
    # Open: three sealed papers on the board, none opened yet.
    assert (found.marked_as_voted, found.board, found.papers) == (3, 3, 0)
    assert found.problems == []


def test_drafts_have_no_roll_and_are_left_out(session: Session) -> None:
    make_ballot(session, open_now=False)
    assert reconcile_ballots(session) == []


def test_a_deleted_sealed_paper_is_flagged(database: Database) -> None:
    ballot_with_votes(database, roll=3, votes=2)
    with unguarded(database) as connection:
        connection.execute(
            text("DELETE FROM sealed_paper WHERE tracker = (SELECT MIN(tracker) FROM sealed_paper)")
        )
    [found] = reconciliation(database)
    assert found.problems == ["Trackers on the board without a sealed paper: 1."]


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
    assert found.problems == ["1 member marked as having voted, but 2 trackers on the board."]


def stuff(database: Database, ballot: Ballot, choice: dict[str, str]) -> str:
    """Mark an abstainer as voted and put a properly sealed paper in the box, behind the app's
    back: what a stuffer with the database (and even the key) would do. The new tracker."""
    sealed = box.seal(keys.public_key(ballot.public_id), choice, 200)
    with unguarded(database) as connection:
        connection.execute(
            text(
                "UPDATE roll_entry SET has_voted = true "
                "WHERE member_id = (SELECT MIN(member_id) FROM roll_entry WHERE NOT has_voted)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO sealed_paper (tracker, ballot_id, sealed) "
                "SELECT :tracker, id, :sealed FROM ballot WHERE public_id = :ballot"
            ),
            {"tracker": box.tracker(sealed), "sealed": sealed, "ballot": ballot.public_id},
        )
    return box.tracker(sealed)


def test_stuffing_a_mark_and_a_sealed_paper_is_flagged(database: Database) -> None:
    ballot = ballot_with_votes(database, roll=3, votes=2)
    stuff(database, ballot, {"choice": "against"})
    [found] = reconciliation(database)
    assert found.problems == [
        "3 members marked as having voted, but 2 trackers on the board.",
        "Sealed papers in the box but not on the board: 1.",
    ]


def test_an_edited_sealed_paper_is_flagged(database: Database) -> None:
    ballot = ballot_with_votes(database, roll=3, votes=2)
    other = box.seal(keys.public_key(ballot.public_id), {"choice": "against"}, 200)
    with unguarded(database) as connection:
        connection.execute(
            text(
                "UPDATE sealed_paper SET sealed = :other "
                "WHERE tracker = (SELECT MIN(tracker) FROM sealed_paper)"
            ),
            {"other": other},
        )
    [found] = reconciliation(database)
    assert found.problems == [
        "Sealed papers changed since they were cast (they no longer match their trackers): 1."
    ]


def test_a_board_entry_removed_is_flagged(database: Database) -> None:
    ballot_with_votes(database, roll=3, votes=3)
    with unguarded(database) as connection:
        connection.execute(text("DELETE FROM board_entry WHERE position = 2"))
    [found] = reconciliation(database)
    assert found.problems == [
        "3 members marked as having voted, but 2 trackers on the board.",
        "The bulletin board was changed: the board's entry 2 is missing (the next is 3).",
        "Sealed papers in the box but not on the board: 1.",
    ]


def test_a_reordered_board_is_flagged(database: Database) -> None:
    ballot_with_votes(database, roll=3, votes=3)
    with unguarded(database) as connection:
        connection.execute(text("UPDATE board_entry SET position = 9 WHERE position = 1"))
        connection.execute(text("UPDATE board_entry SET position = 1 WHERE position = 2"))
        connection.execute(text("UPDATE board_entry SET position = 2 WHERE position = 9"))
    [found] = reconciliation(database)
    assert found.problems == [
        "The bulletin board was changed: the board's chain is broken at entry 1.",
        "Board entries not appended by coopvote (no valid seal): 2, at positions 1, 2.",
    ]


def test_a_board_extended_after_close_is_flagged(database: Database) -> None:
    """Even with a valid chain: the head no longer is the one the audit log recorded at close."""
    ballot = closed_ballot_with_votes(database)
    tracker = stuff(database, ballot, {"choice": "for"})
    with database.transaction() as session:
        tip = ballot_views.board_tip(session, ballot)
    with unguarded(database) as connection:
        connection.execute(
            text(
                "INSERT INTO board_entry (ballot_id, position, tracker, head) "
                "SELECT id, :position, :tracker, :head FROM ballot WHERE public_id = :ballot"
            ),
            {
                "position": tip.position + 1,
                "tracker": tracker,
                "head": next_head(tip.head, tracker),
                "ballot": ballot.public_id,
            },
        )
    [found] = reconciliation(database)
    assert found.problems == [
        "Board entries not appended by coopvote (no valid seal): 1, at position 4.",
        "The board's head is not the one recorded when the ballot closed.",
        "member.voted events for the ballot: 3; trackers on the board: 4.",
        "The board's head is not the one recorded when the box was opened.",
        "Opened papers: 3; trackers on the board: 4.",
        "The opened papers are not what the sealed papers hold.",
    ]


def test_the_board_and_box_refuse_changes_in_the_database(database: Database) -> None:
    ballot_with_votes(database, roll=2, votes=1)
    for statement in (
        "UPDATE board_entry SET tracker = 'x'",
        "DELETE FROM board_entry",
        "UPDATE sealed_paper SET tracker = 'x'",
        "DELETE FROM sealed_paper",
    ):
        with (
            pytest.raises(DBAPIError, match=r"append-only|cannot be changed"),
            database.engine.begin() as connection,
        ):
            connection.execute(text(statement))


def test_opened_papers_refuse_changes_in_the_database(database: Database) -> None:
    published_ballot(database)
    for statement in ("UPDATE paper SET choice = '{}'", "DELETE FROM paper"):
        with (
            pytest.raises(DBAPIError, match="cannot be changed"),
            database.engine.begin() as connection,
        ):
            connection.execute(text(statement))


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


def closed_ballot_with_votes(database: Database) -> Ballot:
    ballot = ballot_with_votes(database, roll=4, votes=3)
    with database.transaction() as session:
        current = ballots.get_ballot(session, ballot.public_id, utcnow())
        ballots.close_ballot(session, current, actor_id=None, now=utcnow())
    return ballot


def published_ballot(database: Database) -> Ballot:
    ballot = closed_ballot_with_votes(database)
    with database.transaction() as session:
        current = ballots.get_ballot(session, ballot.public_id, utcnow())
        results.publish_result(session, current, actor_id=None, now=utcnow())
    return ballot


def test_a_published_result_reconciles_with_a_recount_of_its_papers(database: Database) -> None:
    published_ballot(database)
    [found] = reconciliation(database)
    assert found.result_sha256 is not None
    assert found.result_sha256_now == found.result_sha256
    assert found.problems == []


def test_an_opened_paper_changed_after_publication_is_flagged(database: Database) -> None:
    published_ballot(database)
    with unguarded(database) as connection:
        connection.execute(
            text("UPDATE paper SET choice = :c WHERE id = (SELECT MIN(id) FROM paper)"),
            {"c": '{"choice": "against"}'},
        )
    [found] = reconciliation(database)
    assert found.problems == [
        "Counting the stored papers again does not give the published result.",
        "The opened papers are not those recorded when the box was opened.",
        "The opened papers are not what the sealed papers hold.",
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
