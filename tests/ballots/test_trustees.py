"""Ballot trustees: a ballot that opens while three trustees hold keys has its own key, split
2 of 3; its box stays sealed at close until two trustees open it together."""

import pytest
from sqlmodel import Session, select

from coopvote.ballots import service as ballots
from coopvote.ballots import trustees
from coopvote.ballots import views as ballot_views
from coopvote.ballots.models import Ballot, KeyShare, Paper
from coopvote.clock import utcnow
from coopvote.errors import Conflict, InvalidInput, NotAllowed
from coopvote.results import service as results
from coopvote.results.reconcile import reconcile_ballots
from tests.factories import make_ballot, make_member


def trustee_keys(session: Session, count: int = 3) -> list[str]:
    keys = []
    for _ in range(count):
        member = make_member(session)
        assert member.id is not None
        trustees.name_trustee(session, member, actor_id=None, now=utcnow())
        keys.append(trustees.generate_key(session, member.id, now=utcnow()).private_key)
    return keys


def closed_with_votes(session: Session, choices: list[str]) -> Ballot:
    voters = [make_member(session) for _ in choices]
    ballot = make_ballot(session)
    for voter, choice in zip(voters, choices, strict=True):
        assert voter.id is not None
        ballots.cast_vote(
            session, ballot, member_id=voter.id, paper={"choice": choice}, now=utcnow()
        )
    ballots.close_ballot(session, ballot, actor_id=None, now=utcnow())
    return ballot


def test_with_three_keyed_trustees_a_ballot_gets_its_own_key_split_two_of_three(
    session: Session,
) -> None:
    trustee_keys(session)
    ballot = make_ballot(session)
    assert ballot.box_public_key is not None
    assert ballot.trustees_needed == 2
    assert len(session.exec(select(KeyShare)).all()) == 3


def test_the_box_stays_sealed_at_close_until_two_trustees_open_it(session: Session) -> None:
    first, second, third = trustee_keys(session)
    ballot = closed_with_votes(session, ["for", "for", "against"])
    assert ballot.box_opened_at is None
    assert session.exec(select(Paper)).all() == []
    with pytest.raises(Conflict, match="box has not been opened"):
        results.publish_result(session, ballot, actor_id=None, now=utcnow())
    with pytest.raises(InvalidInput, match="2 trustees' keys are needed"):
        trustees.open_with_trustees(
            session, ballot, [first, first, "not a key"], actor_id=None, now=utcnow()
        )
    assert (
        trustees.open_with_trustees(session, ballot, [third, first], actor_id=None, now=utcnow())
        == 3
    )
    published = results.publish_result(session, ballot, actor_id=None, now=utcnow()).result
    assert published["outcome"] == "carried"
    assert [r.problems for r in reconcile_ballots(session)] == [[]]
    with pytest.raises(Conflict):
        trustees.open_with_trustees(session, ballot, [first, second], actor_id=None, now=utcnow())


def test_with_fewer_than_three_keyed_trustees_ballots_run_in_server_key_mode(
    session: Session,
) -> None:
    trustee_keys(session, 2)
    ballot = closed_with_votes(session, ["for"])
    assert ballot.box_public_key is None
    assert ballot.box_opened_at is not None
    assert ballot_views.board(session, ballot).count == 1


def test_only_trustees_make_a_key_and_only_once(session: Session) -> None:
    member = make_member(session)
    assert member.id is not None
    with pytest.raises(NotAllowed):
        trustees.generate_key(session, member.id, now=utcnow())
    trustees.name_trustee(session, member, actor_id=None, now=utcnow())
    with pytest.raises(Conflict):
        trustees.name_trustee(session, member, actor_id=None, now=utcnow())
    made = trustees.generate_key(session, member.id, now=utcnow())
    assert len(made.private_key) == len(made.public_key) == 64
    with pytest.raises(Conflict):
        trustees.generate_key(session, member.id, now=utcnow())
